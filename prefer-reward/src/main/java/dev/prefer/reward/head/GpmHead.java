package dev.prefer.reward.head;

import dev.prefer.core.Scalars;

import java.util.List;
import java.util.Random;

/**
 * General preference model with preference embeddings (Zhang et al. 2024, "Beyond Bradley-Terry Models: A General
 * Preference Model for Language Model Alignment", arXiv 2410.02197, §3-4): each response gets a unit-norm
 * embedding v(y) ∈ R^{2k}, and the preference score is skew-symmetric,
 *
 * <pre>
 *   v(y) = W φ(y) / ‖W φ(y)‖                                 (2k × d)
 *   s(a ≻ b | c) = ⟨R^≻ D(c) v(a), v(b)⟩ = Σ_l λ_l(c) (v_a,2l v_b,2l+1 − v_a,2l+1 v_b,2l)
 *   R^≻ = blockdiag([[0, −1], [1, 0]] × k),  λ_l(c) = softplus(G_l c + g_l) ≥ 0  (the eigenvalue scale gate)
 *   P(a ≻ b) = σ(s(a ≻ b)),  L = {@link dev.prefer.train.RewardLoss#logitLoss}(s)
 * </pre>
 *
 * s(a≻b) = −s(b≻a) always, and with k ≥ 1 three items placed 120° apart in one plane give a cycle A≻B≻C≻A that
 * no scalar reward can represent. There is no scalar reward: best-of-n ranks candidates by their mean
 * preference probability against the other candidates.
 *
 * <p>Parameter layout: W (2k·d), G (k·dc), g (k).
 */
public final class GpmHead implements PreferenceHead {
    private final HeadConfig config;
    private final int dim;
    private final int ctx;
    private final int k;
    private final double[] theta;
    private final int offG;
    private final int offg;

    public GpmHead(HeadConfig config, int dim, int ctxDim, Random rnd) {
        this.config = config;
        this.dim = dim;
        this.ctx = ctxDim;
        this.k = config.latent() / 2;
        this.offG = 2 * k * dim;
        this.offg = offG + k * ctx;
        this.theta = new double[offg + k];
        double s = 1.0 / Math.sqrt(dim);
        for (int i = 0; i < offG; i++) theta[i] = s * rnd.nextGaussian();
        for (int l = 0; l < k; l++) theta[offg + l] = 1.0;
    }

    @Override
    public HeadConfig config() {
        return config;
    }

    @Override
    public double[] parameters() {
        return theta;
    }

    /** The preference embedding v(y) (unit norm, 2k). */
    public double[] embedding(double[] y) {
        double[] u = new double[2 * k];
        double n = 0;
        for (int i = 0; i < 2 * k; i++) {
            u[i] = Nums.dotRow(theta, 0, i, dim, y);
            n += u[i] * u[i];
        }
        n = Math.sqrt(n) + 1e-12;
        for (int i = 0; i < 2 * k; i++) u[i] /= n;
        return u;
    }

    private double[] gateInputs(double[] c) {
        double[] t = new double[k];
        for (int l = 0; l < k; l++) {
            t[l] = theta[offg + l];
            if (ctx > 0 && c.length == ctx) t[l] += Nums.dotRow(theta, offG, l, ctx, c);
        }
        return t;
    }

    @Override
    public double logit(double[] c, double[] a, double[] b, String annotator) {
        return score(gateInputs(c), embedding(a), embedding(b));
    }

    private double score(double[] t, double[] va, double[] vb) {
        double s = 0;
        for (int l = 0; l < k; l++) s += Scalars.softplus(t[l]) * (va[2 * l] * vb[2 * l + 1] - va[2 * l + 1] * vb[2 * l]);
        return s;
    }

    @Override
    public double loss(List<EncodedPair> batch, double[] grad) {
        double wsum = 0;
        for (EncodedPair p : batch) wsum += p.weight();
        if (wsum == 0) return 0;
        double total = 0;
        double[] d = new double[1];
        for (EncodedPair p : batch) {
            if (p.weight() == 0) continue;
            double[] t = gateInputs(p.context());
            double[] va = embedding(p.chosen());
            double[] vb = embedding(p.rejected());
            double s = score(t, va, vb);
            total += p.weight() * config.loss().logitLoss(s, config.loss().marginOf(p.margin()), d);
            if (grad == null) continue;
            double ds = d[0] * p.weight() / wsum;
            double[] gva = new double[2 * k];
            double[] gvb = new double[2 * k];
            boolean useCtx = ctx > 0 && p.context().length == ctx;
            for (int l = 0; l < k; l++) {
                double lam = Scalars.softplus(t[l]);
                double cross = va[2 * l] * vb[2 * l + 1] - va[2 * l + 1] * vb[2 * l];
                double dt = ds * cross * Scalars.sigmoid(t[l]);       // softplus' = σ
                grad[offg + l] += dt;
                if (useCtx) Nums.addOuterRow(grad, offG, l, ctx, dt, p.context());
                gva[2 * l] += ds * lam * vb[2 * l + 1];
                gva[2 * l + 1] -= ds * lam * vb[2 * l];
                gvb[2 * l] -= ds * lam * va[2 * l + 1];
                gvb[2 * l + 1] += ds * lam * va[2 * l];
            }
            backNormalize(p.chosen(), va, gva, grad);
            backNormalize(p.rejected(), vb, gvb, grad);
        }
        return total / wsum;
    }

    /** v = u/‖u‖, u = Wy: ∂/∂u = (g − v (v·g)) / ‖u‖, then ∂/∂W_ij = (∂/∂u_i) y_j. */
    private void backNormalize(double[] y, double[] v, double[] gv, double[] grad) {
        double n = 0;
        double[] u = new double[2 * k];
        for (int i = 0; i < 2 * k; i++) {
            u[i] = Nums.dotRow(theta, 0, i, dim, y);
            n += u[i] * u[i];
        }
        n = Math.sqrt(n) + 1e-12;
        double vg = 0;
        for (int i = 0; i < 2 * k; i++) vg += v[i] * gv[i];
        for (int i = 0; i < 2 * k; i++) Nums.addOuterRow(grad, 0, i, dim, (gv[i] - v[i] * vg) / n, y);
    }
}
