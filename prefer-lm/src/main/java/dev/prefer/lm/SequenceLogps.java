package dev.prefer.lm;

/**
 * Log-probability of one response given its prompt: {@code sum} = sum over response tokens (eos included) of
 * log p(token | all previous ids); {@code tokenLogps[i]} is the term of response token i.
 */
public record SequenceLogps(double sum, double[] tokenLogps) {
    public SequenceLogps {
        tokenLogps = tokenLogps.clone();
    }

    /** Number of response tokens (eos included). */
    public int tokens() {
        return tokenLogps.length;
    }

    /** Mean per-token log-probability (as IPO/SimPO use). */
    public double mean() {
        return sum / tokenLogps.length;
    }
}
