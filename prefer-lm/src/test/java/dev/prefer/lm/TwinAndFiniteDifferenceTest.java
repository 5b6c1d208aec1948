package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The double-precision twin: the same checkpoint run entirely in float64 agrees with the float32 model and with
 * transformers; and in float64, autograd gradients of the DPO loss agree with central finite differences.
 */
class TwinAndFiniteDifferenceTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void float64TwinAgreesWithFloat32AndTransformers(String arch) {
        JsonNode ex = Fixtures.expected(arch).get("examples");
        List<PromptResponse> data = Fixtures.chosenThenRejected();
        try (CausalLM f32 = CausalLM.load(Fixtures.model(arch, "policy"));
             CausalLM f64 = CausalLM.load(Fixtures.model(arch, "policy"), Precision.F64)) {
            assertEquals(DataType.FLOAT64, f64.model().dtype());
            List<SequenceLogps> a = f32.logps(data);
            List<SequenceLogps> b = f64.logps(data);
            for (int i = 0; i < data.size(); i++) {
                // float32 rounding over 2 layers and a few dozen tokens stays well inside 1e-4
                assertEquals(b.get(i).sum(), a.get(i).sum(), 1e-4, "f32 vs f64 sum " + i);
            }
            for (int i = 0; i < ex.size(); i++) {
                assertEquals(ex.get(i).get("policy_chosen_logps").asDouble(), b.get(i).sum(), 1e-4, "f64 vs transformers " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void float64GradientMatchesCentralDifferences(String arch) {
        double beta = 0.1;
        try (CausalLM policy = CausalLM.load(Fixtures.model(arch, "policy"), Precision.F64);
             CausalLM reference = CausalLM.load(Fixtures.model(arch, "reference"), Precision.F64)) {
            List<TokenizedSequence> all = Dpo.chosenThenRejected(policy);
            // 3 pairs keep it fast: chosen 0..2 then rejected 0..2
            List<TokenizedSequence> seqs = List.of(all.get(0), all.get(2), all.get(4), all.get(10), all.get(12), all.get(14));
            double[] ref = Dpo.sums(reference.logpsOfIds(seqs, seqs.size()));
            Map<String, NDArray> params = policy.parameters();
            Random rng = new Random(11);
            String[] names = params.keySet().toArray(new String[0]);
            policy.setTrainable(true);
            policy.model().zeroGradients();
            double[][] analytic = new double[6][];
            int[][] picks = new int[6][];
            try (NDManager step = policy.model().manager().newSubManager();
                 GradientCollector gc = Torch.init().newGradientCollector()) {
                NDArray loss = Dpo.loss(step, policy, seqs, ref, beta);
                Transformer.backward(gc, loss); // through the chunked LM head (and any checkpointed blocks)
                Map<String, NDArray> grads = policy.model().gradients(step);
                for (int k = 0; k < 6; k++) {
                    String name = names[rng.nextInt(names.length)];
                    int idx = rng.nextInt((int) params.get(name).size());
                    picks[k] = new int[] {java.util.Arrays.asList(names).indexOf(name), idx};
                    analytic[k] = new double[] {grads.get(name).toDoubleArray()[idx]};
                }
            }
            policy.setTrainable(false);
            double h = 1e-5;
            for (int k = 0; k < 6; k++) {
                NDArray p = params.get(names[picks[k][0]]);
                double plus, minus;
                try (NDManager m = policy.model().manager().newSubManager()) {
                    double[] d = new double[(int) p.size()];
                    d[picks[k][1]] = h;
                    NDArray delta = m.create(d, p.getShape());
                    p.addi(delta);
                    plus = loss(policy, seqs, ref, beta);
                    p.subi(delta).subi(delta);
                    minus = loss(policy, seqs, ref, beta);
                    p.addi(delta);
                }
                double numeric = (plus - minus) / (2 * h);
                double a = analytic[k][0];
                assertEquals(numeric, a, 1e-6 + 1e-5 * Math.abs(numeric), names[picks[k][0]] + "[" + picks[k][1] + "]");
            }
        }
    }

    private static double loss(CausalLM policy, List<TokenizedSequence> seqs, double[] ref, double beta) {
        try (NDManager m = policy.model().manager().newSubManager()) {
            return Dpo.loss(m, policy, seqs, ref, beta).toDoubleArray()[0];
        }
    }
}
