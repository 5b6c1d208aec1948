package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tokenization and sequence log-probs against the numbers transformers computed (fixtures' expected.json). */
class LogpsFixtureTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void tokenizationMatchesTransformers(String arch) {
        JsonNode ex = Fixtures.expected(arch).get("examples");
        List<String[]> pairs = Fixtures.pairs();
        try (CausalLM lm = CausalLM.load(Fixtures.model(arch, "policy"))) {
            for (int i = 0; i < pairs.size(); i++) {
                TokenizedSequence c = lm.tokenize(new PromptResponse(pairs.get(i)[0], pairs.get(i)[1]));
                TokenizedSequence r = lm.tokenize(new PromptResponse(pairs.get(i)[0], pairs.get(i)[2]));
                assertArrayEquals(Fixtures.longs(ex.get(i).get("prompt_ids")), c.promptIds(), "prompt ids of pair " + i);
                assertArrayEquals(Fixtures.longs(ex.get(i).get("chosen_ids")), c.responseIds(), "chosen ids of pair " + i);
                assertArrayEquals(Fixtures.longs(ex.get(i).get("rejected_ids")), r.responseIds(), "rejected ids of pair " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void logpsMatchTransformersWithin1e4(String arch) {
        JsonNode ex = Fixtures.expected(arch).get("examples");
        int n = ex.size();
        for (String role : List.of("policy", "reference")) {
            try (CausalLM lm = CausalLM.load(Fixtures.model(arch, role))) {
                List<SequenceLogps> lp = lm.logps(Fixtures.chosenThenRejected()); // one padded batch of 20
                for (int i = 0; i < n; i++) {
                    assertEquals(ex.get(i).get(role + "_chosen_logps").asDouble(), lp.get(i).sum(), 1e-4, role + " chosen " + i);
                    assertEquals(ex.get(i).get(role + "_rejected_logps").asDouble(), lp.get(n + i).sum(), 1e-4, role + " rejected " + i);
                    if (role.equals("policy")) {
                        double[] want = Fixtures.doubles(ex.get(i).get("policy_chosen_token_logps"));
                        double[] got = lp.get(i).tokenLogps();
                        assertEquals(want.length, got.length, "token count " + i);
                        for (int j = 0; j < want.length; j++) assertEquals(want[j], got[j], 1e-4, "token " + j + " of pair " + i);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void paddingChangesNoNumber(String arch) {
        try (CausalLM lm = CausalLM.load(Fixtures.model(arch, "policy"))) {
            List<PromptResponse> all = Fixtures.chosenThenRejected();
            List<SequenceLogps> batched = lm.logps(all);
            List<SequenceLogps> single = new ArrayList<>();
            for (PromptResponse pr : all) single.addAll(lm.logps(List.of(pr)));
            for (int i = 0; i < all.size(); i++) {
                // Different batch shapes only change float32 summation order: 1e-5 is far below any real effect of a pad.
                assertEquals(single.get(i).sum(), batched.get(i).sum(), 1e-5, "sum " + i);
                double[] a = single.get(i).tokenLogps(), b = batched.get(i).tokenLogps();
                for (int j = 0; j < a.length; j++) assertEquals(a[j], b[j], 1e-5, "token " + j + " of " + i);
            }
        }
    }
}
