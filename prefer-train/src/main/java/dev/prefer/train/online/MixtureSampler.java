package dev.prefer.train.online;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Generation;
import dev.prefer.lm.Transformer;
import dev.prefer.objectives.online.GeometricMixture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Samples from Nash-MD's geometric mixture of the policy and the reference (Munos et al. 2024, arXiv 2312.00886;
 * TRL's {@code GeometricMixtureWrapper}, trl/experimental/nash_md/nash_md_trainer.py @f2cd577 L80-89): at each step
 * both models run one token on their own KV cache and the next token is drawn from
 * softmax(log_softmax(α·logits_ref + (1 − α)·logits_θ) / temperature) ({@link GeometricMixture}). It uses only the
 * public {@link Transformer} API (caches, forward, LM head), all rows in one batch with left-padded prompts (pad
 * keys masked); rows that reach the end-of-sequence token stop. Each row draws from its own generator seeded by
 * (seed, row), so its tokens do not depend on the rest of the batch. Top-k and top-p are not applied.
 */
final class MixtureSampler {
    private MixtureSampler() {}

    /** One completion per row of {@code prompts}, all rows decoded together (prompts left-padded). */
    static List<Generation> sample(CausalLM policy, CausalLM reference, List<long[]> prompts, int maxNewTokens, double temperature,
                                   double alpha, long seed) {
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0");
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return run(policy, reference, prompts, maxNewTokens, temperature, alpha, seed);
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    private static NDManager managerOf(CausalLM lm) {
        return lm.model().parameters().values().iterator().next().getManager();
    }

    private static List<Generation> run(CausalLM policy, CausalLM reference, List<long[]> prompts, int maxNew, double temperature,
                                        double alpha, long seed) {
        int g = prompts.size(), v = policy.config().vocabSize();
        if (reference.config().vocabSize() != v) throw new IllegalArgumentException("policy and reference vocabularies differ");
        int eos = policy.tokenizer().specialTokens().eosId();
        long padId = Math.max(0, policy.tokenizer().specialTokens().padId());
        int pmax = 0;
        for (long[] p : prompts) pmax = Math.max(pmax, p.length);
        int[] pad = new int[g];
        SplittableRandom[] rng = new SplittableRandom[g];
        for (int r = 0; r < g; r++) {
            pad[r] = pmax - prompts.get(r).length;
            rng[r] = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L * (r + 1L));
        }
        long[][] tokens = new long[g][maxNew];
        int[] len = new int[g];
        boolean[] done = new boolean[g], atEos = new boolean[g];
        try (NDManager sp = managerOf(policy).newSubManager(); NDManager sr = managerOf(reference).newSubManager()) {
            Transformer.KvCache cp = policy.model().newCache(sp), cr = reference.model().newCache(sr);
            long[] ids = new long[g * pmax], pos = new long[g * pmax];
            for (int r = 0; r < g; r++) {
                long[] p = prompts.get(r);
                for (int j = 0; j < pmax; j++) {
                    ids[r * pmax + j] = j < pad[r] ? padId : p[j - pad[r]];
                    pos[r * pmax + j] = Math.max(0, j - pad[r]); // left pads: never attended to
                }
            }
            int t = pmax;
            for (int k = 0; k < maxNew; k++) {
                double[] mix;
                int s = pmax + k;
                boolean[] valid = new boolean[g * s];
                for (int r = 0; r < g; r++) for (int j = pad[r]; j < s; j++) valid[r * s + j] = true;
                try (NDManager a = sp.newSubManager(); NDManager b = sr.newSubManager()) {
                    NDArray lp = lastLogits(a, policy, ids, pos, valid, g, t, cp);  // (g, V)
                    NDArray lr = lastLogits(b, reference, ids, pos, valid, g, t, cr); // (g, V)
                    NDArray lrHere = lr.toType(DataType.FLOAT64, true);
                    lrHere.attach(a);
                    mix = GeometricMixture.logProbs(lp.toType(DataType.FLOAT64, true), lrHere, alpha).toDoubleArray(); // (g, V)
                }
                for (int r = 0; r < g; r++) {
                    if (done[r]) continue;
                    long tok = draw(mix, r * v, v, temperature, rng[r]);
                    tokens[r][len[r]++] = tok;
                    if (tok == eos) {
                        done[r] = true;
                        atEos[r] = true;
                    }
                }
                boolean all = true;
                for (boolean d : done) all &= d;
                if (all || k + 1 == maxNew) break;
                ids = new long[g];
                pos = new long[g];
                for (int r = 0; r < g; r++) {
                    ids[r] = done[r] ? padId : tokens[r][len[r] - 1]; // finished rows feed a token never read
                    pos[r] = prompts.get(r).length + k;
                }
                t = 1;
            }
            cp.close();
            cr.close();
        }
        List<Generation> out = new ArrayList<>(g);
        for (int r = 0; r < g; r++) {
            long[] nw = Arrays.copyOf(tokens[r], len[r]);
            out.add(new Generation(prompts.get(r), nw, policy.tokenizer().decode(nw, true), atEos[r]));
        }
        return out;
    }

    /** (g, V) logits at the last new position, after appending {@code ids} to the cache. */
    private static NDArray lastLogits(NDManager step, CausalLM lm, long[] ids, long[] pos, boolean[] valid, int g, int t, Transformer.KvCache cache) {
        NDArray hidden = lm.model().forward(step, ids, pos, valid, g, cache, t - 1); // (g, 1, D)
        return lm.model().logits(hidden.reshape(g, lm.config().hiddenSize()));
    }

    /** A token from softmax(logProbs / temperature) of one row, by inverse CDF with a max shift. */
    static int draw(double[] logProbs, int off, int v, double temperature, SplittableRandom rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) max = Math.max(max, logProbs[off + j] / temperature);
        double[] w = new double[v];
        double z = 0;
        for (int j = 0; j < v; j++) {
            w[j] = Math.exp(logProbs[off + j] / temperature - max);
            z += w[j];
        }
        double u = rng.nextDouble() * z, c = 0;
        for (int j = 0; j < v; j++) {
            c += w[j];
            if (u < c) return j;
        }
        int last = v - 1;
        while (last > 0 && w[last] == 0) last--;
        return last;
    }
}
