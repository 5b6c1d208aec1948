package dev.prefer.reward.head;

import dev.prefer.core.Scalars;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * PAL-A, the ideal-point model with a mixture of user prototypes (Chen et al. 2024, "PAL: Pluralistic Alignment
 * Framework for Learning from Heterogeneous Preferences", §3, the ideal-point model of Coombs 1950).
 *
 * <pre>
 *   f(y)  = P φ(y)                          (m × d projection, shared)
 *   a_u   = Σ_k w_uk q_k,  w_u = softmax(β_u) (user u's ideal point: a mixture of K prototypes q_k ∈ R^m)
 *   r_u(y) = −‖f(y) − a_u‖²                  (closer to the ideal point is better)
 *   P(a ≻ b | u) = σ(r_u(a) − r_u(b))        (trained with {@link dev.prefer.train.RewardLoss})
 * </pre>
 *
 * An unknown annotator gets the average mixture weights of the known ones (the population's ideal point).
 * {@link #withNewAnnotator} adds a user whose K mixture logits are the only trainable parameters: few-shot
 * placement of a new annotator from a handful of their pairs.
 *
 * <p>Parameter layout: P (m·d), q (K·m), β (U·K).
 */
public final class PalHead extends AbstractBtHead {
    private final int dim;
    private final int m;
    private final int k;
    private final List<String> users;
    private final int offQ;
    private final int offB;
    private boolean[] trainable;

    public PalHead(HeadConfig config, int dim, List<String> annotators, Random rnd) {
        super(config, config.latent() * AbstractBtHead.phiDim(dim, config.contextual())
                + config.components() * config.latent() + annotators.size() * config.components());
        this.dim = AbstractBtHead.phiDim(dim, config.contextual());
        this.m = config.latent();
        this.k = config.components();
        this.users = List.copyOf(annotators);
        this.offQ = m * this.dim;
        this.offB = offQ + k * m;
        double s = 1.0 / Math.sqrt(this.dim);
        for (int i = 0; i < offQ; i++) theta[i] = s * rnd.nextGaussian();
        for (int i = offQ; i < offB; i++) theta[i] = rnd.nextGaussian();
        for (int i = offB; i < theta.length; i++) theta[i] = 0.1 * rnd.nextGaussian();
    }

    @Override
    public List<String> annotators() {
        return users;
    }

    @Override
    public boolean[] trainable() {
        return trainable;
    }

    public int components() {
        return k;
    }

    /** Mixture weights w_u over the K prototypes (the population average for an unknown annotator). */
    public double[] mixtureWeights(String annotator) {
        double[] w = new double[k];
        int u = index(annotator);
        if (u >= 0) {
            Scalars.softmax(theta, offB + u * k, k, w);
            return w;
        }
        if (users.isEmpty()) {
            Arrays.fill(w, 1.0 / k);
            return w;
        }
        double[] t = new double[k];
        for (int v = 0; v < users.size(); v++) {
            Scalars.softmax(theta, offB + v * k, k, t);
            for (int j = 0; j < k; j++) w[j] += t[j] / users.size();
        }
        return w;
    }

    /** Index of a known annotator; a head trained without annotators has the single user {@code <all>}. */
    private int index(String annotator) {
        int u = annotator == null ? -1 : users.indexOf(annotator);
        if (u < 0 && users.size() == 1 && users.get(0).equals("<all>")) u = 0;
        return u;
    }

    private double[] project(double[] f) {
        double[] z = new double[m];
        for (int i = 0; i < m; i++) z[i] = Nums.dotRow(theta, 0, i, dim, f);
        return z;
    }

    private double[] idealPoint(double[] w) {
        double[] a = new double[m];
        for (int j = 0; j < k; j++) for (int i = 0; i < m; i++) a[i] += w[j] * theta[offQ + j * m + i];
        return a;
    }

    @Override
    public double reward(double[] c, double[] y, String annotator) {
        double[] z = project(phi(c, y, config.contextual()));
        double[] a = idealPoint(mixtureWeights(annotator));
        double r = 0;
        for (int i = 0; i < m; i++) r -= (z[i] - a[i]) * (z[i] - a[i]);
        return r;
    }

    @Override
    protected void backward(double[] c, double[] y, String annotator, double dr, double[] grad) {
        double[] f = phi(c, y, config.contextual());
        double[] z = project(f);
        int u = index(annotator);
        if (u < 0) throw new IllegalArgumentException("PAL trains only on annotators it knows; unknown: " + annotator);
        double[] w = mixtureWeights(annotator);
        double[] a = idealPoint(w);
        double[] delta = new double[m];
        for (int i = 0; i < m; i++) delta[i] = z[i] - a[i];
        // ∂r/∂P_ij = −2 δ_i f_j ; ∂r/∂q_j = 2 w_j δ ; ∂r/∂w_j = 2 δ·q_j ; ∂r/∂β_uj = w_j (g_j − Σ_l w_l g_l)
        for (int i = 0; i < m; i++) Nums.addOuterRow(grad, 0, i, dim, -2 * dr * delta[i], f);
        double[] g = new double[k];
        double mean = 0;
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < m; i++) {
                grad[offQ + j * m + i] += 2 * dr * w[j] * delta[i];
                g[j] += 2 * delta[i] * theta[offQ + j * m + i];
            }
            mean += w[j] * g[j];
        }
        for (int j = 0; j < k; j++) grad[offB + u * k + j] += dr * w[j] * (g[j] - mean);
    }

    /**
     * A copy of this head with one more annotator whose mixture logits start at zero (the uniform mixture) and are
     * the only trainable parameters: train it on the new annotator's pairs to place them among the prototypes.
     */
    public PalHead withNewAnnotator(String annotator) {
        if (users.contains(annotator)) throw new IllegalArgumentException("annotator already known: " + annotator);
        List<String> more = new ArrayList<>(users);
        more.add(annotator);
        PalHead h = new PalHead(config, config.contextual() ? dim / 2 : dim, more, new Random(0));
        System.arraycopy(theta, 0, h.theta, 0, theta.length);
        Arrays.fill(h.theta, theta.length, h.theta.length, 0.0);
        h.trainable = new boolean[h.theta.length];
        Arrays.fill(h.trainable, theta.length, h.theta.length, true);
        return h;
    }
}
