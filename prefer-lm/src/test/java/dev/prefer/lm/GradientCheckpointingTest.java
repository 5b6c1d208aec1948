package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gradient checkpointing changes memory, not numbers: with it on, the DPO gradient of every parameter equals the
 * plain pass's (element by element) and still matches transformers' gradient norms (the fixtures' expected.json for
 * GPT-2, Llama and Qwen2; the families' reference script for a Gemma 3 and an LFM2 case, whose convolution blocks and
 * sandwich norms take other paths).
 */
class GradientCheckpointingTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void fixtureGradientsAreThePlainPasses(String arch) {
        JsonNode exp = Fixtures.expected(arch);
        try (CausalLM policy = CausalLM.load(Fixtures.model(arch, "policy"));
             CausalLM reference = CausalLM.load(Fixtures.model(arch, "reference"))) {
            List<TokenizedSequence> seqs = Dpo.chosenThenRejected(policy);
            double[] ref = Dpo.sums(reference.logpsOfIds(seqs, seqs.size()));
            compare(arch, policy, seqs, ref, exp.get("beta").asDouble(), exp.get("dpo_sigmoid_loss_mean").asDouble(), exp.get("grad_norms"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gemma3-gqa", "lfm2-gqa"})
    void familyGradientsAreThePlainPasses(String name, @TempDir Path tmp) {
        JsonNode exp = FamilyReferenceTest.expected(name);
        try (CausalLM lm = CausalLM.load(FamilyReferenceTest.folder(name, tmp))) {
            List<TokenizedSequence> seqs = Dpo.chosenThenRejected(lm);
            compare(name, lm, seqs, new double[seqs.size()], exp.get("beta").asDouble(), exp.get("dpo_zero_reference_loss_mean").asDouble(),
                    exp.get("grad_norms"));
        }
    }

    @Test
    void mixedPrecisionGradientsReachTheMasters() {
        try (CausalLM lm = CausalLM.load(Fixtures.model("llama", "policy"))) {
            lm.model().setComputeType(DataType.FLOAT16);
            List<TokenizedSequence> seqs = Dpo.chosenThenRejected(lm);
            Map<String, float[]> plain = gradients(lm, seqs, new double[seqs.size()], 0.1, false, null);
            Map<String, float[]> ckpt = gradients(lm, seqs, new double[seqs.size()], 0.1, true, null);
            assertEquals(plain.keySet(), ckpt.keySet());
            for (String p : plain.keySet()) assertClose(plain.get(p), ckpt.get(p), 0, "fp16 " + p);
        }
    }

    @Test
    void aForgottenBackwardIsRefused() {
        try (CausalLM lm = CausalLM.load(Fixtures.model("gpt2", "policy"))) {
            lm.setTrainable(true);
            lm.model().setGradientCheckpointing(true);
            List<TokenizedSequence> seqs = Dpo.chosenThenRejected(lm);
            try (NDManager step = lm.model().manager().newSubManager(); GradientCollector gc = Torch.init().newGradientCollector()) {
                Dpo.loss(step, lm, seqs, new double[seqs.size()], 0.1);
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                try (NDManager step = lm.model().manager().newSubManager(); GradientCollector gc = Torch.init().newGradientCollector()) {
                    Dpo.loss(step, lm, seqs, new double[seqs.size()], 0.1);
                }
            });
            assertTrue(e.getMessage().contains("Transformer.backward"), e.getMessage());
            // inference passes are never checkpointed
            assertEquals(seqs.size(), lm.logpsOfIds(seqs, seqs.size()).size());
        }
    }

    private static void compare(String name, CausalLM lm, List<TokenizedSequence> seqs, double[] ref, double beta, double wantLoss, JsonNode want) {
        double[] loss = new double[2];
        Map<String, float[]> plain = gradients(lm, seqs, ref, beta, false, loss);
        double plainLoss = loss[0];
        Map<String, float[]> ckpt = gradients(lm, seqs, ref, beta, true, loss);
        assertEquals(wantLoss, loss[0], 1e-5, name + " loss");
        assertEquals(plainLoss, loss[0], 0.0, name + " loss, plain vs checkpointed");
        assertEquals(want.size(), ckpt.size(), name + " parameter count " + ckpt.keySet());
        for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
            String p = it.next();
            assertTrue(ckpt.containsKey(p), name + ": no gradient for " + p);
            double norm = 0;
            for (float v : ckpt.get(p)) norm += (double) v * v;
            double w = want.get(p).asDouble();
            assertEquals(w, Math.sqrt(norm), 1e-3 * w + 1e-7, name + " grad norm of " + p);
            assertClose(plain.get(p), ckpt.get(p), 1e-6, name + " " + p);
        }
    }

    /** |a − b| <= tol · max(1, max |a|) element by element (tol 0: bit for bit). */
    private static void assertClose(float[] a, float[] b, double tol, String what) {
        assertEquals(a.length, b.length, what);
        double scale = 1;
        for (float v : a) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < a.length; i++) {
            if (tol == 0) assertEquals(a[i], b[i], 0f, what + "[" + i + "]");
            else assertEquals(a[i], b[i], tol * scale, what + "[" + i + "]");
        }
    }

    private static Map<String, float[]> gradients(CausalLM lm, List<TokenizedSequence> seqs, double[] ref, double beta, boolean checkpoint, double[] lossOut) {
        lm.setTrainable(true);
        lm.model().setGradientCheckpointing(checkpoint);
        lm.model().zeroGradients();
        try (NDManager step = lm.model().manager().newSubManager(); GradientCollector gc = Torch.init().newGradientCollector()) {
            NDArray loss = Dpo.loss(step, lm, seqs, ref, beta);
            if (lossOut != null) lossOut[0] = loss.toFloatArray()[0];
            Transformer.backward(gc, loss);
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : lm.model().gradients(step).entrySet()) out.put(e.getKey(), e.getValue().toType(DataType.FLOAT32, false).toFloatArray());
            return out;
        } finally {
            lm.model().zeroGradients();
            lm.model().setGradientCheckpointing(false);
            lm.setTrainable(false);
        }
    }
}
