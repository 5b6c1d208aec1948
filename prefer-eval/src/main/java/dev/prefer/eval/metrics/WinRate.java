package dev.prefer.eval.metrics;

import dev.prefer.core.stats.Bootstrap;
import dev.prefer.core.stats.Estimate;

/**
 * Win rate of system A against system B over the same prompts, ties counting half (the AlpacaEval / Chatbot Arena
 * convention):
 * <pre>
 *   winRate = (W + T/2) / N,    W: prompts where A's score exceeds B's by more than tolerance,
 *                               T: |score_A − score_B| ≤ tolerance,  L = N − W − T
 * </pre>
 * The interval comes from a paired bootstrap over prompts of the per-prompt outcome (1, 1/2 or 0). Scores may be
 * verifier scores, reward-model scores, or a judge's preference encoded as +1/0/−1 for A.
 */
public final class WinRate {
    private WinRate() {}

    /**
     * @param wins    W
     * @param ties    T
     * @param losses  L
     * @param winRate (W + T/2)/N with its interval
     */
    public record Result(int wins, int ties, int losses, Estimate winRate) {}

    /**
     * @param scoreA    (N) score of A's response per prompt
     * @param scoreB    (N) score of B's response per prompt
     * @param tolerance scores this close count as a tie, >= 0
     */
    public static Result of(double[] scoreA, double[] scoreB, double tolerance, Bootstrap bootstrap) {
        if (scoreA.length != scoreB.length) throw new IllegalArgumentException("score arrays differ in length: " + scoreA.length + " vs " + scoreB.length);
        if (!(tolerance >= 0)) throw new IllegalArgumentException("tolerance must be >= 0: " + tolerance);
        Bootstrap.requireFinite(scoreA, "scoreA");
        Bootstrap.requireFinite(scoreB, "scoreB");
        int n = scoreA.length;
        if (n == 0) throw new IllegalArgumentException("no prompts");
        double[] outcome = new double[n];
        int w = 0, t = 0, l = 0;
        for (int i = 0; i < n; i++) {
            double d = scoreA[i] - scoreB[i];
            if (Math.abs(d) <= tolerance) { outcome[i] = 0.5; t++; }
            else if (d > 0) { outcome[i] = 1; w++; }
            else { outcome[i] = 0; l++; }
        }
        return new Result(w, t, l, bootstrap.mean(outcome));
    }
}
