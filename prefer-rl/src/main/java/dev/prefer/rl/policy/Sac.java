package dev.prefer.rl.policy;

import dev.prefer.rl.nn.Adam;
import dev.prefer.rl.nn.Mlp;
import java.util.Random;

/**
 * Soft actor-critic with twin Q-functions and automatic entropy-temperature tuning (Haarnoja et al. 2018, "Soft
 * Actor-Critic Algorithms and Applications", arXiv 1812.05905, Algorithm 1 and Eqs. 5, 7, 17-18), in double precision
 * with hand-written gradients, laid out as B-Pref's agent ({@code agent/sac.py}: {@code update_critic},
 * {@code update_actor_and_alpha}, {@code reset_critic}; {@code agent/actor.py}: {@code DiagGaussianActor},
 * {@code TanhTransform.log_abs_det_jacobian}).
 *
 * <ul>
 *   <li>Policy: a squashed Gaussian a = tanh(u), u = mu(s) + sigma(s) eps, eps ~ N(0, I); the actor MLP outputs mu and
 *       a raw r mapped to log sigma = lo + (hi - lo)(tanh(r) + 1)/2 (B-Pref's bounds [-5, 2]);
 *       log pi(a|s) = sum_i [log N(eps_i) - log sigma_i - log(1 - tanh(u_i)^2)], the last term in the stable form
 *       2(log 2 - u - softplus(-2u)).</li>
 *   <li>Critic (Eq. 5 with the clipped double-Q target): J_Q = mean over the batch of
 *       (Q1(s,a) - y)^2/2 + (Q2(s,a) - y)^2/2, y = r + gamma (1 - terminal)(min_j Qbar_j(s', a') - alpha log pi(a'|s')),
 *       a' ~ pi(.|s'), held fixed; targets Qbar follow by Polyak averaging with rate tau every {@code targetEvery} updates.</li>
 *   <li>Actor (Eq. 7 with reparameterisation): J_pi = mean of alpha log pi(a|s) - min_j Q_j(s, a), a = f(eps; s).</li>
 *   <li>Temperature (Eq. 18): J(alpha) = mean of alpha (-log pi(a|s) - Hbar), minimised over log alpha (B-Pref's
 *       form), target entropy Hbar = -dim(A).</li>
 * </ul>
 * Rewards come from the caller at update time (a PEBBLE loop relabels with its latest reward model). Every gradient
 * is checked against central finite differences in {@code SacTest}.
 */
