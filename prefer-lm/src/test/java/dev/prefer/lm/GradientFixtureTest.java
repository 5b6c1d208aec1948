package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backpropagation equals transformers': the DPO loss (beta 0.1, mean over the 10 pairs, summed log-probs) and the L2
 * norm of the gradient of every policy parameter, by Hugging Face name, against the fixtures' expected.json.
 */
class GradientFixtureTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void dpoGradientNormsMatchTransformers(String arch) {
        JsonNode exp = Fixtures.expected(arch);
        double beta = exp.get("beta").asDouble();
        try (CausalLM policy = CausalLM.load(Fixtures.model(arch, "policy"));
             CausalLM reference = CausalLM.load(Fixtures.model(arch, "reference"))) {
            List<TokenizedSequence> seqs = Dpo.chosenThenRejected(policy);
            double[] ref = Dpo.sums(reference.logpsOfIds(seqs, seqs.size()));
            policy.setTrainable(true);
            // twice: the second pass proves gradients are zeroed between steps, not accumulated
            for (int pass = 0; pass < 2; pass++) {
                policy.model().zeroGradients();
                try (NDManager step = policy.model().manager().newSubManager();
                     GradientCollector gc = Torch.init().newGradientCollector()) {
                    NDArray loss = Dpo.loss(step, policy, seqs, ref, beta);
                    assertEquals(exp.get("dpo_sigmoid_loss_mean").asDouble(), loss.toFloatArray()[0], 1e-5, "loss");
                    Transformer.backward(gc, loss); // through the chunked LM head (and any checkpointed blocks)
                    Map<String, NDArray> grads = policy.model().gradients(step);
                    JsonNode want = exp.get("grad_norms");
                    assertEquals(want.size(), grads.size(), "parameter count " + grads.keySet());
                    double total = 0;
                    for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
                        String name = it.next();
                        assertTrue(grads.containsKey(name), "no gradient for " + name);
                        double norm = grads.get(name).norm().toFloatArray()[0];
                        double w = want.get(name).asDouble();
                        assertEquals(w, norm, 1e-3 * w, "grad norm of " + name);
                        total += norm * norm;
                    }
                    double wt = exp.get("grad_total_norm").asDouble();
                    assertEquals(wt, Math.sqrt(total), 1e-3 * wt, "total grad norm");
                }
            }
        }
    }
}
