package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Scripted decoding of a model with LoRA deltas (merged copies W + s·B·A, {@link MergedWeights}) against the
 * composite path (x·W^T + s·(x·A^T)·B^T through {@link Transformer.LinearDelta#apply}) on the same adapters: the same
 * ids and log-probs within 5e-5 (the two differ by float rounding only: 9.5e-6 measured here, about ten float32 units
 * of a log-prob near −8; 5e-5 leaves room for another CPU's kernels), greedy and sampled (engine's and host's
 * draw), three samples per prompt, rows leaving early; a stale merge after an in-place adapter update is not used;
 * the copies are freed after each generation call; configurations the script does not serve keep the composite path.
 * The adapters are PEFT's LoRA as prefer-train's {@code Lora} attaches them (rank 4, alpha 8: s = 2), with a random
 * non-zero B so that they change the numbers.
 */
class LoraDecodeTest {
    /** Largest |scripted − composite| log-prob seen (printed: the tolerance's margin). */
    private static double maxSeen;

    /** A test twin of prefer-train's Lora delta: s·(x A^T) B^T. */
    static final class Adapter implements Transformer.LowRankDelta {
        final NDArray a, b;
        final double s;
        boolean dropout;

        Adapter(NDArray a, NDArray b, double s) {
            this.a = a;
            this.b = b;
            this.s = s;
        }

        @Override
        public NDArray apply(NDArray x) {
            NDArray h = Linear.linear(x, a).singletonOrThrow(); // (…, r)
            NDArray y = Linear.linear(h, b).singletonOrThrow(); // (…, out)
            return y.mul(Transformer.constant(y, s));
        }

        @Override
        public NDArray a() {
            return a;
        }

        @Override
        public NDArray b() {
            return b;
        }

        @Override
        public double scale() {
            return s;
        }

        @Override
        public boolean linearNow() {
            return !dropout;
        }
    }

    /** Rank-4 adapters on every 2-D linear weight whose last name part is in {@code targets} (null: all linear modules). */
    static List<Adapter> attach(Transformer model, List<String> targets, NDManager m, long seed) {
        Random rng = new Random(seed);
        List<Adapter> out = new ArrayList<>();
        boolean conv = model.config().architecture().fanInFanOut();
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            String n = e.getKey();
            if (!n.endsWith(".weight") || e.getValue().getShape().dimension() != 2) continue;
            String module = n.substring(0, n.length() - ".weight".length());
            String last = module.substring(module.lastIndexOf('.') + 1);
            if (module.endsWith("wte") || module.endsWith("wpe") || module.endsWith("embed_tokens") || module.equals("lm_head")) continue;
            if (targets != null && !targets.contains(last)) continue;
            long[] s = e.getValue().getShape().getShape();
            int in = (int) (conv ? s[0] : s[1]), outDim = (int) (conv ? s[1] : s[0]), r = 4;
            float[] a = new float[r * in], b = new float[outDim * r];
            for (int i = 0; i < a.length; i++) a[i] = (float) ((rng.nextDouble() * 2 - 1) / Math.sqrt(in));
            for (int i = 0; i < b.length; i++) b[i] = (float) ((rng.nextDouble() * 2 - 1) * 0.3);
            Adapter ad = new Adapter(m.create(a, new Shape(r, in)).duplicate(), m.create(b, new Shape(outDim, r)).duplicate(), 8.0 / r);
            model.setLinearDelta(module, ad);
            out.add(ad);
        }
        assertFalse(out.isEmpty());
        return out;
    }

    private static List<GenerationRequest> requests(CausalLM lm) {
        List<GenerationRequest> reqs = new ArrayList<>();
        List<String> prompts = List.of("the cat", "Q: 5+5=", "a", "hello there, how are you");
        for (int i = 0; i < prompts.size(); i++) reqs.add(new GenerationRequest(lm.encodePrompt(prompts.get(i)), 40 + i));
        return reqs;
    }

    @ParameterizedTest
    @CsvSource({"gpt2, default", "gpt2, all", "llama, default", "llama, all"})
    void mergedWeightsGiveTheCompositePathsIdsAndLogps(String arch, String targets) {
        try (CausalLM lm = CausalLM.load(Fixtures.model(arch, "policy")); NDManager m = lm.model().manager().newSubManager()) {
            List<GenerationRequest> reqs = requests(lm);
            List<String> stop = List.of("e");
            GenerationConfig greedy = GenerationConfig.greedy(12).withSamples(3).withStop(stop);
            GenerationConfig engineDraw = new GenerationConfig(12, false, 1.0, 0, 1.0, 0L, false).withSamples(3).withStop(stop);
            GenerationConfig hostDraw = new GenerationConfig(12, false, 1.2, 0, 0.9, 0L, false).withSamples(3).withStop(stop);
            List<List<Completion>> base = lm.complete(reqs, greedy);
            attach(lm.model(), targets.equals("all") ? null : lm.config().architecture().loraTargets(), m, 11);
            assertTrue(DecodeScript.applies(lm.model()), arch + ": the scripted step serves float32 LoRA");
            int early = 0, full = 0;
            double changed = 0;
            for (GenerationConfig cfg : List.of(greedy, engineDraw, hostDraw)) {
                List<List<Completion>> want = composite(lm, reqs, cfg);
                int merges = MergedWeights.MERGES.get();
                List<List<Completion>> got = lm.complete(reqs, cfg.withMaxBatch(7)); // two waves: one merge for both
                assertEquals(merges + 1, MergedWeights.MERGES.get(), "one merge per generation call");
                assertFalse(MergedWeights.held(lm.model()), "the copies are freed when the call ends");
                for (int i = 0; i < reqs.size(); i++) {
                    for (int k = 0; k < 3; k++) {
                        String at = arch + " " + targets + " " + cfg + " prompt " + i + " sample " + k;
                        Completion w = want.get(i).get(k), g = got.get(i).get(k);
                        assertSameCompletion(w, g, at);
                        if (w.finishReason() == Completion.FinishReason.STOP) early++;
                        else full++;
                        if (cfg == greedy) changed = Math.max(changed, Math.abs(w.logps()[0] - base.get(i).get(k).logps()[0]));
                    }
                }
            }
            assertTrue(early > 0 && full > 0, arch + ": rows left early (" + early + ") and others ran on (" + full + ")");
            assertTrue(changed > 1e-3, arch + ": the adapters change the first token's log-prob (" + changed + ")");
            System.out.println("LoraDecodeTest " + arch + " " + targets + ": max |scripted - composite| log-prob so far " + maxSeen);
        }
    }

    /** An in-place adapter update (an optimizer step) makes the next call merge again: never the old adapters' numbers. */
    @Test
    void anInPlaceAdapterUpdateIsNotServedFromAStaleMerge() {
        try (CausalLM lm = CausalLM.load(Fixtures.model("llama", "policy")); NDManager m = lm.model().manager().newSubManager()) {
            List<Adapter> ads = attach(lm.model(), lm.config().architecture().loraTargets(), m, 5);
            List<GenerationRequest> reqs = requests(lm);
            GenerationConfig greedy = GenerationConfig.greedy(8).withSamples(2);
            // the cache itself: reused while nothing moves, merged again after an in-place update
            MergedWeights w1 = MergedWeights.of(lm.model());
            MergedWeights w2 = MergedWeights.of(lm.model());
            assertSame(w1, w2);
            List<List<Completion>> before = lm.complete(reqs, greedy);
            for (Adapter a : ads) a.b.muli(Transformer.constant(a.b, -1.5)); // in place: same arrays, new versions
            MergedWeights w3 = MergedWeights.of(lm.model());
            assertNotSame(w1, w3, "an in-place update of B invalidates the merge");
            w1.release();
            w2.release();
            w3.release();
            List<List<Completion>> after = lm.complete(reqs, greedy);
            List<List<Completion>> want = composite(lm, reqs, greedy);
            double moved = 0;
            for (int i = 0; i < reqs.size(); i++) {
                for (int k = 0; k < 2; k++) {
                    assertSameCompletion(want.get(i).get(k), after.get(i).get(k), "after the update, prompt " + i);
                    moved = Math.max(moved, Math.abs(before.get(i).get(k).logps()[0] - after.get(i).get(k).logps()[0]));
                }
            }
            assertTrue(moved > 1e-3, "the update changes the log-probs (" + moved + "), so a stale merge would be seen");
        }
    }

    /**
     * GPT-2 with LoRA, packed for a generation call by {@link DecodeScript#packNow} (as the online trainer does): the
     * oneDNN-packed merged copies give the composite path's ids and log-probs; after an in-place update a new pack
     * follows the new adapters; a wave never packs merged copies on its own (they change with every step).
     */
    @Test
    void packedMergedWeightsFollowTheAdapters() {
        int width = DecodeScript.packMinWidth, steps = DecodeScript.packMinSteps;
        DecodeScript.packMinWidth = 0;
        DecodeScript.packMinSteps = 0;
        try (CausalLM lm = CausalLM.load(Fixtures.model("gpt2", "policy")); NDManager m = lm.model().manager().newSubManager()) {
            List<Adapter> ads = attach(lm.model(), null, m, 21);
            List<GenerationRequest> reqs = requests(lm);
            GenerationConfig cfg = new GenerationConfig(10, false, 1.0, 0, 1.0, 0L, false).withSamples(2);
            int packs = DecodeScript.Packed.PACKS.get();
            lm.complete(reqs, cfg);
            assertEquals(packs, DecodeScript.Packed.PACKS.get(), "a wave does not pack merged copies on its own");
            for (int round = 0; round < 2; round++) {
                assertTrue(DecodeScript.packNow(lm.model()));
                assertEquals(packs + round + 1, DecodeScript.Packed.PACKS.get());
                List<List<Completion>> packed = lm.complete(reqs, cfg);
                assertEquals(packs + round + 1, DecodeScript.Packed.PACKS.get(), "the call used packNow's pack");
                DecodeScript.dropPack(lm.model());
                List<List<Completion>> want = composite(lm, reqs, cfg);
                for (int i = 0; i < reqs.size(); i++) {
                    for (int k = 0; k < 2; k++) assertSameCompletion(want.get(i).get(k), packed.get(i).get(k), "round " + round + " prompt " + i);
                }
                try (NDManager step = m.newSubManager()) {
                    for (Adapter a : ads) a.b.muli(step.full(new Shape(), -1.3f, DataType.FLOAT32));
                }
            }
        } finally {
            DecodeScript.packMinWidth = width;
            DecodeScript.packMinSteps = steps;
        }
    }

    /** 20 generation calls with adapters changing in between: the model's native arrays do not grow. */
    @Test
    void noCopiesAccumulateOverGenerationCalls() {
        try (CausalLM lm = CausalLM.load(Fixtures.model("gpt2", "policy")); NDManager m = lm.model().manager().newSubManager()) {
            List<Adapter> ads = attach(lm.model(), null, m, 3);
            List<GenerationRequest> reqs = requests(lm);
            GenerationConfig cfg = new GenerationConfig(6, false, 1.0, 0, 1.0, 0L, false).withSamples(2);
            lm.complete(reqs, cfg);
            int arrays = lm.model().manager().getManagedArrays().size();
            int merges = MergedWeights.MERGES.get();
            for (int i = 0; i < 20; i++) {
                try (NDManager step = m.newSubManager()) { // the update's constants go with it
                    for (Adapter a : ads) a.b.addi(step.full(new Shape(), 0.01f, DataType.FLOAT32));
                }
                lm.complete(reqs, cfg);
                assertEquals(arrays, lm.model().manager().getManagedArrays().size(), "arrays after call " + i);
                assertFalse(MergedWeights.held(lm.model()));
            }
            assertEquals(merges + 20, MergedWeights.MERGES.get());
        }
    }

    /** What the merge does not serve keeps the composite path: opaque deltas, dropout on, float16 compute, the switch. */
    @Test
    void unservedConfigurationsKeepTheCompositePath() {
        try (CausalLM lm = CausalLM.load(Fixtures.model("gpt2", "policy")); NDManager m = lm.model().manager().newSubManager()) {
            List<Adapter> ads = attach(lm.model(), null, m, 9);
            assertTrue(DecodeScript.applies(lm.model()));
            ads.get(0).dropout = true;
            assertFalse(DecodeScript.applies(lm.model()), "dropout on: x is not s·(x A^T) B^T");
            ads.get(0).dropout = false;
            lm.model().setComputeType(DataType.FLOAT16);
            assertFalse(DecodeScript.applies(lm.model()), "float16 compute");
            lm.model().setComputeType(null);
            MergedWeights.enabled = false;
            try {
                assertFalse(DecodeScript.applies(lm.model()), "-Dprefer.decodeScriptLora=false");
            } finally {
                MergedWeights.enabled = true;
            }
            Transformer.LinearDelta opaque = x -> x.getManager().zeros(new Shape(1));
            lm.model().setLinearDelta("transformer.h.0.attn.c_attn", opaque);
            assertFalse(DecodeScript.applies(lm.model()), "a delta that is not low-rank");
            assertFalse(DecodeScript.packNow(lm.model()), "no pack without the scripted step");
        }
        for (String arch : new String[] {"gpt2", "llama"}) {
            for (Precision p : new Precision[] {Precision.F16, Precision.BF16}) { // half-precision weights: composite, with or without LoRA
                try (CausalLM lm = CausalLM.load(Fixtures.model(arch, "policy"), p); NDManager m = lm.model().manager().newSubManager()) {
                    attach(lm.model(), null, m, 9);
                    assertFalse(DecodeScript.applies(lm.model()), arch + " " + p);
                }
            }
        }
    }

    private static void assertSameCompletion(Completion want, Completion got, String at) {
        assertArrayEquals(want.tokenIds(), got.tokenIds(), at);
        assertArrayEquals(want.logps(), got.logps(), 5e-5, at);
        assertEquals(want.finishReason(), got.finishReason(), at);
        for (int t = 0; t < want.logps().length; t++) maxSeen = Math.max(maxSeen, Math.abs(want.logps()[t] - got.logps()[t]));
    }

    private static List<List<Completion>> composite(CausalLM lm, List<GenerationRequest> reqs, GenerationConfig cfg) {
        boolean was = DecodeScript.enabled;
        DecodeScript.enabled = false;
        try {
            assertFalse(DecodeScript.applies(lm.model()));
            return lm.complete(reqs, cfg);
        } finally {
            DecodeScript.enabled = was;
        }
    }
}
