package dev.prefer.serve.select;

/**
 * Active pair sampling of Chatbot Arena (Chiang et al., 2024, "Chatbot Arena: An Open Platform for Evaluating
 * LLMs by Human Preference", Sec. 5, "Efficient approximate ranking"): sample pair {@code a} with probability
 * proportional to how much one more vote would shrink its confidence interval,
 * <pre>
 *   P_active(a) ∝ sqrt(Σ_aa / n_a) − sqrt(Σ_aa / (n_a + 1)),
 * </pre>
 * where {@code n_a} is the number of votes on pair {@code a} and {@code Σ_aa} the variance of one vote's score
 * on it. Here {@code Σ_aa = p̂(1 − p̂)} with {@code p̂ = (s_a + 1) / (n_a + 2)} (the score of the pair's first
 * system with a uniform Beta(1, 1) prior, so unseen pairs get 1/4), and {@code n_a} is replaced by
 * {@code n_a + 1} so that a pair with no votes has a finite, largest gain. Then uniform sampling is mixed in,
 * <pre>
 *   P(a) = (1 − γ) P_active(a) + γ / |pairs|,
 * </pre>
 * which keeps every probability at least {@code γ / |pairs|}, so the inverse-probability weights stay bounded.
 */
public final class ActivePolicy implements PairPolicy {
    private final double gamma;

    /** @param gamma uniform mixing share in (0, 1] */
    public ActivePolicy(double gamma) {
        if (!(gamma > 0 && gamma <= 1)) throw new IllegalArgumentException("gamma must be in (0, 1], got " + gamma);
        this.gamma = gamma;
    }

    @Override
    public double[] probabilities(PairCounts.Snapshot c) {
        int m = c.pairs();
        double[] gain = new double[m];
        double total = 0;
        for (int a = 0; a < m; a++) {
            double n = c.n()[a];
            double pHat = (c.firstScore()[a] + 1) / (n + 2);
            double sigma = pHat * (1 - pHat);
            gain[a] = Math.sqrt(sigma / (n + 1)) - Math.sqrt(sigma / (n + 2));
            total += gain[a];
        }
        double[] p = new double[m];
        for (int a = 0; a < m; a++) p[a] = (1 - gamma) * (total > 0 ? gain[a] / total : 1.0 / m) + gamma / m;
        return p;
    }

    @Override
    public String name() { return "active"; }

    public double gamma() { return gamma; }
}
