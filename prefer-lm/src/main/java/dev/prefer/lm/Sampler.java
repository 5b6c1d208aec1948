package dev.prefer.lm;

import java.util.Arrays;
import java.util.Random;

/**
 * Picks the next token from one row of logits on the host: arg-max, or temperature, top-k, top-p (Holtzman et al.
 * 2020, "nucleus" sampling) and a draw from the renormalised softmax. Ties in arg-max go to the lowest id, as
 * {@code torch.argmax} does.
 */
final class Sampler {
    private Sampler() {}

    static int argmax(float[] logits, int offset, int v) {
        int best = 0;
        float bestVal = logits[offset];
        for (int i = 1; i < v; i++) {
            float x = logits[offset + i];
            if (x > bestVal) {
                bestVal = x;
                best = i;
            }
        }
        return best;
    }

    static int choose(float[] logits, int offset, int v, GenerationConfig cfg, Random rng) {
        if (cfg.greedy()) return argmax(logits, offset, v);
        double[] z = new double[v];
        for (int i = 0; i < v; i++) z[i] = logits[offset + i] / cfg.temperature();
        boolean[] keep = new boolean[v];
        Arrays.fill(keep, true);
        if (cfg.topK() > 0 && cfg.topK() < v) {
            double[] sorted = z.clone();
            Arrays.sort(sorted);
            double kth = sorted[v - cfg.topK()];
            for (int i = 0; i < v; i++) if (z[i] < kth) keep[i] = false;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) if (keep[i]) max = Math.max(max, z[i]);
        double[] p = new double[v];
        double total = 0;
        for (int i = 0; i < v; i++) {
            p[i] = keep[i] ? Math.exp(z[i] - max) : 0;
            total += p[i];
        }
        for (int i = 0; i < v; i++) p[i] /= total;
        if (cfg.topP() < 1) {
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
            double cum = 0;
            boolean[] nucleus = new boolean[v];
            for (int r = 0; r < v; r++) {
                int i = order[r];
                if (p[i] == 0) break;
                nucleus[i] = true;
                cum += p[i];
                if (cum >= cfg.topP()) break;
            }
            total = 0;
            for (int i = 0; i < v; i++) {
                if (!nucleus[i]) p[i] = 0;
                total += p[i];
            }
            for (int i = 0; i < v; i++) p[i] /= total;
        }
        double u = rng.nextDouble();
        double cum = 0;
        int last = -1;
        for (int i = 0; i < v; i++) {
            if (p[i] <= 0) continue;
            last = i;
            cum += p[i];
            if (u < cum) return i;
        }
        return last;
    }
}
