package dev.prefer.objectives;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TRL's preference metrics from per-response rewards. In a group of K ≥ 2 the "chosen" response is the one with
 * the highest label (the first of ties) and the "rejected" one the lowest (the last of ties); for K = 1 (unpaired)
 * the chosen and rejected pools are the desirable and undesirable rows, and there is no accuracy.
 * Means are unweighted, as in TRL.
 */
public final class Metrics {
    private Metrics() {}

    public static Map<String, Double> of(double[] rewards, double[] policy, double[] labels, int groups, int k) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (k == 1) {
            double rc = 0, rr = 0, lc = 0, lr = 0;
            int nc = 0, nr = 0;
            for (int i = 0; i < groups; i++) {
                if (labels[i] > 0.5) {
                    rc += rewards[i];
                    lc += policy[i];
                    nc++;
                } else {
                    rr += rewards[i];
                    lr += policy[i];
                    nr++;
                }
            }
            if (nc > 0) {
                m.put("rewards/chosen", rc / nc);
                m.put("logps/chosen", lc / nc);
            }
            if (nr > 0) {
                m.put("rewards/rejected", rr / nr);
                m.put("logps/rejected", lr / nr);
            }
            if (nc > 0 && nr > 0) m.put("rewards/margins", rc / nc - rr / nr);
            return m;
        }
        double rc = 0, rr = 0, acc = 0, lc = 0, lr = 0;
        for (int g = 0; g < groups; g++) {
            int best = 0, worst = 0;
            for (int j = 1; j < k; j++) {
                if (labels[g * k + j] > labels[g * k + best]) best = j;
                if (labels[g * k + j] <= labels[g * k + worst]) worst = j;
            }
            double c = rewards[g * k + best];
            double r = rewards[g * k + worst];
            rc += c;
            rr += r;
            if (c > r) acc++;
            lc += policy[g * k + best];
            lr += policy[g * k + worst];
        }
        m.put("rewards/chosen", rc / groups);
        m.put("rewards/rejected", rr / groups);
        m.put("rewards/margins", (rc - rr) / groups);
        m.put("rewards/accuracies", acc / groups);
        m.put("logps/chosen", lc / groups);
        m.put("logps/rejected", lr / groups);
        return m;
    }
}
