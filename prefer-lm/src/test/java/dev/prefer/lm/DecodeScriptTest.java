package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scripted decoding step's own draw against the host's {@link Sampler#draw} on the very rows the same step
 * returns for host-side sampling (the step is repeated at the same cache slot: it writes the same keys and values,
 * so both calls see the same state). Exact equality: the engine's float64 running sums are the host loop's.
 */
class DecodeScriptTest {

    @Test
    void theEngineDrawIsTheHostDrawOnTheSameProbabilities() {
        try (CausalLM lm = CausalLM.load(Fixtures.model("gpt2", "policy"))) {
            Transformer model = lm.model();
            if (!DecodeScript.applies(model)) throw new AssertionError("the scripted step must serve the float32 GPT-2 fixture");
            int v = model.config().vocabSize();
            long[][] prompts = {lm.encodePrompt("the cat"), lm.encodePrompt("Q: 5+5="), lm.encodePrompt("a")};
            int b = prompts.length, lmax = 0;
            for (long[] p : prompts) lmax = Math.max(lmax, p.length);
            int steps = 6, smax = lmax + steps + 1;
            long[] ids = new long[b * lmax], pos = new long[b * lmax], offs = new long[b];
            boolean[] valid = new boolean[b * lmax];
            for (int r = 0; r < b; r++) {
                offs[r] = lmax - prompts[r].length;
                for (int j = 0; j < lmax; j++) {
                    ids[r * lmax + j] = j < offs[r] ? 0 : prompts[r][(int) (j - offs[r])];
                    pos[r * lmax + j] = Math.max(0, j - offs[r]);
                    valid[r * lmax + j] = j >= offs[r];
                }
            }
            boolean grad = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            Random rng = new Random(7);
            GenerationConfig plain = new GenerationConfig(steps, false, 1.0, 0, 1.0, 0L, false);
            int checked = 0;
            try (NDManager m = model.manager().newSubManager(); Transformer.KvCache cache = model.newCache(m)) {
                model.forward(m, ids, pos, valid, b, cache, lmax - 1);
                DecodeScript script = DecodeScript.from(model, cache, smax, offs, m);
                long[] next = {prompts[0][0], prompts[1][0], prompts[2][0]};
                try {
                    for (int n = 1; n <= steps; n++) {
                        long[] stepPos = new long[b];
                        for (int r = 0; r < b; r++) stepPos[r] = prompts[r].length + n - 1;
                        for (double temperature : new double[] {1.0, 0.7}) {
                            DecodeScript.Out host = script.step(next, stepPos, lmax + n, temperature, false, null);
                            assertNull(host.chosen());
                            // edge uniforms and random ones; 1.0 (never drawn) passes every running sum: the engine
                            // returns V and the host's fallback takes the last token with mass
                            double[][] us = {{0.0, 0.0, 0.0}, {Math.nextDown(1.0), Math.nextDown(1.0), Math.nextDown(1.0)}, {1.0, 0.5, 1.0},
                                    {rng.nextDouble(), rng.nextDouble(), rng.nextDouble()}, {rng.nextDouble(), rng.nextDouble(), rng.nextDouble()}};
                            for (double[] u : us) {
                                DecodeScript.Out eng = script.step(next, stepPos, lmax + n, temperature, false, u);
                                assertNotNull(eng.chosen());
                                for (int r = 0; r < b; r++) {
                                    int want = Sampler.draw(host.probs(), r * v, v, plain, u[r]);
                                    assertEquals(want, eng.chosen()[r], "step " + n + " row " + r + " u " + u[r] + " T " + temperature);
                                    assertEquals(host.logSoftmax()[r * v + want], eng.chosenLogp()[r], 0f, "log-prob, step " + n + " row " + r);
                                    checked++;
                                }
                            }
                        }
                        DecodeScript.Out greedy = script.step(next, stepPos, lmax + n, 1.0, true, null);
                        DecodeScript.Out host = script.step(next, stepPos, lmax + n, 1.0, false, null);
                        long[] arg = new long[b];
                        for (int r = 0; r < b; r++) {
                            arg[r] = Sampler.argmax(host.logSoftmax(), r * v, v);
                            assertEquals(host.logSoftmax()[(int) (r * v + arg[r])], greedy.chosenLogp()[r], 0f);
                        }
                        assertArrayEquals(arg, greedy.chosen(), "greedy, step " + n);
                        next = greedy.chosen();
                    }
                } finally {
                    script.close();
                }
            } finally {
                JniUtils.setGradMode(grad);
            }
            assertTrue(checked == 6 * 2 * 5 * 3, checked + " draws");
        }
    }

    /**
     * The LM head multiplied in pieces ({@code prefer.headChunkBytes}; the fixture's head is small enough to be one
     * piece by default) gives the one-product step's ids and log-probs: pieces of 7 rows, the last one shorter.
     */
    @Test
    void theSplitHeadGivesTheWholeProductsLogits() {
        try (CausalLM lm = CausalLM.load(Fixtures.model("gpt2", "policy"))) {
            Transformer model = lm.model();
            int v = model.config().vocabSize(), d = model.config().hiddenSize();
            assertTrue(DecodeScript.headChunkRows(d, v) == v, "the fixture's head is one piece by default");
            long[] prompt = lm.encodePrompt("Q: 5+5=");
            float[][] lsm = new float[2][];
            long[][] chosen = new long[2][];
            boolean grad = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try {
                for (int k = 0; k < 2; k++) {
                    if (k == 1) System.setProperty("prefer.headChunkBytes", Long.toString(7L * 4 * d));
                    assertEquals(k == 0 ? v : 7, DecodeScript.headChunkRows(d, v));
                    try (NDManager m = model.manager().newSubManager(); Transformer.KvCache cache = model.newCache(m)) {
                        int t = prompt.length;
                        long[] pos = new long[t];
                        boolean[] valid = new boolean[t];
                        for (int j = 0; j < t; j++) {
                            pos[j] = j;
                            valid[j] = true;
                        }
                        model.forward(m, prompt, pos, valid, 1, cache, t - 1);
                        DecodeScript script = DecodeScript.from(model, cache, t + 4, new long[] {0}, m);
                        try {
                            DecodeScript.Out host = script.step(new long[] {prompt[t - 1]}, new long[] {t}, t + 1, 1.0, false, null);
                            lsm[k] = host.logSoftmax();
                            chosen[k] = script.step(new long[] {prompt[t - 1]}, new long[] {t}, t + 1, 1.0, false, new double[] {0.5}).chosen();
                        } finally {
                            script.close();
                        }
                    } finally {
                        System.clearProperty("prefer.headChunkBytes");
                    }
                }
            } finally {
                JniUtils.setGradMode(grad);
            }
            assertEquals(v, lsm[1].length);
            for (int i = 0; i < v; i++) assertEquals(lsm[0][i], lsm[1][i], 1e-5f, "log-prob of id " + i);
            assertArrayEquals(chosen[0], chosen[1]);
        }
    }
}
