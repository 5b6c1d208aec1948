package dev.prefer.reward.backbone;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Feature hashing of lower-cased word unigrams and bigrams into {@code dimension} buckets with a signed hash
 * (Weinberger et al. 2009, "Feature Hashing for Large Scale Multitask Learning", Eq. 1), L2-normalised. No model,
 * no download, microseconds per text: a bag-of-words baseline and the backbone of the fast CLI tests.
 */
public final class HashingBackbone implements Backbone {
    private final int dimension;

    public HashingBackbone(int dimension) {
        if (dimension < 2) throw new IllegalArgumentException("hashing dimension must be >= 2: " + dimension);
        this.dimension = dimension;
    }

    @Override
    public String id() {
        return "hash-" + dimension;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public float[] embed(String text) {
        double[] v = new double[dimension];
        String[] words = text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}']+");
        String prev = null;
        for (String w : words) {
            if (w.isEmpty()) continue;
            add(v, w);
            if (prev != null) add(v, prev + " " + w);
            prev = w;
        }
        double n = 0;
        for (double x : v) n += x * x;
        n = Math.sqrt(n);
        float[] out = new float[dimension];
        if (n > 0) for (int i = 0; i < dimension; i++) out[i] = (float) (v[i] / n);
        return out;
    }

    private void add(double[] v, String token) {
        long h = fnv1a64(token);
        int bucket = (int) Long.remainderUnsigned(h, dimension);
        v[bucket] += ((h >>> 63) == 0) ? 1.0 : -1.0;
    }

    /** 64-bit FNV-1a over UTF-8 bytes: fixed, platform-independent, so saved models hash the same everywhere. */
    static long fnv1a64(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
