package dev.prefer.serve.select;

import java.util.random.RandomGenerator;

/** Draws an index from a discrete distribution (inverse CDF on one uniform). */
public final class Draw {
    private Draw() {}

    public static int index(double[] p, RandomGenerator rng) {
        double u = rng.nextDouble();
        double acc = 0;
        for (int i = 0; i < p.length; i++) {
            acc += p[i];
            if (u < acc) return i;
        }
        for (int i = p.length - 1; i >= 0; i--) if (p[i] > 0) return i;
        throw new IllegalArgumentException("empty distribution");
    }
}
