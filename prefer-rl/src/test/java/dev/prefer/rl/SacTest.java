package dev.prefer.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.rl.policy.ReplayBuffer;
import dev.prefer.rl.policy.Sac;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * SAC's three losses (Haarnoja et al. 2018, arXiv 1812.05905) against central finite differences, the squashed
 * Gaussian's density against numerical integration, and the temperature's fixed point on a one-step task.
 */
class SacTest {
    static double fd(double[] x, int i, DoubleSupplier f) {
        return PolicyTest.fd(x, i, f);
    }

    static Sac small(Random rng) {
        return new Sac(3, 2, new Sac.Config(6, 1e-3, 1e-3, 1e-3, 0.9, 0.005, 8, 0.3, true, -5, 2, 2), rng);
    }

    static ReplayBuffer buffer(Random rng, int n) {
        ReplayBuffer buf = new ReplayBuffer(n);
        for (int i = 0; i < n; i++) {
            buf.add(rng.doubles(3, -1, 1).toArray(), rng.doubles(2, -1, 1).toArray(), new double[] {rng.nextGaussian()},
                    rng.doubles(3, -1, 1).toArray(), i % 4 == 0, i / 5);
        }
        return buf;
    }

    @Test
    void criticGradientOfBothQFunctionsMatchesFiniteDifferences() {
        Random rng = new Random(1);
        Sac sac = small(rng);
        ReplayBuffer buf = buffer(rng, 8);
        int[] idx = {0, 1, 2, 3, 4, 5, 6, 7};
        double[][] eps = new double[8][];
        for (int i = 0; i < 8; i++) {
            eps[i] = new double[] {rng.nextGaussian(), rng.nextGaussian()};
        }
        Sac.RewardFn r = (o, a, n, tr) -> tr[0] + 0.5 * a[0];
        double[] g1 = new double[sac.q1().params().length];
        double[] g2 = new double[sac.q2().params().length];
        sac.criticLossAndGradient(buf, idx, eps, r, g1, g2);
        for (int i = 0; i < g1.length; i++) {
            assertEquals(fd(sac.q1().params(), i, () -> sac.criticLossAndGradient(buf, idx, eps, r, null, null)), g1[i], 1e-7);
            assertEquals(fd(sac.q2().params(), i, () -> sac.criticLossAndGradient(buf, idx, eps, r, null, null)), g2[i], 1e-7);
        }
    }

    @Test
    void actorGradientThroughTheReparameterisedSquashedGaussianMatchesFiniteDifferences() {
        Random rng = new Random(2);
        Sac sac = small(rng);
        double[][] obs = new double[6][];
        double[][] eps = new double[6][];
        for (int i = 0; i < 6; i++) {
            obs[i] = rng.doubles(3, -1, 1).toArray();
            eps[i] = new double[] {rng.nextGaussian(), rng.nextGaussian()};
        }
        // scale the raw log-sigma outputs' weights so sigma is far from both bounds and the tanh terms matter
        double[] g = new double[sac.actor().params().length];
        sac.actorLossAndGradient(obs, eps, g);
        for (int i = 0; i < g.length; i++) {
            assertEquals(fd(sac.actor().params(), i, () -> sac.actorLossAndGradient(obs, eps, null)[0]), g[i], 1e-7, "actor parameter " + i);
        }
        // the temperature: dJ/dlog alpha for a fixed mean log pi
        double meanLogp = sac.actorLossAndGradient(obs, eps, null)[1];
        double[] la = sac.logAlpha();
        assertEquals(fd(la, 0, () -> sac.alphaLossAndGradient(meanLogp)[0]), sac.alphaLossAndGradient(meanLogp)[1], 1e-8);
        // and J_pi's dependence on alpha is alpha * mean log pi
        double j0 = sac.actorLossAndGradient(obs, eps, null)[0];
        la[0] += Math.log(2);
        assertEquals(sac.alpha() / 2 * meanLogp, sac.actorLossAndGradient(obs, eps, null)[0] - j0, 1e-12);
    }

    /** The density of a = tanh(mu + sigma eps) integrates to 1 over (-1, 1) and matches a histogram of draws. */
    @Test
    void squashedGaussianDensityIsNormalised() {
        for (double[] ms : new double[][] {{0.0, 0.0}, {0.7, -0.5}, {-1.5, 0.4}}) {
            double mu = ms[0];
            double logSigma = ms[1];
            double sigma = Math.exp(logSigma);
            int n = 200_000;
            double integral = 0;
            for (int k = 0; k < n; k++) {
                double a = -1 + (k + 0.5) * 2.0 / n;
                double u = 0.5 * Math.log((1 + a) / (1 - a));
                integral += Math.exp(Sac.logProb(new double[] {(u - mu) / sigma}, new double[] {logSigma}, new double[] {u})) * 2.0 / n;
            }
            assertEquals(1.0, integral, 1e-4, "mu " + mu + " log sigma " + logSigma);
        }
    }

    /**
     * A one-step task (terminal transitions, so Q(s, a) = r): reward -(a - 0.3)^2 in one dimension. SAC with a learned
     * temperature moves the mean action to 0.3 and drives the policy's entropy -E[log pi] to the target -dim(A) = -1
     * (Eq. 18's constraint holds with equality once alpha is tuned).
     */
    @Test
    void temperatureTuningReachesTheTargetEntropyOnAOneStepTask() {
        Random rng = new Random(3);
        Sac sac = new Sac(1, 1, new Sac.Config(16, 3e-3, 3e-3, 1e-2, 0.99, 0.005, 32, 0.1, true, -5, 2, 2), rng);
        ReplayBuffer buf = new ReplayBuffer(2000);
        double[] x = {1.0};
        Sac.RewardFn r = (o, a, n, tr) -> -(a[0] - 0.3) * (a[0] - 0.3);
        for (int step = 0; step < 3000; step++) {
            double[] a = sac.act(x, rng);
            buf.add(x, a, new double[] {0}, x, true, step);
            if (step >= 32) {
                sac.update(buf, r, rng);
            }
        }
        assertEquals(0.3, sac.mean(x)[0], 0.05, "mean action");
        double[][] obs = new double[4000][];
        double[][] eps = new double[4000][];
        for (int i = 0; i < obs.length; i++) {
            obs[i] = x;
            eps[i] = new double[] {rng.nextGaussian()};
        }
        double entropy = -sac.actorLossAndGradient(obs, eps, null)[1];
        assertEquals(sac.targetEntropy(), entropy, 0.25, "policy entropy near the target, alpha " + sac.alpha());
        assertTrue(sac.alpha() < 0.05, "alpha decreased from its start (0.1) towards 2 sigma^2 = 0.016");
    }
}
