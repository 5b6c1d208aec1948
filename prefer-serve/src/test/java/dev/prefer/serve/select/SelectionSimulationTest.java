package dev.prefer.serve.select;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Simulation with known true Bradley-Terry strengths: how many votes each pair-selection policy needs to reach a
 * given interval width. Two widths are tracked, both computed from the TRUE win probabilities (so they measure
 * the design, not estimation noise):
 * <ul>
 *   <li>pair width: max over pairs of the 95% half-width of the pair's win rate, 1.96 sqrt(p(1-p)/n_a) — the
 *       quantity the Chatbot Arena rule shrinks;</li>
 *   <li>rating width: max over systems of the 95% half-width of the BT log-strength from the expected Fisher
 *       information I = Σ_a n_a p_a(1-p_a)(e_i - e_j)(e_i - e_j)^T, with Cov = (I + J/K)^-1 - J/K (the
 *       sum-to-zero pseudo-inverse; J = all-ones).</li>
 * </ul>
 * Expected ordering, derived by hand: with allocation n_a ∝ Σ_a^(1/3) (the fixed point of the Arena rule, whose
 * gain is ≈ sqrt(Σ_a) / (2 n_a^1.5)) the pair with the largest variance gets more than its uniform share, so the
 * max pair width is reached with fewer votes than uniform whenever pair variances differ. Results are written to
 * target/simulation/selection.txt.
 */
class SelectionSimulationTest {

    static final List<String> SYSTEMS = List.of("s0", "s1", "s2", "s3", "s4", "s5");
    static final double[] THETA = {0.0, 0.25, 0.5, 1.5, 2.5, 3.5};
    static final double PAIR_TARGET = 0.10;   // win-rate half-width
    static final double RATING_TARGET = 0.25; // log-strength half-width
    static final int SEEDS = 5;
    static final int MAX_VOTES = 40_000;

    record Needed(int pairWidth, int ratingWidth) {}

    static Needed simulate(PairPolicy policy, long seed) {
        PairCounts counts = PairCounts.complete(SYSTEMS);
        SplittableRandom rng = new SplittableRandom(seed);
        int m = counts.pairs();
        var snap0 = counts.snapshot();
        double[] pTrue = new double[m];
        for (int a = 0; a < m; a++) pTrue[a] = 1 / (1 + Math.exp(THETA[snap0.second()[a]] - THETA[snap0.first()[a]]));
        long[] n = new long[m];
        int pairAt = -1, ratingAt = -1;
        for (int t = 1; t <= MAX_VOTES && (pairAt < 0 || ratingAt < 0); t++) {
            double[] p = policy.probabilities(counts.snapshot());
            int a = Draw.index(p, rng);
            counts.record(a, rng.nextDouble() < pTrue[a] ? 1.0 : 0.0);
            n[a]++;
            if (t % 10 != 0) continue;
            if (pairAt < 0 && maxPairHalfWidth(pTrue, n) <= PAIR_TARGET) pairAt = t;
            if (ratingAt < 0 && maxRatingHalfWidth(snap0, pTrue, n) <= RATING_TARGET) ratingAt = t;
        }
        return new Needed(pairAt, ratingAt);
    }

    static double maxPairHalfWidth(double[] p, long[] n) {
        double w = 0;
        for (int a = 0; a < p.length; a++) w = Math.max(w, n[a] == 0 ? Double.POSITIVE_INFINITY : 1.96 * Math.sqrt(p[a] * (1 - p[a]) / n[a]));
        return w;
    }