public final class Sac implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Hyper-parameters (B-Pref {@code config/agent/sac.yaml}: init temperature 0.1, tau 0.005, target every 2). */
    public record Config(int hidden, double actorLr, double criticLr, double alphaLr, double gamma, double tau, int batch,
                         double initAlpha, boolean learnAlpha, double logStdMin, double logStdMax, int targetEvery) implements java.io.Serializable {
        public static Config defaults() {
            return new Config(64, 1e-3, 1e-3, 1e-3, 0.99, 0.005, 64, 0.1, true, -5, 2, 2);
        }
    }

    /** Reward of a stored transition: obs, action, next obs, the stored true reward (which only teachers/baselines read). */
    public interface RewardFn {
        double reward(double[] obs, double[] action, double[] next, double[] trueReward);
    }

    /** A reparameterised draw: the action, its log-density and what backpropagation needs. */
    public record Sample(double[] action, double logProb, double[] u, double[] sigma, double[] raw, double[] eps, Mlp.Trace trace) {
    }

    private final Config c;
    private final int obsSize;
    private final int dim;
    private final double targetEntropy;
    private final Mlp actor;
    private Mlp q1;
    private Mlp q2;
    private Mlp q1t;
    private Mlp q2t;
    private final Adam actorOpt;
    private Adam q1Opt;
    private Adam q2Opt;
    private final Adam alphaOpt;
    private final double[] logAlpha = new double[1];
    private final Random init;
    private int updates;

    public Sac(int obsSize, int actionSize, Config c, Random rng) {
        this.c = c;
        this.obsSize = obsSize;
        this.dim = actionSize;
        this.targetEntropy = -actionSize;
        this.init = rng;
        actor = new Mlp(rng, obsSize, c.hidden(), c.hidden(), 2 * actionSize);
        actorOpt = new Adam(actor.params().length, c.actorLr());
        logAlpha[0] = Math.log(c.initAlpha());
        alphaOpt = new Adam(1, c.alphaLr());
        resetCritic();
    }

    /** Fresh critics and targets (PEBBLE does this after unsupervised exploration: B-Pref {@code reset_critic}). */
    public void resetCritic() {
        q1 = new Mlp(init, obsSize + dim, c.hidden(), c.hidden(), 1);
        q2 = new Mlp(init, obsSize + dim, c.hidden(), c.hidden(), 1);
        q1t = q1.copy();
        q2t = q2.copy();
        q1Opt = new Adam(q1.params().length, c.criticLr());
        q2Opt = new Adam(q2.params().length, c.criticLr());
    }

    public Mlp actor() { return actor; }
    public Mlp q1() { return q1; }
    public Mlp q2() { return q2; }
    public double alpha() { return Math.exp(logAlpha[0]); }
    public double[] logAlpha() { return logAlpha; }
    public double targetEntropy() { return targetEntropy; }

    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    /** log N(u; mu, sigma) - log(1 - tanh(u)^2) summed over dimensions, with eps = (u - mu)/sigma. */
    public static double logProb(double[] eps, double[] logSigma, double[] u) {
        double lp = 0;
        for (int i = 0; i < u.length; i++) {
            lp += -0.5 * eps[i] * eps[i] - logSigma[i] - 0.5 * Math.log(2 * Math.PI)
                    - 2 * (Math.log(2) - u[i] - softplus(-2 * u[i]));
        }
        return lp;
    }

    /** The squashed-Gaussian draw for the noise eps (reparameterisation). */
    public Sample sample(double[] obs, double[] eps) {
        Mlp.Trace tr = actor.forward(obs);
        double[] out = tr.output();
        double[] u = new double[dim];
        double[] a = new double[dim];
        double[] sigma = new double[dim];
        double[] logSigma = new double[dim];
        double[] raw = new double[dim];
        for (int i = 0; i < dim; i++) {
            raw[i] = out[dim + i];
            logSigma[i] = c.logStdMin() + 0.5 * (c.logStdMax() - c.logStdMin()) * (Math.tanh(raw[i]) + 1);
            sigma[i] = Math.exp(logSigma[i]);
            u[i] = out[i] + sigma[i] * eps[i];
            a[i] = Math.tanh(u[i]);
        }
        return new Sample(a, logProb(eps, logSigma, u), u, sigma, raw, eps, tr);
    }

    static double[] gaussian(int n, Random rng) {
        double[] e = new double[n];
        for (int i = 0; i < n; i++) {
            e[i] = rng.nextGaussian();
        }
        return e;
    }

    /** A stochastic action (exploration). */
    public double[] act(double[] obs, Random rng) {
        return sample(obs, gaussian(dim, rng)).action();
    }

    /** The deterministic action tanh(mu(s)) used for evaluation (B-Pref's {@code act(sample=False)}). */
    public double[] mean(double[] obs) {
        double[] out = actor.apply(obs);
        double[] a = new double[dim];
        for (int i = 0; i < dim; i++) {
            a[i] = Math.tanh(out[i]);
        }
        return a;
    }

    static double[] concat(double[] x, double[] a) {
        double[] in = new double[x.length + a.length];
        System.arraycopy(x, 0, in, 0, x.length);
        System.arraycopy(a, 0, in, x.length, a.length);
        return in;
    }

    /** The critic target y for transition k with next-action noise eps (no gradient flows through it). */
    public double target(ReplayBuffer buf, int k, double[] eps, RewardFn reward) {
        double y = reward.reward(buf.obs(k), buf.actionVec(k), buf.next(k), buf.trueReward(k));
        if (!buf.terminal(k)) {
            Sample s = sample(buf.next(k), eps);
            double[] in = concat(buf.next(k), s.action());
            double v = Math.min(q1t.apply(in)[0], q2t.apply(in)[0]) - alpha() * s.logProb();
            y += c.gamma() * v;
        }
        return y;
    }

    /**
     * J_Q over the transitions idx with next-action noises eps[i]; adds dJ/dparams of Q1 into g1 and of Q2 into g2
     * (either may be null).
     */
    public double criticLossAndGradient(ReplayBuffer buf, int[] idx, double[][] eps, RewardFn reward, double[] g1, double[] g2) {
        double loss = 0;
        int n = idx.length;
        for (int i = 0; i < n; i++) {
            int k = idx[i];
            double y = target(buf, k, eps[i], reward);
            double[] in = concat(buf.obs(k), buf.actionVec(k));
            Mlp.Trace t1 = q1.forward(in);
            Mlp.Trace t2 = q2.forward(in);
            double d1 = t1.output()[0] - y;
            double d2 = t2.output()[0] - y;
            loss += 0.5 * (d1 * d1 + d2 * d2);
            if (g1 != null) {
                q1.backward(t1, new double[] {d1 / n}, g1);
            }
            if (g2 != null) {
                q2.backward(t2, new double[] {d2 / n}, g2);
            }
        }
        return loss / n;
    }

    /**
     * J_pi over the observations with noises eps[i] at the current alpha; adds dJ/dparams of the actor into grad
     * (may be null). Returns {loss, mean log pi}.
     */
    public double[] actorLossAndGradient(double[][] obs, double[][] eps, double[] grad) {
        double loss = 0;
        double meanLogp = 0;
        int n = obs.length;
        double alpha = alpha();
        double half = 0.5 * (c.logStdMax() - c.logStdMin());
        for (int i = 0; i < n; i++) {
            Sample s = sample(obs[i], eps[i]);
            double[] in = concat(obs[i], s.action());
            Mlp.Trace t1 = q1.forward(in);
            Mlp.Trace t2 = q2.forward(in);
            boolean first = t1.output()[0] <= t2.output()[0];
            double qmin = first ? t1.output()[0] : t2.output()[0];
            loss += alpha * s.logProb() - qmin;
            meanLogp += s.logProb();
            if (grad == null) {
                continue;
            }
            // dJ/da = -dQmin/da (the Q parameters' gradient goes to a scratch array and is dropped)
            double[] scratch = new double[q1.params().length];
            double[] dIn = first ? q1.backward(t1, new double[] {-1.0 / n}, scratch) : q2.backward(t2, new double[] {-1.0 / n}, scratch);
            double[] dOut = new double[2 * dim];
            for (int j = 0; j < dim; j++) {
                double a = s.action()[j];
                double du = dIn[obs[i].length + j] * (1 - a * a) + alpha * 2 * a / n;   // d log pi / du = 2 tanh(u)
                dOut[j] = du;                                                          // du/dmu = 1
                double dLogSigma = du * s.sigma()[j] * s.eps()[j] - alpha / n;         // du/dlog sigma = sigma eps; explicit -log sigma
                double th = Math.tanh(s.raw()[j]);
                dOut[dim + j] = dLogSigma * half * (1 - th * th);
            }
            actor.backward(s.trace(), dOut, grad);
        }
        return new double[] {loss / n, meanLogp / n};
    }

    /** J(alpha) = alpha * (-meanLogp - Hbar); returns {loss, dJ/dlog alpha}. */
    public double[] alphaLossAndGradient(double meanLogp) {
        double alpha = alpha();
        double f = -meanLogp - targetEntropy;
        return new double[] {alpha * f, alpha * f};
    }

    /** One update: critic, then actor and temperature on the same batch, then (every targetEvery) the targets. */
    public void update(ReplayBuffer buf, RewardFn reward, Random rng) {
        int n = c.batch();
        int[] idx = new int[n];
        double[][] nextEps = new double[n][];
        double[][] eps = new double[n][];
        double[][] obs = new double[n][];
        for (int i = 0; i < n; i++) {
            idx[i] = rng.nextInt(buf.size());
            nextEps[i] = gaussian(dim, rng);
            eps[i] = gaussian(dim, rng);
            obs[i] = buf.obs(idx[i]);
        }
        double[] g1 = new double[q1.params().length];
        double[] g2 = new double[q2.params().length];
        criticLossAndGradient(buf, idx, nextEps, reward, g1, g2);
        q1Opt.step(q1.params(), g1);
        q2Opt.step(q2.params(), g2);
        double[] ga = new double[actor.params().length];
        double[] r = actorLossAndGradient(obs, eps, ga);
        actorOpt.step(actor.params(), ga);
        if (c.learnAlpha()) {
            alphaOpt.step(logAlpha, new double[] {alphaLossAndGradient(r[1])[1]});
        }
        if (++updates % c.targetEvery() == 0) {
            polyak(q1, q1t);
            polyak(q2, q2t);
        }
    }

    private void polyak(Mlp online, Mlp target) {
        double[] p = online.params();
        double[] t = target.params();
        for (int i = 0; i < p.length; i++) {
            t[i] = c.tau() * p[i] + (1 - c.tau()) * t[i];
        }
    }
}
