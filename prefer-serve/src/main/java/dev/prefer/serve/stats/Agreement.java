package dev.prefer.serve.stats;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Inter-annotator agreement on nominal labels.
 *
 * <p>Cohen's kappa (Cohen, 1960) for two raters over the units both labelled:
 * {@code κ = (p_o − p_e) / (1 − p_e)}, with {@code p_o} the observed share of agreement and
 * {@code p_e = Σ_k p_1(k) p_2(k)} the agreement expected from each rater's label frequencies.
 *
 * <p>Krippendorff's alpha for nominal data (Krippendorff, 2011, "Computing Krippendorff's Alpha-Reliability"),
 * any number of raters, missing labels allowed: over units with at least two labels, the coincidence matrix
 * {@code o_ck = Σ_u Σ_{i≠j} [c_ui = c][c_uj = k] / (m_u − 1)}, marginals {@code n_c = Σ_k o_ck},
 * {@code n = Σ_c n_c}, and {@code α = 1 − (n − 1) Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k}.
 */
public final class Agreement {
    private Agreement() {}

    /** Kappa over the units both raters labelled; NaN when they share no unit or chance agreement is 1. */
    public static <U> double cohensKappa(Map<U, String> rater1, Map<U, String> rater2) {
        List<String[]> both = new ArrayList<>();
        for (var e : rater1.entrySet()) {
            String b = rater2.get(e.getKey());
            if (b != null) both.add(new String[] {e.getValue(), b});
        }
        if (both.isEmpty()) return Double.NaN;
        Map<String, Integer> m1 = new HashMap<>(), m2 = new HashMap<>();
        int agree = 0;
        for (String[] ab : both) {
            if (ab[0].equals(ab[1])) agree++;
            m1.merge(ab[0], 1, Integer::sum);
            m2.merge(ab[1], 1, Integer::sum);
        }
        double n = both.size();
        double po = agree / n;
        double pe = 0;
        for (var e : m1.entrySet()) pe += (e.getValue() / n) * (m2.getOrDefault(e.getKey(), 0) / n);
        if (pe >= 1) return Double.NaN;
        return (po - pe) / (1 - pe);
    }

    /** Number of units two raters share. */
    public static <U> int shared(Map<U, String> rater1, Map<U, String> rater2) {
        int n = 0;
        for (U u : rater1.keySet()) if (rater2.containsKey(u)) n++;
        return n;
    }

    /**
     * Nominal alpha over units, each given as the list of labels it received (one per rater who labelled it).
     * NaN when fewer than two pairable labels exist or all labels are the same value (no variation to explain).
     */
    public static double krippendorffAlphaNominal(List<List<String>> units) {
        TreeSet<String> values = new TreeSet<>();
        for (List<String> u : units) if (u.size() >= 2) values.addAll(u);
        List<String> vs = List.copyOf(values);
        Map<String, Integer> idx = new HashMap<>();
        for (int i = 0; i < vs.size(); i++) idx.put(vs.get(i), i);
        int v = vs.size();
        double[][] o = new double[v][v];
        for (List<String> u : units) {
            int m = u.size();
            if (m < 2) continue;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    if (i == j) continue;
                    o[idx.get(u.get(i))][idx.get(u.get(j))] += 1.0 / (m - 1);
                }
            }
        }
        double[] nc = new double[v];
        double n = 0;
        for (int c = 0; c < v; c++) {
            for (int k = 0; k < v; k++) nc[c] += o[c][k];
            n += nc[c];
        }
        double disagreeObserved = 0, disagreeExpected = 0;
        for (int c = 0; c < v; c++) {
            for (int k = 0; k < v; k++) {
                if (c == k) continue;
                disagreeObserved += o[c][k];
                disagreeExpected += nc[c] * nc[k];
            }
        }
        if (n < 2 || disagreeExpected == 0) return Double.NaN;
        return 1 - (n - 1) * disagreeObserved / disagreeExpected;
    }
}
