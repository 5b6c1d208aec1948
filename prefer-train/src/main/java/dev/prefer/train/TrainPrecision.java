package dev.prefer.train;

import ai.djl.ndarray.types.DataType;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.HfModel;
import dev.prefer.lm.Precision;
import dev.prefer.lm.RewardModel;
import java.nio.file.Path;

/**
 * How a model to be trained is loaded at a {@link Precision}, in one place for every trainer (offline, online, reward):
 * fp32 as it is; fp16 mixed precision (float32 master weights and AdamW state, float16 forward/backward, LoRA or not);
 * bf16 with LoRA over a frozen bfloat16 base, or, for full fine-tuning, float32 masters with bfloat16 products
 * ({@link dev.prefer.lm.Bf16}). A frozen reference model is loaded in the precision itself (half the memory).
 */
public final class TrainPrecision {
    private TrainPrecision() {}

    /** The precision the weights are loaded in: float32 masters whenever the trained weights would otherwise be half. */
    public static Precision weights(Precision p, boolean lora) {
        return p == Precision.F16 || (p == Precision.BF16 && !lora) ? Precision.F32 : p;
    }

    /** Sets the forward pass's compute type on a model loaded in {@link #weights}; returns it. */
    public static <M extends HfModel> M apply(M model, Precision p, boolean lora) {
        if (p == Precision.F16) model.model().setComputeType(DataType.FLOAT16);
        else if (p == Precision.BF16 && !lora) model.model().setComputeType(DataType.BFLOAT16);
        return model;
    }

    /** A policy to train at precision {@code p} (with {@code lora}: its frozen base). */
    public static CausalLM policy(Path dir, Precision p, boolean lora) {
        CausalLM lm = CausalLM.load(dir, weights(p, lora));
        try {
            return apply(lm, p, lora);
        } catch (RuntimeException e) {
            lm.close();
            throw e;
        }
    }

    /**
     * The frozen reference of an online run: {@code ref} in precision {@code p}; without one the initial policy, in
     * {@code p} too except in bf16 full fine-tuning, where it is loaded as the policy is (float32 embeddings, bfloat16
     * products) so that it starts equal to the policy (KL 0, as in fp32) instead of differing by its rounded embeddings.
     */
    public static CausalLM reference(Path model, Path ref, Precision p, boolean lora) {
        if (ref == null && p == Precision.BF16 && !lora) return policy(model, p, false);
        return CausalLM.load(ref != null ? ref : model, p);
    }

    /** A sequence-classification reward model to train at precision {@code p}. */
    public static RewardModel rewardModel(Path dir, Precision p, boolean lora) {
        RewardModel rm = RewardModel.load(dir, weights(p, lora));
        try {
            return apply(rm, p, lora);
        } catch (RuntimeException e) {
            rm.close();
            throw e;
        }
    }
}
