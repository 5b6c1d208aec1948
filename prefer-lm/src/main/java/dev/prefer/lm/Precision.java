package dev.prefer.lm;

import ai.djl.ndarray.types.DataType;

/**
 * Precision of a loaded model's weights and compute: float32 (normal use), float64 (the double-precision twin) or
 * float16 (weights kept as 16-bit floats, half the memory: for inference and frozen reference models; norms, softmax
 * and logits are taken in float32 as transformers does). Training in half precision keeps float32 master weights and
 * casts them on use: load in F32 and call {@link Transformer#setComputeType}.
 *
 * <p>BF16: every 2-D weight (linear layers, embeddings, LM head) is kept in bfloat16 (half the memory) and every linear
 * product is a bfloat16 product; norms, biases, the activations between products, the softmax and the logits are float32.
 * DJL's PyTorch JNI (0.36, engine 2.7.1) aborts the JVM on any call that hands it a bfloat16 dtype ("terminate called
 * without an active exception" from {@code toType}, {@code zeros}, {@code create}, {@code logSoftmax}), so the bfloat16
 * tensors are made and used only inside TorchScript ({@link Bf16}); the model's {@link Transformer#dtype()} stays
 * FLOAT32. bfloat16 weights are frozen (LoRA base, reference model); training every weight in bfloat16 keeps float32
 * masters: load in F32 and call {@code setComputeType(DataType.BFLOAT16)}. A checkpoint saves back in its own dtype.
 */
public enum Precision {
    F32(DataType.FLOAT32), F64(DataType.FLOAT64), F16(DataType.FLOAT16),
    /** bfloat16 weights through {@link Bf16}; {@link #dataType()} is DJL's BFLOAT16, never to be handed to a DJL op. */
    BF16(DataType.BFLOAT16);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    public DataType dataType() {
        return dataType;
    }
}
