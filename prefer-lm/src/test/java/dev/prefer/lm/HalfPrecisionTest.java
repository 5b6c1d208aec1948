package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.prefer.lm.io.DType;
import dev.prefer.lm.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Half precision: weights kept in float16 (Precision.F16) for every family, mixed-precision training (float32 masters,
 * float16 compute), and saving a bfloat16 checkpoint back as bfloat16. Prints the measured differences from float32
 * (docs/results/lm-half-precision.md); the bounds asserted are loose (float16 has an 11-bit mantissa, 2^-11 relative).
 */
class HalfPrecisionTest {

    private static double[] sums(CausalLM lm, List<TokenizedSequence> seqs) {
        return Dpo.sums(lm.logpsOfIds(seqs, seqs.size()));
    }

    @Test
    void everyFamilyRunsInFloat16CloseToFloat32(@TempDir Path tmp) {
        StringBuilder table = new StringBuilder("case | max |Δ sum logp| | mean |sum logp| | greedy ids equal\n");
        for (String name : FamilyReferenceTest.CASES) {
            Path dir = FamilyReferenceTest.folder(name, tmp);
            try (CausalLM f32 = CausalLM.load(dir); CausalLM bf = CausalLM.load(dir, Precision.F16)) {
                assertEquals(DataType.FLOAT16, bf.model().parameters().values().iterator().next().getDataType());
                List<TokenizedSequence> seqs = Dpo.chosenThenRejected(f32);
                double[] a = sums(f32, seqs), b = sums(bf, seqs);
                double max = 0, mean = 0;
                for (int i = 0; i < a.length; i++) {
                    max = Math.max(max, Math.abs(a[i] - b[i]));
                    mean += Math.abs(a[i]) / a.length;
                }
                List<long[]> prompts = List.of(seqs.get(0).promptIds(), seqs.get(1).promptIds());
                List<Generation> ga = f32.generateIds(prompts, GenerationConfig.greedy(8));
                List<Generation> gb = bf.generateIds(prompts, GenerationConfig.greedy(8));
                int same = 0;
                for (int r = 0; r < 2; r++) for (int j = 0; j < 8; j++) same += ga.get(r).newIds()[j] == gb.get(r).newIds()[j] ? 1 : 0;
                table.append(String.format("%s | %.4f | %.2f | %d/16%n", name, max, mean, same));
                assertTrue(max < 0.05 * mean + 0.5, name + ": float16 log-probs " + max + " away from float32");
            }
        }
        System.out.println(table);
    }

    @Test
    void mixedPrecisionTrainsFloat32MastersWithFloat16Compute() {
        try (CausalLM lm = CausalLM.load(Fixtures.model("llama", "policy"))) {
            List<TokenizedSequence> seqs = Dpo.chosenThenRejected(lm);
            double[] zero = new double[seqs.size()];
            lm.setTrainable(true);
            Map<String, float[]> full = new java.util.HashMap<>();
            double[] losses = new double[2];
            for (int pass = 0; pass < 2; pass++) {
                lm.model().setComputeType(pass == 0 ? null : DataType.FLOAT16);
                lm.model().zeroGradients();
                long before = lm.model().manager().getManagedArrays().size();
                try (NDManager step = lm.model().manager().newSubManager(); GradientCollector gc = Torch.init().newGradientCollector()) {
                    NDArray loss = Dpo.loss(step, lm, seqs, zero, 0.1);
                    losses[pass] = loss.toFloatArray()[0];
                    Transformer.backward(gc, loss); // through the chunked LM head (and any checkpointed blocks)
                    double num = 0, den = 0;
                    for (Map.Entry<String, NDArray> e : lm.model().gradients(step).entrySet()) {
                        assertEquals(DataType.FLOAT32, e.getValue().getDataType(), "master gradient of " + e.getKey());
                        float[] g = e.getValue().toFloatArray();
                        if (pass == 0) {
                            full.put(e.getKey(), g);
                        } else {
                            float[] w = full.get(e.getKey());
                            for (int i = 0; i < g.length; i++) {
                                num += (g[i] - w[i]) * (double) (g[i] - w[i]);
                                den += (double) w[i] * w[i];
                            }
                        }
                    }
                    if (pass == 1) {
                        double rel = Math.sqrt(num / den);
                        System.out.printf("mixed precision: loss %.6f (float32 %.6f), gradient relative L2 error %.4f%n", losses[1], losses[0], rel);
                        assertTrue(rel < 0.05, "float16 gradient relative error " + rel);
                    }
                }
                assertEquals(before, lm.model().manager().getManagedArrays().size(), "parameter manager grew");
            }
            assertEquals(losses[0], losses[1], 0.01 * Math.abs(losses[0]), "loss in float16 compute");
            assertEquals(DataType.FLOAT32, lm.model().dtype());
        }
    }

    @Test
    void bf16CheckpointsSaveBackAsBf16ThroughFloat16(@TempDir Path tmp) throws Exception {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        try (CausalLM lm = CausalLM.load(Fixtures.model("qwen2", "policy"))) {
            assertEquals(DType.F32, lm.model().sourceType());
            lm.save(a, DType.BF16);
        }
        double[] first;
        try (CausalLM lm = CausalLM.load(a, Precision.F16)) {
            assertEquals(DType.BF16, lm.model().sourceType());
            first = sums(lm, Dpo.chosenThenRejected(lm));
            lm.save(b); // its own dtype
        }
        assertTrue(Files.readString(b.resolve("config.json")).contains("\"bfloat16\""));
        for (SafeTensors.Entry e : SafeTensors.readHeader(b.resolve("model.safetensors")).entries()) assertEquals(DType.BF16, e.dtype(), e.name());
        try (CausalLM lm = CausalLM.load(b, Precision.F16)) {
            double[] again = sums(lm, Dpo.chosenThenRejected(lm));
            for (int i = 0; i < first.length; i++) assertEquals(first[i], again[i], 0.0, "reloaded " + i);
        }
    }
}
