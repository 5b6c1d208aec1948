package dev.prefer.reward.head;

import dev.prefer.core.Scalars;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * MiCRo: a mixture of K Bradley-Terry heads with context-aware routing (Shen et al. 2025, "MiCRo: Mixture Modeling
 * and Context-aware Routing for Personalized Preference Learning", EMNLP; stage 1 mixture, stage 2 routing).
 *
 * <pre>
 *   r_k(y) = w_kᵀ φ(y)                                       (K linear BT experts)
 *   π(c, u) = softmax(V c + b + β_u)                          (router over the context vector c, plus a per-annotator
 *                                                              bias β_u; β = 0 for an unknown annotator)
 *   P(a ≻ b | c, u) = Σ_k π_k σ(r_k(a) − r_k(b))              (a convex combination of BT preference distributions)
 *   L = −log P(chosen ≻ rejected)
 * </pre>
 *
 * Gradients, with posterior responsibilities q_k = π_k σ(z_k) / P and z_k = r_k(a) − r_k(b):
 * ∂L/∂z_k = −q_k σ(−z_k), ∂L/∂(router logit j) = π_j − q_j.
 * The scalar {@link #reward} is the routed expected reward Σ_k π_k r_k(y), used to rank candidates; the
 * pairwise {@link #logit} is the mixture's exact log-odds (not the difference of those rewards).
 * {@link #withNewAnnotator} fits only a new annotator's routing bias (online routing from a few pairs).
 *
 * <p>Parameter layout: W (K·d), V (K·dc), b (K), β (U·K).
 */
public final class MicroHead implements ScalarRewardHead {
    private final HeadConfig config;
    private final int dim;
    private final int ctx;
    private final int k;
    private final List<String> users;
    private final double[] theta;
    private final int offV;
    private final int offb;
    private final int offB;
    private boolean[] trainable;

    public MicroHead(HeadConfig config, int dim, int ctxDim, List<String> annotators, Random rnd) {
        this.config = config;
        this.dim = dim;
        this.ctx = ctxDim;
        this.k = config.components();
        this.users = List.copyOf(annotators);
        this.offV = k * dim;
        this.offb = offV + k * ctx;
        this.offB = offb + k;
        this.theta = new double[offB + users.size() * k];
        double s = 1.0 / Math.sqrt(dim);
        for (int i = 0; i < offV; i++) theta[i] = s * rnd.nextGaussian();
        for (int i = offV; i < offb; i++) theta[i] = 0.01 * rnd.nextGaussian();
        for (int i = offB; i < theta.length; i++) theta[i] = 0.1 * rnd.nextGaussian();
    }

    @Override
    public HeadConfig config() {
        return config;
    }

    @Override
    public double[] parameters() {
        return theta;
    }

    @Override
    public List<String> annotators() {
        return users;
    }

    @Override
    public boolean[] trainable() {
        return trainable;
    }

    /** Router weights π(c, u). */
    public double[] routing(double[] c, String annotator) {
        double[] a = routerLogits(c, annotator);
        double[] pi = new double[k];
        Scalars.softmax(a, 0, k, pi);
        return pi;
    }

    private double[] routerLogits(double[] c, String annotator) {
        double[] a = new double[k];
        int u = annotator == null ? -1 : users.indexOf(annotator);
        for (int j = 0; j < k; j++) {
            a[j] = theta[offb + j];
            if (ctx > 0 && c.length == ctx) a[j] += Nums.dotRow(theta, offV, j, ctx, c);
            if (u >= 0) a[j] += theta[offB + u * k + j];
        }
        return a;
    }

    private double expert(int j, double[] y) {
        return Nums.dotRow(theta, 0, j, dim, y);
    }

    @Override
    public double reward(double[] c, double[] y, String annotator) {
        double[] pi = routing(c, annotator);
        double r = 0;
        for (int j = 0; j < k; j++) r += pi[j] * expert(j, y);
        return r;
    }

    @Override
    public double logit(double[] c, double[] a, double[] b, String annotator) {
        double[] pi = routing(c, annotator);
        double[] lp = new double[k];
        double[] ln = new double[k];
        for (int j = 0; j < k; j++) {
            double z = expert(j, a) - expert(j, b);
            lp[j] = Math.log(pi[j]) + Scalars.logSigmoid(z);
            ln[j] = Math.log(pi[j]) + Scalars.logSigmoid(-z);
        }
        return Scalars.logSumExp(lp) - Scalars.logSumExp(ln);
    }

    @Override
    public double loss(List<EncodedPair> batch, double[] grad) {
        double wsum = 0;
        for (EncodedPair p : batch) wsum += p.weight();
        if (wsum == 0) return 0;
        double total = 0;
        double[] z = new double[k];
        double[] lp = new double[k];
        for (EncodedPair p : batch) {
            if (p.weight() == 0) continue;
            double[] pi = routing(p.context(), p.annotator());
            for (int j = 0; j < k; j++) {
                z[j] = expert(j, p.chosen()) - expert(j, p.rejected());
                lp[j] = Math.log(pi[j]) + Scalars.logSigmoid(z[j]);
            }
            double logP = Scalars.logSumExp(lp);
            total += -p.weight() * logP;
            if (grad == null) continue;
            double s = p.weight() / wsum;
            int u = p.annotator() == null ? -1 : users.indexOf(p.annotator());
            boolean useCtx = ctx > 0 && p.context().length == ctx;
            for (int j = 0; j < k; j++) {
                double q = Math.exp(lp[j] - logP);
                double dz = -s * q * Scalars.sigmoid(-z[j]);
                int base = j * dim;
                for (int i = 0; i < dim; i++) grad[base + i] += dz * (p.chosen()[i] - p.rejected()[i]);
                double da = s * (pi[j] - q);
                grad[offb + j] += da;
                if (useCtx) Nums.addOuterRow(grad, offV, j, ctx, da, p.context());
                if (u >= 0) grad[offB + u * k + j] += da;
            }
        }
        return total / wsum;
    }

    /** A copy with one more annotator whose routing bias (K numbers, starting at 0) is the only trainable part. */
    public MicroHead withNewAnnotator(String annotator) {
        if (users.contains(annotator)) throw new IllegalArgumentException("annotator already known: " + annotator);
        List<String> more = new ArrayList<>(users);
        more.add(annotator);
        MicroHead h = new MicroHead(config, dim, ctx, more, new Random(0));
        System.arraycopy(theta, 0, h.theta, 0, theta.length);
        Arrays.fill(h.theta, theta.length, h.theta.length, 0.0);
        h.trainable = new boolean[h.theta.length];
        Arrays.fill(h.trainable, theta.length, h.theta.length, true);
        return h;
    }
}
