package dev.prefer.reward.eval;

import dev.prefer.reward.head.EncodedPair;
import dev.prefer.core.Scalars;
import dev.prefer.reward.head.PreferenceHead;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How well a preference model predicts held-out pairs.
 *
 * <ul>
 *   <li>pairwise accuracy: share of pairs with logit(chosen, rejected) &gt; 0 (a tie, logit = 0, counts ½);</li>
 *   <li>log-likelihood: mean log σ(logit), the per-pair log-probability of the observed preference (nats);</li>
 *   <li>expected calibration error (Naeini et al. 2015; Guo et al. 2017 Eq. 3) over 10 equal-width bins of the
 *       confidence max(p, 1−p) ∈ [½, 1]: ECE = Σ_b |B_b|/n · |acc(B_b) − conf(B_b)|;</li>
 *   <li>accuracy per annotator, where annotators are known.</li>
 * </ul>
 * Weights are ignored: every held-out pair counts once.
 */
public record PairMetrics(int pairs, double accuracy, double logLikelihood, double ece, Map<String, Double> accuracyByAnnotator,
                          Map<String, Integer> pairsByAnnotator) {
    public static final int BINS = 10;

    public static PairMetrics of(PreferenceHead head, List<EncodedPair> pairs) {
        double[] logits = new double[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            EncodedPair p = pairs.get(i);
            logits[i] = head.logit(p.context(), p.chosen(), p.rejected(), p.annotator());
        }
        String[] annotators = new String[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) annotators[i] = pairs.get(i).annotator();
        return fromLogits(logits, annotators);
    }

    /** Metrics from the logits of the observed preferences (chosen over rejected). */
    public static PairMetrics fromLogits(double[] logits, String[] annotators) {
        int n = logits.length;
        if (n == 0) throw new IllegalArgumentException("no pairs to evaluate");
        double correct = 0;
        double ll = 0;
        double[] binCount = new double[BINS];
        double[] binCorrect = new double[BINS];
        double[] binConf = new double[BINS];
        Map<String, double[]> per = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            double z = logits[i];
            double c = z > 0 ? 1 : z == 0 ? 0.5 : 0;
            correct += c;
            ll += Scalars.logSigmoid(z);
            double p = Scalars.sigmoid(z);
            double conf = Math.max(p, 1 - p);
            int b = Math.min(BINS - 1, (int) ((conf - 0.5) * 2 * BINS));
            binCount[b]++;
            binCorrect[b] += c;
            binConf[b] += conf;
            if (annotators != null && annotators[i] != null) {
                double[] a = per.computeIfAbsent(annotators[i], k -> new double[2]);
                a[0] += c;
                a[1]++;
            }
        }
        double ece = 0;
        for (int b = 0; b < BINS; b++) {
            if (binCount[b] == 0) continue;
            ece += binCount[b] / n * Math.abs(binCorrect[b] / binCount[b] - binConf[b] / binCount[b]);
        }
        Map<String, Double> acc = new LinkedHashMap<>();
        Map<String, Integer> cnt = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : per.entrySet()) {
            acc.put(e.getKey(), e.getValue()[0] / e.getValue()[1]);
            cnt.put(e.getKey(), (int) e.getValue()[1]);
        }
        return new PairMetrics(n, correct / n, ll / n, ece, acc, cnt);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pairs", pairs);
        m.put("accuracy", accuracy);
        m.put("logLikelihood", logLikelihood);
        m.put("ece", ece);
        if (!accuracyByAnnotator.isEmpty()) {
            m.put("accuracyByAnnotator", accuracyByAnnotator);
            m.put("pairsByAnnotator", pairsByAnnotator);
        }
        return m;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "pairs=%d accuracy=%.4f logLikelihood=%.4f ece=%.4f", pairs, accuracy, logLikelihood, ece);
    }
}