    static double maxRatingHalfWidth(PairCounts.Snapshot s, double[] p, long[] n) {
        int k = SYSTEMS.size();
        double[][] m = new double[k][k];
        for (int a = 0; a < p.length; a++) {
            double w = n[a] * p[a] * (1 - p[a]);
            int i = s.first()[a], j = s.second()[a];
            m[i][i] += w;
            m[j][j] += w;
            m[i][j] -= w;
            m[j][i] -= w;
        }
        for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) m[i][j] += 1.0 / k;
        double[][] inv = invert(m);
        if (inv == null) return Double.POSITIVE_INFINITY;
        double w = 0;
        for (int i = 0; i < k; i++) w = Math.max(w, 1.96 * Math.sqrt(Math.max(0, inv[i][i] - 1.0 / k)));
        return w;
    }

    /** Gauss-Jordan with partial pivoting; null when singular. */
    static double[][] invert(double[][] a) {
        int k = a.length;
        double[][] x = new double[k][2 * k];
        for (int i = 0; i < k; i++) {
            System.arraycopy(a[i], 0, x[i], 0, k);
            x[i][k + i] = 1;
        }
        for (int c = 0; c < k; c++) {
            int piv = c;
            for (int r = c + 1; r < k; r++) if (Math.abs(x[r][c]) > Math.abs(x[piv][c])) piv = r;
            if (Math.abs(x[piv][c]) < 1e-12) return null;
            double[] tmp = x[c];
            x[c] = x[piv];
            x[piv] = tmp;
            double d = x[c][c];
            for (int j = 0; j < 2 * k; j++) x[c][j] /= d;
            for (int r = 0; r < k; r++) {
                if (r == c) continue;
                double f = x[r][c];
                if (f != 0) for (int j = 0; j < 2 * k; j++) x[r][j] -= f * x[c][j];
            }
        }
        double[][] inv = new double[k][k];
        for (int i = 0; i < k; i++) System.arraycopy(x[i], k, inv[i], 0, k);
        return inv;
    }

    @Test
    void invertIsRight() {
        double[][] a = {{4, 1}, {2, 3}};
        double[][] inv = invert(a);
        // By hand: det = 10; inverse = [[3, -1], [-2, 4]] / 10.
        assertEquals(0.3, inv[0][0], 1e-12);
        assertEquals(-0.1, inv[0][1], 1e-12);
        assertEquals(-0.2, inv[1][0], 1e-12);
        assertEquals(0.4, inv[1][1], 1e-12);
    }

    @Test
    void activeNeedsFewerVotesThanUniform() throws Exception {
        List<String> report = new ArrayList<>();
        report.add(String.format(Locale.ROOT, "true log-strengths %s; targets: pair win-rate half-width <= %.2f, rating half-width <= %.2f; %d seeds",
                java.util.Arrays.toString(THETA), PAIR_TARGET, RATING_TARGET, SEEDS));
        double[] meanPair = new double[2], meanRating = new double[2];
        PairPolicy[] policies = {new UniformPolicy(), new ActivePolicy(0.1)};
        for (int k = 0; k < policies.length; k++) {
            List<Needed> runs = new ArrayList<>();
            for (long seed = 1; seed <= SEEDS; seed++) runs.add(simulate(policies[k], seed));
            for (Needed r : runs) {
                assertTrue(r.pairWidth() > 0 && r.ratingWidth() > 0, "target reached within " + MAX_VOTES);
                meanPair[k] += r.pairWidth() / (double) SEEDS;
                meanRating[k] += r.ratingWidth() / (double) SEEDS;
            }
            report.add(String.format(Locale.ROOT, "%-8s votes to pair width: mean %.0f %s; to rating width: mean %.0f %s",
                    policies[k].name(), meanPair[k], runs.stream().map(Needed::pairWidth).toList(),
                    meanRating[k], runs.stream().map(Needed::ratingWidth).toList()));
        }
        report.add(String.format(Locale.ROOT, "active/uniform: pair %.2f, rating %.2f", meanPair[1] / meanPair[0], meanRating[1] / meanRating[0]));
        report.forEach(l -> System.out.println("[selection] " + l));
        Files.createDirectories(Path.of("target", "simulation"));
        Files.write(Path.of("target", "simulation", "selection.txt"), report);

        // Uniform needs, by hand: the closest pair (s1,s2 or s0,s1: p = σ(0.25) = 0.5622, Σ = 0.2461) needs
        // n = 1.96² · 0.2461 / 0.1² = 94.6 -> 95 votes, times 15 pairs = 1418 in expectation (reached when the
        // slowest pair gets there, so somewhat more).
        assertTrue(meanPair[0] > 1400 && meanPair[0] < 2000, "uniform pair-width votes " + meanPair[0]);
        assertTrue(meanPair[1] < meanPair[0], "active needs fewer votes to the pair width");
    }
}
