package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every model family against its plain-PyTorch reference (prefer-lm/src/test/python/families_ref.py, which follows
 * transformers' modelling code): per tiny configuration (two per family) the response log-probs of the fixture pairs
 * within 1e-4, the DPO loss within 1e-5 and every parameter's gradient norm within 1e-3 relative, greedy ids (alone and
 * in a left-padded batch, through the KV cache) identical, packed prefix sharing equal to the unshared pass, and a
 * save/load round trip that changes no number.
 */
class FamilyReferenceTest {
    static final String[] CASES = {"llama-llama3", "llama-yarn-tied", "mistral-gqa", "mistral-tied", "qwen3-gqa", "qwen3-tied",
        "gemma2-gqa", "gemma2-mha", "gemma3-gqa", "gemma3-mha", "phi3-gqa", "phi3-tied", "smollm3-gqa", "smollm3-tied",
        "lfm2-gqa", "lfm2-bias-untied"};

    /** A checkpoint folder: the case's config and weights with the fixtures' 420-token tokenizer. */
    static Path folder(String name, Path tmp) {
        Path src = Path.of("src/test/resources/families").resolve(name);
        assertTrue(Files.isRegularFile(src.resolve("model.safetensors")), "missing reference case " + src.toAbsolutePath());
        Path dir = tmp.resolve(name);
        try {
            Files.createDirectories(dir);
            for (String f : List.of("config.json", "model.safetensors")) Files.copy(src.resolve(f), dir.resolve(f));
            Path tok = Fixtures.model("llama", "policy");
            for (String f : List.of("tokenizer.json", "tokenizer_config.json")) Files.copy(tok.resolve(f), dir.resolve(f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    static JsonNode expected(String name) {
        return Fixtures.readJson(Path.of("src/test/resources/families").resolve(name).resolve("expected.json"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-llama3", "llama-yarn-tied", "mistral-gqa", "mistral-tied", "qwen3-gqa", "qwen3-tied",
        "gemma2-gqa", "gemma2-mha", "gemma3-gqa", "gemma3-mha", "phi3-gqa", "phi3-tied", "smollm3-gqa", "smollm3-tied",
        "lfm2-gqa", "lfm2-bias-untied"})
    void matchesTheReferenceScript(String name, @TempDir Path tmp) {
        JsonNode exp = expected(name);
        JsonNode examples = exp.get("examples");
        Path dir = folder(name, tmp);
        try (CausalLM lm = CausalLM.load(dir)) {
            List<TokenizedSequence> seqs = Dpo.chosenThenRejected(lm);
            int n = examples.size();
            for (int i = 0; i < n; i++) {
                assertArrayEquals(Fixtures.longs(examples.get(i).get("prompt_ids")), seqs.get(i).promptIds(), "prompt ids " + i);
                assertArrayEquals(Fixtures.longs(examples.get(i).get("chosen_ids")), seqs.get(i).responseIds(), "chosen ids " + i);
                assertArrayEquals(Fixtures.longs(examples.get(i).get("rejected_ids")), seqs.get(n + i).responseIds(), "rejected ids " + i);
            }
            // log-probs: one right-padded batch of all 20 sequences
            List<SequenceLogps> lp = lm.logpsOfIds(seqs, seqs.size(), true);
            for (int i = 0; i < n; i++) {
                JsonNode e = examples.get(i);
                assertEquals(e.get("policy_chosen_logps").asDouble(), lp.get(i).sum(), 1e-4, name + " chosen " + i);
                assertEquals(e.get("policy_rejected_logps").asDouble(), lp.get(n + i).sum(), 1e-4, name + " rejected " + i);
                assertArrayEquals(Fixtures.doubles(e.get("policy_chosen_token_logps")), lp.get(i).tokenLogps(), 1e-4, name + " chosen tokens " + i);
            }
            // prefix sharing: pairs packed one row each (LFM2 falls back to the unshared pass)
            List<TokenizedSequence> paired = new ArrayList<>();
            int[] groups = new int[n];
            for (int i = 0; i < n; i++) {
                paired.add(seqs.get(i));
                paired.add(seqs.get(n + i));
                groups[i] = 2;
            }
            List<SequenceLogps> shared = lm.logpsOfIds(paired, groups, paired.size(), true);
            for (int i = 0; i < n; i++) {
                assertEquals(lp.get(i).sum(), shared.get(2 * i).sum(), 1e-4, name + " shared chosen " + i);
                assertEquals(lp.get(n + i).sum(), shared.get(2 * i + 1).sum(), 1e-4, name + " shared rejected " + i);
            }
            gradients(name, lm, seqs, exp);
            greedy(name, lm, exp);
            // save -> load: identical numbers
            Path out = tmp.resolve("saved");
            lm.save(out);
            try (CausalLM again = CausalLM.load(out)) {
                assertEquals(lm.config().architecture(), again.config().architecture());
                List<SequenceLogps> back = again.logpsOfIds(seqs, seqs.size(), true);
                for (int i = 0; i < seqs.size(); i++) assertEquals(lp.get(i).sum(), back.get(i).sum(), 0.0, name + " reloaded " + i);
            }
        }
    }

    private static void gradients(String name, CausalLM lm, List<TokenizedSequence> seqs, JsonNode exp) {
        lm.setTrainable(true);
        try (NDManager step = lm.model().manager().newSubManager(); GradientCollector gc = Torch.init().newGradientCollector()) {
            NDArray loss = Dpo.loss(step, lm, seqs, new double[seqs.size()], exp.get("beta").asDouble());
            assertEquals(exp.get("dpo_zero_reference_loss_mean").asDouble(), loss.toFloatArray()[0], 1e-5, name + " loss");
            Transformer.backward(gc, loss); // through the chunked LM head (and any checkpointed blocks)
            Map<String, NDArray> grads = lm.model().gradients(step);
            JsonNode want = exp.get("grad_norms");
            assertEquals(want.size(), grads.size(), name + " parameter count " + grads.keySet());
            for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
                String p = it.next();
                assertTrue(grads.containsKey(p), name + ": no gradient for " + p);
                double norm = grads.get(p).norm().toFloatArray()[0];
                double w = want.get(p).asDouble();
                assertEquals(w, norm, 1e-3 * w + 1e-7, name + " grad norm of " + p);
            }
        } finally {
            lm.model().zeroGradients();
            lm.setTrainable(false);
        }
    }

    private static void greedy(String name, CausalLM lm, JsonNode exp) {
        List<long[]> prompts = new ArrayList<>();
        for (JsonNode g : exp.get("greedy")) {
            long[] ids = Fixtures.longs(g.get("prompt_ids"));
            prompts.add(ids);
            Generation one = lm.generateIds(List.of(ids), GenerationConfig.greedy(16)).get(0);
            assertArrayEquals(Fixtures.longs(g.get("greedy_new_ids")), one.newIds(), name + " greedy ids of '" + g.get("prompt").asText() + "'");
        }
        List<Generation> batch = lm.generateIds(prompts, GenerationConfig.greedy(16));
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(Fixtures.longs(exp.get("greedy").get(i).get("greedy_new_ids")), batch.get(i).newIds(), name + " batched greedy " + i);
        }
    }
}
