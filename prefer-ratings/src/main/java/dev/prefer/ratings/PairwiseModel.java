package dev.prefer.ratings;

/**
 * A model of one pairwise comparison between items with log-strengths θ_i and θ_j, written in terms of
 * {@code d = θ_i − θ_j} and at most one extra tie parameter η. A model supplies the log-likelihood of the
 * aggregated outcomes of one pair and its first and second derivatives in (d, η); {@link PairwiseFitter} does
 * the rest (Newton's method over all items). Implementations are stateless.
 */
public interface PairwiseModel {
    /** Short name, e.g. "bt". */
    String name();

    /** Whether the model has the tie parameter η. */
    boolean hasTieParameter();

    /** Starting value of η (ignored without a tie parameter). */
    default double initialTieParameter() { return 0; }

    /** Whether η is allowed (e.g. Rao-Kupper needs η &gt; 0). */
    default boolean tieParameterValid(double eta) { return true; }

    /** The tie parameter on its natural scale (Davidson's ν = e^η, Rao-Kupper's κ = e^η). */
    default double tieParameterNatural(double eta) { return Math.exp(eta); }

    /**
     * Log-likelihood of one pair and its derivatives, written into {@code out}: [ℓ, ∂ℓ/∂d, ∂ℓ/∂η, ∂²ℓ/∂d²,
     * ∂²ℓ/∂d∂η, ∂²ℓ/∂η²]. {@code wi}, {@code wj}, {@code t}: weights of i's wins, j's wins and ties.
     */
    void pair(double d, double eta, double wi, double wj, double t, double[] out);

    /** Probabilities [i wins, j wins, tie] at difference d. */
    double[] probabilities(double d, double eta);

    /** The probability that i beats j with ties split evenly: P(i) + P(tie)/2. */
    default double winProbability(double d, double eta) {
        double[] p = probabilities(d, eta);
        return p[0] + 0.5 * p[2];
    }
}
