package dev.prefer.reward.source;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link RewardSource} says about the K completions of one {@link Group}.
 *
 * @param rewards          one reward per completion, in input order (NaN: the source has no reward for that
 *                         completion, e.g. a judge answer that could not be parsed under the {@code skip} policy)
 * @param components       named per-completion values for metrics, in a stable order: every source puts its own
 *                         reward under its name ({@code verifier:arithmetic}) and its sub-scores under
 *                         {@code name/sub} ({@code verifier:arithmetic/pass}); a weighted sum holds those of each
 *                         part. A trainer logs the mean of each as TRL's {@code rewards/NAME/mean}.
 * @param winProbabilities for pairwise sources, the K x K matrix P[i][j] = P(completion i preferred to j) with
 *                         P[i][j] + P[j][i] = 1 and 1/2 on the diagonal (Pref-GRPO reads it); null otherwise
 */
public record GroupScores(double[] rewards, Map<String, double[]> components, double[][] winProbabilities) {
    public GroupScores {
        if (rewards == null) throw new IllegalArgumentException("rewards");
        int k = rewards.length;
        Map<String, double[]> c = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : components.entrySet()) {
            if (e.getValue().length != k) {
                throw new IllegalArgumentException("component " + e.getKey() + " has " + e.getValue().length + " values for " + k + " completions");
            }
            c.put(e.getKey(), e.getValue());
        }
        components = Collections.unmodifiableMap(c);
        if (winProbabilities != null) {
            if (winProbabilities.length != k) throw new IllegalArgumentException("win matrix has " + winProbabilities.length + " rows for " + k + " completions");
            for (double[] row : winProbabilities) {
                if (row.length != k) throw new IllegalArgumentException("win matrix row of length " + row.length + " for " + k + " completions");
            }
        }
    }

    /** A source's scores: its rewards under {@code name} first, then {@code name/sub} for each sub-score. */
    public static GroupScores of(String name, double[] rewards, Map<String, double[]> subScores, double[][] winProbabilities) {
        Map<String, double[]> c = new LinkedHashMap<>();
        c.put(name, rewards);
        if (subScores != null) for (Map.Entry<String, double[]> e : subScores.entrySet()) c.put(name + "/" + e.getKey(), e.getValue());
        return new GroupScores(rewards, c, winProbabilities);
    }

    /**
     * Pref-GRPO's within-group win rate of each completion: the mean over the other K − 1 completions of
     * P[i][j] (1/2 for a group of one).
     */
    public static double[] winRates(double[][] p) {
        int k = p.length;
        double[] r = new double[k];
        if (k == 1) {
            r[0] = 0.5;
            return r;
        }
        for (int i = 0; i < k; i++) {
            double s = 0;
            for (int j = 0; j < k; j++) if (j != i) s += p[i][j];
            r[i] = s / (k - 1);
        }
        return r;
    }

    /** K, the number of completions. */
    public int size() {
        return rewards.length;
    }

    /**
     * Mean of the rewards and of every component over many groups (NaN values left out; NaN when none is left):
     * {@code reward} first, then the component names. The metrics a trainer or {@code prefer score} reports.
     */
    public static Map<String, Double> means(List<GroupScores> scores) {
        Map<String, double[]> acc = new LinkedHashMap<>(); // name -> {sum, count}
        for (GroupScores s : scores) {
            add(acc, "reward", s.rewards);
            for (Map.Entry<String, double[]> e : s.components.entrySet()) add(acc, e.getKey(), e.getValue());
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : acc.entrySet()) out.put(e.getKey(), e.getValue()[1] == 0 ? Double.NaN : e.getValue()[0] / e.getValue()[1]);
        return out;
    }

    private static void add(Map<String, double[]> acc, String name, double[] values) {
        double[] a = acc.computeIfAbsent(name, n -> new double[2]);
        for (double v : values) {
            if (Double.isNaN(v)) continue;
            a[0] += v;
            a[1]++;
        }
    }
}
