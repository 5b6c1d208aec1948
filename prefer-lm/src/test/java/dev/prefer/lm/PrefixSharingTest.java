package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Prefix sharing (each group one packed row: its prompt once, then every continuation) gives the numbers
 * of the unshared pass: per-token log-probs within 1e-5 and against the fixtures' transformers values within 1e-4,
 * gradients per parameter within 1e-4 relative, and the fixtures' DPO loss and gradient norms. The fixture pairs have
 * prompts of 2 to 9 tokens and responses of 2 to 14, so both passes pad prompts and responses on the right; groups
 * of 1, 2 and 3 responses are mixed in one batch.
 */
class PrefixSharingTest {

    /** Chosen, rejected of every fixture pair (interleaved, groups of two). */
    private static List<TokenizedSequence> interleaved(CausalLM lm) {
        List<TokenizedSequence> out = new ArrayList<>();
        for (String[] p : Fixtures.pairs()) {
            out.add(lm.tokenize(new PromptResponse(p[0], p[1])));
            out.add(lm.tokenize(new PromptResponse(p[0], p[2])));
        }
        return out;
    }

    private static int[] twos(int groups) {
        int[] g = new int[groups];
        java.util.Arrays.fill(g, 2);
        return g;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void logpsEqualUnsharedAndTransformers(String arch) {
        JsonNode exp = Fixtures.expected(arch);
        try (CausalLM lm = CausalLM.load(Fixtures.model(arch, "policy"))) {
            List<TokenizedSequence> seqs = interleaved(lm);
            List<SequenceLogps> plain = lm.logpsOfIds(seqs, seqs.size());
            List<SequenceLogps> shared = lm.logpsOfIds(seqs, twos(seqs.size() / 2), seqs.size(), false);
            assertClose(plain, shared, 1e-5, arch + " pairs");
            for (int i = 0; i < exp.get("examples").size(); i++) {
                JsonNode e = exp.get("examples").get(i);
                assertEquals(e.get("policy_chosen_logps").asDouble(), shared.get(2 * i).sum(), 1e-4, arch + " chosen " + i);
                assertEquals(e.get("policy_rejected_logps").asDouble(), shared.get(2 * i + 1).sum(), 1e-4, arch + " rejected " + i);
                double[] tok = Fixtures.doubles(e.get("policy_chosen_token_logps"));
                for (int j = 0; j < tok.length; j++) assertEquals(tok[j], shared.get(2 * i).tokenLogps()[j], 1e-4, arch + " token " + j);
            }
            // Ragged groups: a list of three (pair 2's responses and pair 7's chosen under pair 2's prompt), a single
            // response, then pairs; and the same in chunks of at most 4 sequences (whole groups per pass).
            List<TokenizedSequence> ragged = new ArrayList<>();
            long[] p2 = seqs.get(4).promptIds();
            ragged.add(seqs.get(4));
            ragged.add(seqs.get(5));
            ragged.add(new TokenizedSequence(p2, seqs.get(14).responseIds()));
            ragged.add(seqs.get(13));
            for (int i = 0; i < 6; i++) ragged.add(seqs.get(i));
            int[] groups = {3, 1, 2, 2, 2};
            List<SequenceLogps> raggedPlain = lm.logpsOfIds(ragged, ragged.size());
            assertClose(raggedPlain, lm.logpsOfIds(ragged, groups, ragged.size(), false), 1e-5, arch + " ragged");
            assertClose(raggedPlain, lm.logpsOfIds(ragged, groups, 4, false), 1e-5, arch + " ragged, chunks of 4");
            // float64 log-softmax (the fixtures' exact convention) through the shared pass as well
            assertClose(lm.logpsOfIds(seqs, seqs.size(), true), lm.logpsOfIds(seqs, twos(seqs.size() / 2), seqs.size(), true), 1e-5, arch + " f64");
        }
    }

    @Test
    void groupsMustShareTheirPrompt() {
        try (CausalLM lm = CausalLM.load(Fixtures.model("llama", "policy"))) {
            List<TokenizedSequence> seqs = interleaved(lm);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> lm.logpsOfIds(seqs.subList(1, 5), new int[] {2, 2}, 4, false));
            assertTrue(e.getMessage().contains("does not share its group's prompt"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> lm.logpsOfIds(seqs.subList(0, 4), new int[] {2, 1}, 4, false));
        }
    }

    /**
     * The DPO loss (beta from expected.json, mean over the 10 pairs) through the shared pass: loss within 1e-5 and
     * every parameter's gradient norm within 1e-3 relative of transformers' (expected.json), and each parameter's
     * gradient within 1e-4 relative (norm of the difference over the norm) of the unshared pass's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void gradientsEqualUnsharedAndTransformers(String arch) {
        JsonNode exp = Fixtures.expected(arch);
        double beta = exp.get("beta").asDouble();
        try (CausalLM policy = CausalLM.load(Fixtures.model(arch, "policy"));
             CausalLM reference = CausalLM.load(Fixtures.model(arch, "reference"))) {
            List<TokenizedSequence> seqs = interleaved(policy);
            double[] ref = Dpo.sums(reference.logpsOfIds(seqs, seqs.size()));
            policy.setTrainable(true);
            Map<String, float[]> plain = null;
            for (boolean share : new boolean[] {false, true}) {
                policy.model().zeroGradients();
                try (NDManager step = policy.model().manager().newSubManager();
                     GradientCollector gc = Torch.init().newGradientCollector()) {
                    NDArray sums = policy.logpsTensors(step, seqs, share ? twos(seqs.size() / 2) : null, false).sums();
                    NDArray ratio = sums.sub(step.create(ref).toType(sums.getDataType(), false)).reshape(-1, 2);
                    NDArray logits = ratio.get(":, 0").sub(ratio.get(":, 1")).mul(beta);
                    NDArray loss = Activation.softPlus(logits.neg()).mean();
                    assertEquals(exp.get("dpo_sigmoid_loss_mean").asDouble(), loss.toFloatArray()[0], 1e-5, arch + " loss, share " + share);
                    Transformer.backward(gc, loss); // through the chunked LM head (and any checkpointed blocks)
                    Map<String, NDArray> grads = policy.model().gradients(step);
                    Map<String, float[]> now = new LinkedHashMap<>();
                    for (Map.Entry<String, NDArray> e : grads.entrySet()) now.put(e.getKey(), e.getValue().toFloatArray());
                    JsonNode want = exp.get("grad_norms");
                    for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
                        String name = it.next();
                        double w = want.get(name).asDouble();
                        assertEquals(w, norm(now.get(name), null), 1e-3 * w, arch + " grad norm of " + name + ", share " + share);
                    }
                    if (plain == null) {
                        plain = now;
                    } else {
                        for (Map.Entry<String, float[]> e : plain.entrySet()) {
                            double n0 = norm(e.getValue(), null), diff = norm(e.getValue(), now.get(e.getKey()));
                            assertTrue(diff <= 1e-4 * n0 + 1e-12, arch + " " + e.getKey() + ": |shared - unshared| " + diff + " vs |g| " + n0);
                        }
                    }
                }
            }
        }
    }

    private static List<TokenizedSequence> group(int k, int prompt, int response) {
        List<TokenizedSequence> out = new ArrayList<>();
        for (int i = 0; i < k; i++) out.add(new TokenizedSequence(new long[prompt], new long[response]));
        return out;
    }

    /**
     * sharingPays: packed rows · T · (24 d² + 4 d T) at most 95% of unshared. Worked by hand: a pair of 64 + 64 at d
     * 128 is 192·491,520 = 94.4M against 2·128·458,752 = 117.4M (0.80, shares); with a 1-token prompt 129·459,264
     * = 59.2M against 2·65·426,496 = 55.4M (1.07, does not); 8 responses of 256 after a 16-token prompt at d 64
     * 2064·626,688 = 1.29G against 8·272·167,936 = 0.37G (3.5, does not); the 64 + 64 pair at d 768 0.76 (shares).
     */
    @Test
    void autoSharesWhenThePackedPassIsCheaper() {
        assertTrue(CausalLM.sharingPays(group(2, 64, 64), new int[] {2}, 128));
        assertTrue(!CausalLM.sharingPays(group(2, 1, 64), new int[] {2}, 128));
        assertTrue(!CausalLM.sharingPays(group(8, 16, 256), new int[] {8}, 64));
        assertTrue(CausalLM.sharingPays(group(2, 64, 64), new int[] {2}, 768));
        assertTrue(!CausalLM.sharingPays(group(2, 64, 64), null, 128));
        assertTrue(!CausalLM.sharingPays(group(2, 64, 64), new int[] {1, 1}, 128));
    }

    private static double norm(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = b == null ? a[i] : (double) a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    private static void assertClose(List<SequenceLogps> a, List<SequenceLogps> b, double tol, String what) {
        assertEquals(a.size(), b.size(), what);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).sum(), b.get(i).sum(), tol, what + " sum " + i);
            assertEquals(a.get(i).tokenLogps().length, b.get(i).tokenLogps().length, what + " length " + i);
            for (int j = 0; j < a.get(i).tokenLogps().length; j++) assertEquals(a.get(i).tokenLogps()[j], b.get(i).tokenLogps()[j], tol, what + " token " + i + "." + j);
        }
    }
}
