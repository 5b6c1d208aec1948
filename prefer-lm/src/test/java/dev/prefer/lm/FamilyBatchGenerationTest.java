package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Batched generation on the families whose cache holds more than keys and values: sliding windows (Mistral, Gemma 2
 * and 3, window 6, so 16 new tokens slide past it) keep the position of every cached key, and LFM2 keeps its
 * convolution state. When a row finishes early (a stop string) and leaves the batch, the rows still running must
 * keep the reference script's greedy ids; before {@code KvCache.selectRows} selected those too, they did not.
 */
class FamilyBatchGenerationTest {

    @ParameterizedTest
    @ValueSource(strings = {"mistral-gqa", "gemma2-gqa", "gemma3-gqa", "lfm2-gqa"})
    void rowsLeavingTheBatchKeepTheOthersOnTheReference(String name, @TempDir Path tmp) {
        JsonNode greedy = FamilyReferenceTest.expected(name).get("greedy");
        try (CausalLM lm = CausalLM.load(FamilyReferenceTest.folder(name, tmp))) {
            List<GenerationRequest> reqs = new ArrayList<>();
            List<long[]> want = new ArrayList<>();
            for (JsonNode g : greedy) {
                reqs.add(new GenerationRequest(Fixtures.longs(g.get("prompt_ids")), 0L));
                want.add(Fixtures.longs(g.get("greedy_new_ids")));
            }
            // a stop string that an early token of one prompt's greedy text completes and no other text contains: that
            // row leaves the batch early, the others run all 16 tokens
            String stop = null;
            int leaving = -1;
            for (int k = 0; k < want.size() && stop == null; k++) {
                for (int j = 2; j < 10 && stop == null; j++) {
                    for (int len = 1; len <= 3 && stop == null; len++) {
                        String before = lm.tokenizer().decode(Arrays.copyOf(want.get(k), j), true);
                        String after = lm.tokenizer().decode(Arrays.copyOf(want.get(k), j + len), true);
                        if (after.length() <= before.length() || !after.startsWith(before) || after.contains("\uFFFD")) continue;
                        String cand = after.substring(before.length());
                        boolean elsewhere = before.contains(cand);
                        for (int i = 0; i < want.size(); i++) if (i != k) elsewhere |= lm.tokenizer().decode(want.get(i), true).contains(cand);
                        if (!elsewhere) {
                            stop = cand;
                            leaving = k;
                        }
                    }
                }
            }
            assertTrue(stop != null, name + ": no stop string that only one prompt's text contains");
            GenerationConfig cfg = GenerationConfig.greedy(16).withSamples(2).withMaxBatch(6).withStop(List.of(stop));
            List<List<Completion>> out = lm.complete(reqs, cfg);
            for (Completion c : out.get(leaving)) {
                assertTrue(c.finishReason() == Completion.FinishReason.STOP && c.tokenIds().length < 16, name + ": the row left early");
                assertArrayEquals(Arrays.copyOf(want.get(leaving), c.tokenIds().length), c.tokenIds(), name + " prefix of the row that left");
            }
            for (int i = 0; i < reqs.size(); i++) {
                if (i == leaving) continue;
                for (Completion c : out.get(i)) assertArrayEquals(want.get(i), c.tokenIds(), name + " greedy ids of prompt " + i + " after a row left");
            }
        }
    }
}
