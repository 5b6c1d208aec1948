package dev.prefer.serve.select;

/**
 * How the next pair of systems is chosen: a probability for each askable pair given the votes so far. The
 * probability of the pair drawn is stored with each comparison, so results can weight each vote by its inverse
 * (inverse-propensity weighting) and stay unbiased whatever the policy.
 */
public interface PairPolicy {

    /** Probabilities over {@code counts.pairs()} pairs; non-negative, summing to 1. */
    double[] probabilities(PairCounts.Snapshot counts);

    /** Short name stored with each comparison. */
    String name();
}
