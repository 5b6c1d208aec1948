package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The benchmarks time the trainer's own step, a real training step (speed itself is never asserted). */
class TrainBenchTest {

    @Test
    void firstLossIsLn2AndTheTrainersStepLowersIt() {
        // reference == policy at step 0, so the DPO loss is exactly ln 2; the trainer's AdamW steps must then lower it
        TrainBench.Shape micro = new TrainBench.Shape(1, 32, 2, 64, 2, 4, 4, 3, 1);
        for (boolean refForward : new boolean[] {true, false}) {
            TrainBench.Result r = TrainBench.run(micro, refForward, TrainConfig.PrefixSharing.OFF, null, 1e-3);
            assertEquals(Math.log(2), r.losses()[0], 1e-6);
            assertTrue(r.losses()[3] < r.losses()[0], java.util.Arrays.toString(r.losses()));
            assertEquals(4, r.losses().length);
            assertTrue(r.medianSeconds() > 0 && r.tokensPerSecond() > 0 && r.parameters() > 0);
        }
    }

    @Test
    void memoryBenchStepsTheTrainerWithLoraAndTheBaseAsReference() {
        // LoRA with the reference forward on the base (adapters detached): B starts at zero, so step 1 is ln 2
        MemoryBench.Case c = new MemoryBench.Case("micro", true, false, false, false, 2, 4, 4);
        double[] losses = new double[2];
        long[] counts = MemoryBench.step(c, dev.prefer.lm.ModelConfig.gpt2(64, 64, 32, 1, 2), 2, losses);
        assertEquals(Math.log(2), losses[0], 1e-6);
        // GPT-2's default LoRA target c_attn: A (8, 32) + B (96, 8) in one layer
        assertEquals(8L * (32 + 96), counts[1], java.util.Arrays.toString(counts));
        assertTrue(counts[1] < counts[0]);
    }

    @Test
    void memoryBenchInBf16() {
        dev.prefer.lm.ModelConfig micro = dev.prefer.lm.ModelConfig.gpt2(64, 64, 32, 1, 2);
        // LoRA over a bfloat16 base, reference = the same base: step 1 is ln 2 exactly (B = 0)
        double[] lora = new double[2];
        MemoryBench.step(new MemoryBench.Case("micro", true, false, "bf16", false, 2, 4, 4), micro, 2, lora);
        assertEquals(Math.log(2), lora[0], 1e-6);
        // full fine-tuning: float32 masters with bfloat16 products against a bfloat16 reference of the same weights
        double[] full = new double[2];
        MemoryBench.step(new MemoryBench.Case("micro", false, false, "bf16", false, 2, 4, 4), micro, 2, full);
        // step 1: the masters' bfloat16 products are the stored bfloat16 weights' products; only the embeddings differ
        // (float32 lookup in the masters, as torch.autocast leaves embeddings alone; bfloat16 rows in the reference)
        assertEquals(Math.log(2), full[0], 1e-3);
        assertTrue(full[0] != Math.log(2));
        assertTrue(Double.isFinite(full[1]) && full[1] != full[0], java.util.Arrays.toString(full));
    }

    @Test
    void memoryBenchWithGradientCheckpointingTakesTheSameSteps() {
        // full fine-tuning, reference forward each step: the second step's loss depends on the first step's gradients
        dev.prefer.lm.ModelConfig micro = dev.prefer.lm.ModelConfig.gpt2(64, 64, 32, 2, 2);
        double[] plain = new double[3];
        double[] ckpt = new double[3];
        MemoryBench.step(new MemoryBench.Case("micro", false, false, false, false, 2, 4, 4), micro, 3, plain);
        MemoryBench.step(new MemoryBench.Case("micro", false, false, false, true, 2, 4, 4), micro, 3, ckpt);
        assertEquals(Math.log(2), plain[0], 1e-6);
        assertTrue(plain[2] != plain[0], java.util.Arrays.toString(plain));
        for (int i = 0; i < 3; i++) assertEquals(plain[i], ckpt[i], 1e-6, "step " + i);
    }
}
