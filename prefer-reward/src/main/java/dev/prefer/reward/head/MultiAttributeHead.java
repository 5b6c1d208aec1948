package dev.prefer.reward.head;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Multi-attribute reward heads combined by a user's direction (DPA: Wang et al. 2024, "Arithmetic Control of LLMs
 * for Diverse User Preferences: Directional Preference Alignment with Multi-Objective Rewards", arXiv 2402.18571).
 *
 * <pre>
 *   r_j(y) = w_jᵀ φ(y) + b_j                                   (one linear head per attribute j = 1..K)
 *   R_v(y) = vᵀ r(y),  ‖v‖ = 1                                 (the user's direction; default: the preference axis)
 *   L = Σ_labelled (r_j(y) − label)²                            (per-response labels "chosen.X" / "rejected.X")
 *     + Σ_labelled ((r_j(a) − r_j(b)) − label)²                 (difference labels "X")
 *     + RewardLoss(r_pref(a), r_pref(b))                            (the reserved attribute "preference", from the
 *                                                                binary label)
 * </pre>
 *
 * The attribute heads are regressions on the labels (DPA's multi-objective reward model); the direction v only
 * combines them at scoring time, so one trained model serves every user direction.
 */
public final class MultiAttributeHead implements ScalarRewardHead {
    private final HeadConfig config;
    private final int dim;
    private final List<String> names;
    private final double[] theta;
    private double[] direction;

    public MultiAttributeHead(HeadConfig config, int dim, Random rnd) {
        this.config = config;
        this.dim = dim;
        this.names = config.attributes();
        this.theta = new double[names.size() * (dim + 1)];
        double s = 0.01 / Math.sqrt(dim);
        for (int j = 0; j < names.size(); j++) for (int i = 0; i < dim; i++) theta[j * (dim + 1) + i] = s * rnd.nextGaussian();
        this.direction = defaultDirection();
    }

    private double[] defaultDirection() {
        double[] v = new double[names.size()];
        int p = names.indexOf(HeadConfig.PREFERENCE);
        if (p >= 0) v[p] = 1;
        else java.util.Arrays.fill(v, 1.0 / Math.sqrt(names.size()));
        return v;
    }

    @Override
    public HeadConfig config() {
        return config;
    }

    @Override
    public double[] parameters() {
        return theta;
    }

    public List<String> attributeNames() {
        return names;
    }

    public double[] direction() {
        return direction.clone();
    }

    /**
     * Sets the user's direction from attribute weights (unnamed attributes get 0), normalised to unit length.
     * Unknown names are an error.
     */
    public void setDirection(Map<String, Double> weights) {
        double[] v = new double[names.size()];
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            int j = names.indexOf(e.getKey());
            if (j < 0) throw new IllegalArgumentException("unknown attribute '" + e.getKey() + "'; this model has " + names);
            v[j] = e.getValue();
        }
        double n = 0;
        for (double x : v) n += x * x;
        if (!(n > 0) || Double.isInfinite(n)) throw new IllegalArgumentException("direction must be a non-zero finite vector: " + weights);
        n = Math.sqrt(n);
        for (int j = 0; j < v.length; j++) v[j] /= n;
        this.direction = v;
    }

    /** All attribute scores r(y). */
    public double[] attributes(double[] y) {
        double[] r = new double[names.size()];
        for (int j = 0; j < r.length; j++) r[j] = attribute(j, y);
        return r;
    }

    private double attribute(int j, double[] y) {
        int base = j * (dim + 1);
        double s = theta[base + dim];
        for (int i = 0; i < dim; i++) s += theta[base + i] * y[i];
        return s;
    }

    private void backAttribute(int j, double[] y, double d, double[] grad) {
        int base = j * (dim + 1);
        for (int i = 0; i < dim; i++) grad[base + i] += d * y[i];
        grad[base + dim] += d;
    }

    @Override
    public double reward(double[] c, double[] y, String annotator) {
        double r = 0;
        for (int j = 0; j < names.size(); j++) if (direction[j] != 0) r += direction[j] * attribute(j, y);
        return r;
    }

    @Override
    public double logit(double[] c, double[] a, double[] b, String annotator) {
        return reward(c, a, annotator) - reward(c, b, annotator);
    }

    @Override
    public double loss(List<EncodedPair> batch, double[] grad) {
        double wsum = 0;
        for (EncodedPair p : batch) wsum += p.weight();
        if (wsum == 0) return 0;
        double total = 0;
        double[] d = new double[2];
        int pref = names.indexOf(HeadConfig.PREFERENCE);
        Map<String, Integer> index = new HashMap<>();
        for (int j = 0; j < names.size(); j++) index.put(names.get(j), j);
        for (EncodedPair p : batch) {
            if (p.weight() == 0) continue;
            double s = p.weight() / wsum;
            if (pref >= 0) {
                double rw = attribute(pref, p.chosen());
                double rl = attribute(pref, p.rejected());
                total += p.weight() * config.loss().pairLoss(rw, rl, config.loss().marginOf(p.margin()), grad == null ? null : d);
                if (grad != null) {
                    backAttribute(pref, p.chosen(), s * d[0], grad);
                    backAttribute(pref, p.rejected(), s * d[1], grad);
                }
            }
            for (Map.Entry<String, Double> e : p.attributes().entrySet()) {
                String key = e.getKey();
                double label = e.getValue();
                if (key.startsWith("chosen.") || key.startsWith("rejected.")) {
                    boolean chosen = key.startsWith("chosen.");
                    Integer j = index.get(key.substring(chosen ? 7 : 9));
                    if (j == null || j == pref) continue;
                    double[] y = chosen ? p.chosen() : p.rejected();
                    double err = attribute(j, y) - label;
                    total += p.weight() * err * err;
                    if (grad != null) backAttribute(j, y, s * 2 * err, grad);
                } else {
                    Integer j = index.get(key);
                    if (j == null || j == pref) continue;
                    double err = attribute(j, p.chosen()) - attribute(j, p.rejected()) - label;
                    total += p.weight() * err * err;
                    if (grad != null) {
                        backAttribute(j, p.chosen(), s * 2 * err, grad);
                        backAttribute(j, p.rejected(), -s * 2 * err, grad);
                    }
                }
            }
        }
        return total / wsum;
    }
}
