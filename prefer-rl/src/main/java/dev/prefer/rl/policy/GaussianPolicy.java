package dev.prefer.rl.policy;

import dev.prefer.rl.nn.Mlp;
import java.util.Random;

/**
 * A diagonal Gaussian policy over continuous actions, pi(a | s) = N(a; mu(s), diag sigma(s)^2), for CPL, where the
 * advantage is alpha log pi(a | s) of the dataset's actions (Hejna et al. 2023, Sec. 3). The MLP's first dim outputs
 * o give the mean mu = tanh(o) (bounded like jhejna/cpl's {@code ContinuousMLPActor} with its tanh output,
 * {@code configs/mw_state_sparse/cpl_bc.yaml}); the standard deviation is either fixed (then the MLP has dim outputs)
 * or learned per state from dim more outputs r, log sigma = lo + (hi - lo)(tanh(r) + 1)/2 (SAC's bounded form,
 * {@link Sac}).
 * <pre>  log pi(a | s) = sum_i [ -(a_i - mu_i)^2 / (2 sigma_i^2) - log sigma_i - log(2 pi)/2 ] </pre>
 * With a fixed sigma the constant -log sigma - log(2 pi)/2 per dimension is dropped, as the reference code does
 * ("for independent gaussian with unit var, logprob reduces to MSE": {@code lp = -||mu(s) - a||^2},
 * {@code research/algs/cpl.py}, {@code _get_cpl_loss}), which is this form at sigma^2 = 1/2; the constant cancels in
 * CPL's loss only for lambda = 1.
 * The density is over R^dim: the environment clips the action, the policy does not squash it.
 */
public final class GaussianPolicy implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
    private final Mlp net;
    private final int dim;
    private final boolean learnStd;
    private final double fixedLogStd;
    private final double lo;
    private final double hi;

    /** Learned state-dependent sigma with log sigma in [lo, hi]. */
    public static GaussianPolicy learned(Random rng, int obsSize, int hidden, int dim, double lo, double hi) {
        if (!(lo < hi)) {
            throw new IllegalArgumentException("GaussianPolicy: log-std bounds " + lo + " >= " + hi);
        }
        return new GaussianPolicy(new Mlp(rng, obsSize, hidden, hidden, 2 * dim), dim, true, Double.NaN, lo, hi);
    }

    /** Fixed sigma = exp(logStd) in every dimension (log pi up to its constant; log(1/2)/2 gives -||mu - a||^2). */
    public static GaussianPolicy fixed(Random rng, int obsSize, int hidden, int dim, double logStd) {
        return new GaussianPolicy(new Mlp(rng, obsSize, hidden, hidden, dim), dim, false, logStd, 0, 0);
    }

    private GaussianPolicy(Mlp net, int dim, boolean learnStd, double fixedLogStd, double lo, double hi) {
        this.net = net;
        this.dim = dim;
        this.learnStd = learnStd;
        this.fixedLogStd = fixedLogStd;
        this.lo = lo;
        this.hi = hi;
    }

    public Mlp net() {
        return net;
    }

    public int dim() {
        return dim;
    }

    /** The mean action tanh(o(s)), used for evaluation (deterministic). */
    public double[] mean(double[] obs) {
        double[] o = net.apply(obs);
        double[] mu = new double[dim];
        for (int i = 0; i < dim; i++) {
            mu[i] = Math.tanh(o[i]);
        }
        return mu;
    }

    private double logStd(double[] out, int i) {
        return learnStd ? lo + 0.5 * (hi - lo) * (Math.tanh(out[dim + i]) + 1) : fixedLogStd;
    }

    /** A draw a ~ pi(. | s). */
    public double[] sample(double[] obs, Random rng) {
        double[] o = net.apply(obs);
        double[] a = new double[dim];
        for (int i = 0; i < dim; i++) {
            a[i] = Math.tanh(o[i]) + Math.exp(logStd(o, i)) * rng.nextGaussian();
        }
        return a;
    }

    /** log pi(a | s) from a forward trace of s. */
    public double logProb(Mlp.Trace tr, double[] a) {
        double[] o = tr.output();
        double lp = 0;
        for (int i = 0; i < dim; i++) {
            double ls = logStd(o, i);
            double z = (a[i] - Math.tanh(o[i])) / Math.exp(ls);
            lp += learnStd ? -0.5 * z * z - ls - HALF_LOG_2PI : -0.5 * z * z;
        }
        return lp;
    }

    /** Adds dLoss/dparams to grad, given dLoss/dlog pi(a | s) and the forward trace of s. */
    public void backward(Mlp.Trace tr, double[] a, double dLdlogp, double[] grad) {
        if (dLdlogp == 0) {
            return;
        }
        double[] o = tr.output();
        double[] d = new double[o.length];
        for (int i = 0; i < dim; i++) {
            double mu = Math.tanh(o[i]);
            double ls = logStd(o, i);
            double var = Math.exp(2 * ls);
            d[i] = dLdlogp * (a[i] - mu) / var * (1 - mu * mu);              // dlogp/dmu * dmu/do
            if (learnStd) {
                double z2 = (a[i] - mu) * (a[i] - mu) / var;
                double th = Math.tanh(o[dim + i]);
                d[dim + i] = dLdlogp * (z2 - 1) * 0.5 * (hi - lo) * (1 - th * th);   // dlogp/dlog sigma * dlog sigma/dr
            }
        }
        net.backward(tr, d, grad);
    }
}
