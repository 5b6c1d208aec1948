package dev.prefer.lm;

import java.util.Arrays;
import java.util.Random;

/**
 * Picks the next token of one row on the host: arg-max, or a draw from the temperature softmax cut by top-k, top-p
 * (Holtzman et al. 2020, "nucleus" sampling) and min-p (Nguyen et al. 2024), renormalised. Ties in arg-max go to the
 * lowest id, as {@code torch.argmax} does.
 *
 * <p>Every filter keeps the most likely tokens, so together they keep the tokens whose probability reaches one
 * threshold: the largest of the k-th largest probability (top-k; ties at it are kept, as transformers'
 * {@code TopKLogitsWarper} keeps every score >= the k-th), the smallest probability kept by top-p over the top-k set
 * (transformers' {@code TopPLogitsWarper}: sort ascending, drop tokens whose cumulative mass is <= 1 − top-p of the
 * set; ties at the cut are all kept here), and min-p times the largest probability ({@code MinPLogitsWarper}: keep
 * p >= min_p · p_max; the ratio does not depend on renormalisation). The draw walks the kept tokens in id order
 * until the cumulative mass passes u · (kept mass), u uniform in [0, 1) from the row's own generator.
 *
 * <p>Cost per row: O(V) for the draw; top-k adds a k-element heap pass; top-p sorts only the tokens above
 * (1 − top-p)·mass/n (the tokens at or below it are all cut: together they hold at most 1 − top-p of the mass).
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

    /** The draw from raw logits (temperature applied here, in double), one {@code rng.nextDouble()} per call. */
    static int choose(float[] logits, int offset, int v, GenerationConfig cfg, Random rng) {
        if (cfg.greedy()) return argmax(logits, offset, v);
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) max = Math.max(max, logits[offset + i] / cfg.temperature());
        double[] e = new double[v];
        double total = 0;
        for (int i = 0; i < v; i++) {
            e[i] = Math.exp(logits[offset + i] / cfg.temperature() - max);
            total += e[i];
        }
        float[] probs = new float[v];
        for (int i = 0; i < v; i++) probs[i] = (float) (e[i] / total);
        return draw(probs, 0, v, cfg, rng.nextDouble());
    }

    /**
     * Draws one token from a row of probabilities (the softmax of logits / temperature) after top-k, top-p and min-p.
     *
     * @param u uniform in [0, 1)
     */
    static int draw(float[] probs, int offset, int v, GenerationConfig cfg, double u) {
        double thr = cfg.filters() ? threshold(probs, offset, v, cfg) : 0.0;
        double total = 0;
        for (int i = 0; i < v; i++) {
            float p = probs[offset + i];
            if (p >= thr && p > 0) total += p;
        }
        double target = u * total, cum = 0;
        int last = -1;
        for (int i = 0; i < v; i++) {
            float p = probs[offset + i];
            if (p < thr || p <= 0) continue;
            last = i;
            cum += p;
            if (target < cum) return i;
        }
        return last >= 0 ? last : argmax(probs, offset, v);
    }

    /** The smallest probability the filters keep (every token at or above it is kept). */
    static double threshold(float[] probs, int offset, int v, GenerationConfig cfg) {
        double thr = 0;
        if (cfg.topK() > 0 && cfg.topK() < v) thr = kthLargest(probs, offset, v, cfg.topK());
        double pmax = 0;
        for (int i = 0; i < v; i++) pmax = Math.max(pmax, probs[offset + i]);
        if (cfg.topP() < 1) {
            int n = 0;
            double mass = 0;
            for (int i = 0; i < v; i++) {
                float p = probs[offset + i];
                if (p >= thr && p > 0) {
                    n++;
                    mass += p;
                }
            }
            double cut = (1 - cfg.topP()) * mass; // drop the bottom tokens whose cumulative mass stays <= cut
            double delta = cut / n;               // tokens <= delta hold at most n·delta = cut: all dropped
            float[] cand = new float[n];
            int m = 0;
            double small = 0;
            for (int i = 0; i < v; i++) {
                float p = probs[offset + i];
                if (!(p >= thr && p > 0)) continue;
                if (p <= delta) small += p;
                else cand[m++] = p;
            }
            Arrays.sort(cand, 0, m);
            double cum = small;
            double keepFrom = pmax;
            for (int j = 0; j < m; j++) {
                cum += cand[j];
                if (cum > cut) {
                    keepFrom = cand[j];
                    break;
                }
            }
            thr = Math.max(thr, keepFrom);
        }
        if (cfg.minP() > 0) thr = Math.max(thr, cfg.minP() * pmax);
        return thr;
    }

    /** The k-th largest value of the row (a k-element min-heap over one pass). */
    static float kthLargest(float[] x, int offset, int v, int k) {
        float[] heap = new float[k];
        int size = 0;
        for (int i = 0; i < v; i++) {
            float a = x[offset + i];
            if (size < k) {
                int c = size++;
                heap[c] = a;
                while (c > 0) { // sift up
                    int p = (c - 1) >>> 1;
                    if (heap[p] <= heap[c]) break;
                    float t = heap[p];
                    heap[p] = heap[c];
                    heap[c] = t;
                    c = p;
                }
            } else if (a > heap[0]) {
                heap[0] = a;
                int c = 0;
                while (true) { // sift down
                    int l = 2 * c + 1, r = l + 1, s = c;
                    if (l < k && heap[l] < heap[s]) s = l;
                    if (r < k && heap[r] < heap[s]) s = r;
                    if (s == c) break;
                    float t = heap[s];
                    heap[s] = heap[c];
                    heap[c] = t;
                    c = s;
                }
            }
        }
        return heap[0];
    }
}
