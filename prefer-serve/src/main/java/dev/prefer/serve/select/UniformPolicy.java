package dev.prefer.serve.select;

import java.util.Arrays;

/** Every askable pair equally likely: {@code P(a) = 1 / |pairs|}. */
public final class UniformPolicy implements PairPolicy {
    @Override
    public double[] probabilities(PairCounts.Snapshot counts) {
        double[] p = new double[counts.pairs()];
        Arrays.fill(p, 1.0 / p.length);
        return p;
    }

    @Override
    public String name() { return "uniform"; }
}
