package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The batched path ({@link CausalLM#complete}): transformers' greedy ids with rows of different lengths, waves and
 * rows leaving early; samples independent of their batch; raw log-probs equal to a teacher-forced pass; the filters
 * against hand-derived distributions. Every fixture (GPT-2, Llama, Qwen2) decodes through the scripted path ({@link
 * DecodeScript}); {@link LlamaDecodeTest} compares it with the composite path.
 */
class BatchGenerationTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void greedyIdsMatchTransformersWithRowsLeavingEarly(String arch) {
        JsonNode greedy = Fixtures.expected(arch).get("greedy");
        try (CausalLM lm = CausalLM.load(Fixtures.model(arch, "policy"))) {
            assertTrue(DecodeScript.applies(lm.model()), arch + ": the scripted path serves the float32 fixture");
            List<GenerationRequest> reqs = new ArrayList<>();
            List<long[]> want = new ArrayList<>();
            for (JsonNode g : greedy) {
                reqs.add(new GenerationRequest(lm.encodePrompt(g.get("prompt").asText()), 0L));
                want.add(Fixtures.longs(g.get("greedy_new_ids")));
            }
            // all 16 tokens: every row of the three prompts (lengths differ), two samples each, waves of 4 rows
            GenerationConfig full = GenerationConfig.greedy(16).withSamples(2).withMaxBatch(4);
            List<List<Completion>> out = lm.complete(reqs, full);
            for (int i = 0; i < reqs.size(); i++) {
                for (Completion c : out.get(i)) {
                    assertArrayEquals(want.get(i), c.tokenIds(), arch + " greedy ids of prompt " + i + " sample " + c.sample());
                    assertEquals(Completion.FinishReason.LENGTH, c.finishReason());
                }
            }
            // a stop string taken from the middle of a greedy text: that row leaves early, and
            // the rows still running keep transformers' ids
            String stop = null;
            for (int i = 0; i < want.size() && stop == null; i++) {
                for (int j = 3; j < 14 && stop == null; j++) {
                    String before = lm.tokenizer().decode(Arrays.copyOf(want.get(i), j), true);
                    String after = lm.tokenizer().decode(Arrays.copyOf(want.get(i), j + 1), true);
                    if (after.length() > before.length() && after.startsWith(before) && !after.contains("\uFFFD")) stop = after.substring(before.length());
                }
            }
            assertTrue(stop != null, arch + ": a token of a greedy text adds whole characters");
            List<List<Completion>> cut = lm.complete(reqs, full.withStop(List.of(stop)));
            int early = 0, fullLength = 0;
            for (int i = 0; i < reqs.size(); i++) {
                long[] w = want.get(i);
                for (Completion c : cut.get(i)) {
                    long[] ids = c.tokenIds();
                    assertArrayEquals(Arrays.copyOf(w, ids.length), ids, arch + " ids of prompt " + i + " are a prefix of transformers'");
                    String text = lm.tokenizer().decode(w, true);
                    int at = text.indexOf(stop);
                    if (c.finishReason() == Completion.FinishReason.STOP) {
                        early += ids.length < w.length ? 1 : 0;
                        String mine = lm.tokenizer().decode(ids, true);
                        assertEquals(mine.substring(0, mine.indexOf(stop)), c.text(), "text cut before the stop string");
                        assertTrue(lm.tokenizer().decode(ids, true).contains(stop));
                        assertFalse(lm.tokenizer().decode(Arrays.copyOf(ids, ids.length - 1), true).contains(stop), "stops at the first token that completes it");
                    } else {
                        fullLength++;
                        assertEquals(Completion.FinishReason.LENGTH, c.finishReason());
                        assertEquals(-1, at, "a row that ran the whole budget never produced the stop string");
                    }
                }
            }
            assertTrue(early > 0, arch + ": some row stopped early (stop '" + stop + "')");
            assertTrue(fullLength + early == 2 * reqs.size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void aSampleIsTheSameAloneAndInAnyBatch(String arch) {
        try (CausalLM lm = CausalLM.load(Fixtures.model(arch, "policy"))) {
            assertTrue(DecodeScript.applies(lm.model()), arch + ": the scripted path serves the float32 fixture");
            List<String> prompts = List.of("the cat", "Q: 5+5=", "a", "hello there, how are you");
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) reqs.add(new GenerationRequest(lm.encodePrompt(prompts.get(i)), 100 + i));
            GenerationConfig cfg = new GenerationConfig(20, false, 1.2, 0, 0.9, 0L, true).withMinP(0.02).withSamples(3).withMaxBatch(5);
            List<List<Completion>> batch = lm.complete(reqs, cfg);
            List<GenerationRequest> reversed = new ArrayList<>(reqs);
            java.util.Collections.reverse(reversed);
            List<List<Completion>> rev = lm.complete(reversed, cfg.withMaxBatch(64));
            boolean differ = false;
            for (int i = 0; i < reqs.size(); i++) {
                List<Completion> alone = lm.complete(List.of(reqs.get(i)), cfg.withMaxBatch(1)).get(0);
                for (int k = 0; k < 3; k++) {
                    Completion a = alone.get(k), b = batch.get(i).get(k), r = rev.get(reqs.size() - 1 - i).get(k);
                    assertArrayEquals(a.tokenIds(), b.tokenIds(), "prompt " + i + " sample " + k + ": alone vs batch");
                    assertArrayEquals(a.tokenIds(), r.tokenIds(), "prompt " + i + " sample " + k + ": alone vs another batch");
                    assertArrayEquals(a.logps(), b.logps(), 1e-5);
                    assertEquals(a.finishReason(), b.finishReason());
                    assertEquals(a.text(), b.text());
                    if (k > 0 && !Arrays.equals(a.tokenIds(), alone.get(0).tokenIds())) differ = true;
                }
            }
            assertTrue(differ, "the samples of a prompt differ from each other");
        }
    }

    /** GRPO's shape: G copies of each prompt as separate requests (one shared prefill per prompt) give each row alone. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void copiesOfAPromptAsSeparateRequestsEachGiveTheirRowAlone(String arch) {
        try (CausalLM lm = CausalLM.load(Fixtures.model(arch, "policy"))) {
            assertTrue(DecodeScript.applies(lm.model()), arch + ": the scripted path serves the float32 fixture");
            List<long[]> rows = new ArrayList<>();
            for (String p : List.of("Q: 5+5=", "the cat sat", "a")) for (int g = 0; g < 4; g++) rows.add(lm.encodePrompt(p));
            GenerationConfig cfg = GenerationConfig.sample(12, 1.0, 0, 1.0, 7L);
            List<Generation> batch = lm.generateIds(rows, cfg);
            boolean differ = false;
            for (int r = 0; r < rows.size(); r++) {
                GenerationRequest req = new GenerationRequest(rows.get(r), GenerationRequest.itemSeed(7L, r));
                Completion alone = lm.complete(List.of(req), cfg.withSamples(1).withMaxBatch(1)).get(0).get(0);
                assertArrayEquals(alone.tokenIds(), batch.get(r).newIds(), "row " + r + ": alone vs with its copies");
                if (r % 4 > 0 && !Arrays.equals(batch.get(r).newIds(), batch.get(r - 1).newIds())) differ = true;
            }
            assertTrue(differ, "the copies of a prompt sample different completions");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "qwen2"})
    void logpsAreTheRawModelLogpsOfATeacherForcedPass(String arch) {
        try (CausalLM lm = CausalLM.load(Fixtures.model(arch, "policy"))) {
            assertTrue(DecodeScript.applies(lm.model()), arch + ": the scripted path serves the float32 fixture");
            List<GenerationRequest> reqs = List.of(new GenerationRequest(lm.encodePrompt("the cat"), 1L),
                    new GenerationRequest(lm.encodePrompt("Q: 5+5="), 2L));
            GenerationConfig cfg = new GenerationConfig(12, false, 0.7, 40, 0.95, 0L, false).withSamples(2);
            List<TokenizedSequence> seqs = new ArrayList<>();
            List<Completion> all = new ArrayList<>();
            for (List<Completion> cs : lm.complete(reqs, cfg)) {
                for (Completion c : cs) {
                    seqs.add(new TokenizedSequence(c.promptIds(), c.tokenIds()));
                    all.add(c);
                }
            }
            List<SequenceLogps> forced = lm.logpsOfIds(seqs, 8, true);
            for (int i = 0; i < all.size(); i++) {
                assertArrayEquals(forced.get(i).tokenLogps(), all.get(i).logps(), 2e-5, arch + " sample " + i);
                assertEquals(forced.get(i).sum(), all.get(i).sumLogp(), 1e-4);
            }
        }
    }

    /**
     * Prefill by groups of prompts (forced: a fixed cost of 1 multiply-add per pass cuts the batch at every distinct
     * length) gives what one padded batch gives: transformers' greedy ids, and the same samples and log-probs; the
     * groups themselves are the cost-minimising cut of a hand-checked example.
     */
    @Test
    void groupedPrefillGivesThePaddedBatchsResults() {
        JsonNode greedy = Fixtures.expected("gpt2").get("greedy");
        double saved = BatchGeneration.forwardOverhead;
        try (CausalLM lm = CausalLM.load(Fixtures.model("gpt2", "policy"))) {
            List<GenerationRequest> reqs = new ArrayList<>();
            List<long[]> want = new ArrayList<>();
            for (JsonNode g : greedy) {
                reqs.add(new GenerationRequest(lm.encodePrompt(g.get("prompt").asText()), 0L));
                want.add(Fixtures.longs(g.get("greedy_new_ids")));
            }
            List<String> more = List.of("the cat", "Q: 5+5=", "a", "hello there, how are you");
            List<GenerationRequest> sreqs = new ArrayList<>();
            for (int i = 0; i < more.size(); i++) sreqs.add(new GenerationRequest(lm.encodePrompt(more.get(i)), 100 + i));
            GenerationConfig sampled = new GenerationConfig(12, false, 1.0, 0, 1.0, 0L, false).withSamples(2);
            BatchGeneration.forwardOverhead = 0;
            List<List<Completion>> one = lm.complete(sreqs, sampled);
            BatchGeneration.forwardOverhead = 1;
            List<GenerationRequest> sorted = new ArrayList<>(sreqs);
            sorted.sort(java.util.Comparator.comparingInt(GenerationRequest::length));
            assertTrue(BatchGeneration.prefillGroups(lm.model(), sorted).length == 4, "one group per distinct length");
            List<List<Completion>> grouped = lm.complete(sreqs, sampled);
            for (int i = 0; i < sreqs.size(); i++) {
                for (int k = 0; k < 2; k++) {
                    assertArrayEquals(one.get(i).get(k).tokenIds(), grouped.get(i).get(k).tokenIds(), "prompt " + i + " sample " + k);
                    assertArrayEquals(one.get(i).get(k).logps(), grouped.get(i).get(k).logps(), 1e-5);
                }
            }
            List<List<Completion>> out = lm.complete(reqs, GenerationConfig.greedy(16).withSamples(2));
            for (int i = 0; i < reqs.size(); i++) {
                for (Completion c : out.get(i)) assertArrayEquals(want.get(i), c.tokenIds(), "greedy ids of prompt " + i);
            }
        } finally {
            BatchGeneration.forwardOverhead = saved;
        }
    }

    @Test
    void prefillGroupsMinimiseProductsPlusAFixedCostPerPass() {
        try (CausalLM lm = CausalLM.load(Fixtures.model("gpt2", "policy"))) {
            ModelConfig c = lm.config();
            double perToken = 12.0 * c.numLayers() * c.hiddenSize() * c.hiddenSize();
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int len : new int[] {2, 3, 20, 21}) reqs.add(new GenerationRequest(new long[len], 0L));
            double saved = BatchGeneration.forwardOverhead;
            try {
                // one pass: 4 x 21 = 84 padded tokens; {2,3},{20,21}: 6 + 42 = 48 tokens and one more pass; each
                // further cut saves 1 or 2 tokens. A pass of 20 tokens' cost: two groups (84 + 20 > 48 + 40).
                BatchGeneration.forwardOverhead = 20 * perToken / c.numLayers();
                assertArrayEquals(new int[] {2, 4}, BatchGeneration.prefillGroups(lm.model(), reqs));
                // a pass of 40 tokens' cost: one group (84 + 40 < 48 + 80)
                BatchGeneration.forwardOverhead = 40 * perToken / c.numLayers();
                assertArrayEquals(new int[] {4}, BatchGeneration.prefillGroups(lm.model(), reqs));
            } finally {
                BatchGeneration.forwardOverhead = saved;
            }
        }
    }

    /**
     * Unfiltered sampling, where the engine draws (the GPT-2 scripted step): every token is what {@link Sampler#draw}
     * picks, with the sample's own generator, from the softmax of a teacher-forced pass's logits / temperature. A
     * draw whose u·mass falls within 1e-4 of the mass of a running-sum boundary is skipped: the teacher-forced logits
     * differ from the cached ones by float rounding.
     */
    @ParameterizedTest
    @ValueSource(doubles = {1.0, 0.8})
    void unfilteredSamplesAreTheHostDrawFromTheModelsProbabilities(double temperature) {
        try (CausalLM lm = CausalLM.load(Fixtures.model("gpt2", "policy"));
             ai.djl.ndarray.NDManager m = lm.model().manager().newSubManager()) {
            List<GenerationRequest> reqs = List.of(new GenerationRequest(lm.encodePrompt("the cat"), 1L),
                    new GenerationRequest(lm.encodePrompt("Q: 5+5="), 2L), new GenerationRequest(lm.encodePrompt("a"), 3L));
            GenerationConfig cfg = new GenerationConfig(16, false, temperature, 0, 1.0, 0L, false).withSamples(3);
            int v = lm.config().vocabSize(), checked = 0, skipped = 0;
            for (List<Completion> cs : lm.complete(reqs, cfg)) {
                for (Completion c : cs) {
                    long[] ids = new TokenizedSequence(c.promptIds(), c.tokenIds()).ids();
                    int t = ids.length, p = c.promptIds().length;
                    long[] pos = new long[t];
                    boolean[] valid = new boolean[t];
                    for (int j = 0; j < t; j++) {
                        pos[j] = j;
                        valid[j] = true;
                    }
                    ai.djl.ndarray.NDArray h = lm.model().forward(m, ids, pos, valid, 1, null);
                    float[] probs = lm.model().logits(h.reshape(t, lm.config().hiddenSize())).div((float) temperature).softmax(-1).toFloatArray();
                    Random rng = new Random(c.seed());
                    for (int j = 0; j < c.tokenIds().length; j++) {
                        double u = rng.nextDouble();
                        int off = (p - 1 + j) * v;
                        double total = 0;
                        for (int i = 0; i < v; i++) total += probs[off + i];
                        double target = u * total, cum = 0, gap = Double.MAX_VALUE;
                        for (int i = 0; i < v; i++) {
                            cum += probs[off + i];
                            gap = Math.min(gap, Math.abs(cum - target));
                        }
                        if (gap < 1e-4 * total) {
                            skipped++;
                            continue;
                        }
                        assertEquals(Sampler.draw(probs, off, v, cfg, u), c.tokenIds()[j], "sample " + c.sample() + " token " + j);
                        checked++;
                    }
                }
            }
            assertTrue(checked >= 120 && skipped <= 10, checked + " draws checked, " + skipped + " skipped");
        }
    }

    // ---- the filters against hand-derived distributions -------------------------------------------------------

    private static final float[] P = {0.05f, 0.10f, 0.15f, 0.30f, 0.40f};

    /** Fraction of a fine grid of u mapped to each token: exactly p_i / (kept mass) up to the grid step. */
    private static double[] frequencies(GenerationConfig cfg) {
        int grid = 200_000;
        double[] f = new double[P.length];
        for (int j = 0; j < grid; j++) f[Sampler.draw(P, 0, P.length, cfg, (j + 0.5) / grid)] += 1.0 / grid;
        return f;
    }

    private static GenerationConfig cfg(int topK, double topP, double minP) {
        return new GenerationConfig(1, false, 1.0, topK, topP, 0L, false).withMinP(minP);
    }

    private static void assertDistribution(double[] want, GenerationConfig c) {
        assertArrayEquals(want, frequencies(c), 1e-4, c.toString());
    }

    @Test
    void topKTopPAndMinPKeepTheHandDerivedSets() {
        // no filter: the probabilities themselves
        assertDistribution(new double[] {.05, .10, .15, .30, .40}, cfg(0, 1, 0));
        // top-k 2: {.3, .4} renormalised by .7
        assertDistribution(new double[] {0, 0, 0, .3 / .7, .4 / .7}, cfg(2, 1, 0));
        // top-p .75: ascending cumulative .05, .15 <= 1 - .75 = .25 are dropped; .30 > .25 keeps .15 and above
        assertDistribution(new double[] {0, 0, .15 / .85, .30 / .85, .40 / .85}, cfg(0, .75, 0));
        // top-p .65: cumulative .05, .15, .30 <= .35 dropped (the .15 with them), .60 > .35 keeps {.3, .4}
        assertDistribution(new double[] {0, 0, 0, .3 / .7, .4 / .7}, cfg(0, .65, 0));
        // min-p .3: keep p >= .3 * .4 = .12
        assertDistribution(new double[] {0, 0, .15 / .85, .30 / .85, .40 / .85}, cfg(0, 1, .3));
        // min-p .5: keep p >= .2
        assertDistribution(new double[] {0, 0, 0, .3 / .7, .4 / .7}, cfg(0, 1, .5));
        // top-k 4 {.1,.15,.3,.4} (mass .95), then top-p .9 over it: cut .1 * .95 = .095 < .1, all four stay,
        // then min-p .3 (>= .12) drops the .1: {.15, .3, .4}
        assertDistribution(new double[] {0, 0, .15 / .85, .30 / .85, .40 / .85}, cfg(4, .9, .3));
        // top-k 4 then top-p .85: cut .15 * .95 = .1425: .1 dropped (<= .1425), .25 > .1425 keeps .15 and above
        assertDistribution(new double[] {0, 0, .15 / .85, .30 / .85, .40 / .85}, cfg(4, .85, 0));
        // top-k 1 and a tiny top-p are greedy
        assertDistribution(new double[] {0, 0, 0, 0, 1}, cfg(1, 1, 0));
        assertDistribution(new double[] {0, 0, 0, 0, 1}, cfg(0, 1e-9, 0));
    }

    @Test
    void topPPruningMatchesAFullSortOnRandomRows() {
        Random rng = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int v = 2 + rng.nextInt(300);
            float[] p = new float[v];
            double s = 0;
            double scale = rng.nextDouble() * 8;
            for (int i = 0; i < v; i++) s += p[i] = (float) Math.exp(scale * rng.nextGaussian());
            for (int i = 0; i < v; i++) p[i] /= (float) s;
            double topP = 0.05 + 0.95 * rng.nextDouble();
            int topK = rng.nextBoolean() ? 0 : 1 + rng.nextInt(v);
            GenerationConfig c = cfg(topK, topP, 0);
            // reference: sort all, drop ascending while cumulative <= (1 - topP) * mass of the top-k set
            float[] sorted = p.clone();
            Arrays.sort(sorted);
            float kth = topK > 0 && topK < v ? sorted[v - topK] : 0f;
            double mass = 0;
            for (float x : p) if (x >= kth) mass += x;
            double cum = 0, keep = 0;
            for (float x : sorted) {
                if (x < kth) continue;
                cum += x;
                if (cum > (1 - topP) * mass) {
                    keep = x;
                    break;
                }
            }
            assertEquals(Math.max(kth, keep), Sampler.threshold(p, 0, v, c), 0.0, "trial " + trial);
            assertEquals(kth == 0f ? sorted[0] : kth, topK > 0 && topK < v ? Sampler.kthLargest(p, 0, v, topK) : sorted[0], 0.0);
        }
    }
}
