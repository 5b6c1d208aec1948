package dev.prefer.lm;

import ai.djl.ndarray.types.DataType;

/**
 * Precision of a loaded model's weights and compute: float32 (normal use), float64 (the double-precision twin) or
 * float16 (weights kept as 16-bit floats, half the memory: for inference and frozen reference models; norms, softmax
 * and logits are taken in float32 as transformers does). Training in half precision keeps float32 master weights and
 * casts them on use: load in F32 and call {@link Transformer#setComputeType}.
 *
 * <p>bfloat16 is not offered: DJL's PyTorch JNI (engine 2.7.1) aborts the JVM on any bfloat16 tensor ("terminate called
 * without an active exception" from {@code toType}, {@code zeros}, {@code create}); bfloat16 checkpoints load into float32 or
 * float16 and save back as bfloat16 (the conversion happens on the host).
 */
public enum Precision {
    F32(DataType.FLOAT32), F64(DataType.FLOAT64), F16(DataType.FLOAT16);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    public DataType dataType() {
        return dataType;
    }
}
