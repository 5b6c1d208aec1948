package dev.prefer.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.rl.nn.Adam;
import dev.prefer.rl.nn.Mlp;
import dev.prefer.rl.policy.ActionSegment;
import dev.prefer.rl.policy.ContinuousCpl;
import dev.prefer.rl.policy.Cpl;
import dev.prefer.rl.policy.GaussianPolicy;
import dev.prefer.rl.teacher.Label;
import dev.prefer.rl.teacher.Teacher;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** CPL for continuous actions: the Gaussian log-density, its double twin against finite differences, a bandit. */
class ContinuousCplTest {

    static ActionSegment segment(Random rng, int len) {
        double[][] o = new double[len][];
        double[][] a = new double[len][];
        double[][] r = new double[len][];
        for (int t = 0; t < len; t++) {
            o[t] = rng.doubles(3, -1, 1).toArray();
            a[t] = rng.doubles(2, -1.2, 1.2).toArray();
            r[t] = new double[] {rng.nextDouble()};
        }
        return new ActionSegment(o, a, r);
    }

    @Test
    void cplAndBcGradientsMatchFiniteDifferencesForFixedAndLearnedSigma() {
        for (boolean learned : new boolean[] {false, true}) {
            Random rng = new Random(learned ? 11 : 12);
            GaussianPolicy pi = learned ? GaussianPolicy.learned(rng, 3, 6, 2, -2, 1) : GaussianPolicy.fixed(rng, 3, 6, 2, -0.3);
            List<ContinuousCpl.Pair> pairs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                pairs.add(new ContinuousCpl.Pair(segment(rng, 3), segment(rng, 3), i == 3 ? 0.5 : i % 2));
            }
            Cpl.Config c = new Cpl.Config(0.5, 0.6, 0.9, 0.3, 1, 4, 1e-3);
            double[] grad = new double[pi.net().params().length];
            ContinuousCpl.lossAndGradient(pi, pairs, c, grad);
            List<ActionSegment> segs = List.of(pairs.get(0).first(), pairs.get(1).second());
            double[] bcGrad = new double[grad.length];
            ContinuousCpl.bcLossAndGradient(pi, segs, bcGrad);
            for (int i = 0; i < grad.length; i++) {
                assertEquals(PolicyTest.fd(pi.net().params(), i, () -> ContinuousCpl.lossAndGradient(pi, pairs, c, null)), grad[i], 1e-7,
                        "CPL parameter " + i + (learned ? " (learned sigma)" : ""));
                assertEquals(PolicyTest.fd(pi.net().params(), i, () -> ContinuousCpl.bcLossAndGradient(pi, segs, null)), bcGrad[i], 1e-7,
                        "BC parameter " + i);
            }
        }
    }

    @Test
    void logDensityIsTheGaussianOneAndTheFixedFormIsTheReferencesMse() {
        Random rng = new Random(13);
        double[] s = {0.2, -0.4, 0.9};
        // fixed sigma^2 = 1/2: jhejna/cpl's lp = -||mu(s) - a||^2
        GaussianPolicy fixed = GaussianPolicy.fixed(rng, 3, 5, 2, 0.5 * Math.log(0.5));
        double[] mu = fixed.mean(s);
        double[] a = {0.3, -0.7};
        double mse = (mu[0] - a[0]) * (mu[0] - a[0]) + (mu[1] - a[1]) * (mu[1] - a[1]);
        assertEquals(-mse, fixed.logProb(fixed.net().forward(s), a), 1e-12);
        // learned sigma: exp(log pi) integrates to 1 over R^2 (midpoint rule on [-12, 12]^2; sigma <= e^0.5)
        GaussianPolicy learned = GaussianPolicy.learned(rng, 3, 5, 2, -1, 0.5);
        Mlp.Trace tr = learned.net().forward(s);
        double h = 0.02;
        double mass = 0;
        for (double x = -12 + h / 2; x < 12; x += h) {
            for (double y = -12 + h / 2; y < 12; y += h) {
                mass += Math.exp(learned.logProb(tr, new double[] {x, y})) * h * h;
            }
        }
        assertEquals(1.0, mass, 1e-6);
        // the sample mean of many draws is the mean action
        double[] sum = new double[2];
        for (int i = 0; i < 20000; i++) {
            double[] d = learned.sample(s, rng);
            sum[0] += d[0] / 20000;
            sum[1] += d[1] / 20000;
        }
        double[] m = learned.mean(s);
        assertEquals(m[0], sum[0], 0.05);
        assertEquals(m[1], sum[1], 0.05);
    }

    /**
     * A one-state continuous bandit with reward -(a - 0.3)^2 and actions uniform in [-0.5, 1.1] (symmetric about the
     * best action, so the fit's optimum is there even when the policy's curvature does not match the reward's): from
     * the oracle's preferences alone (no BC) CPL moves the mean action to the best one, for both variances.
     */
    @Test
    void cplFindsTheBestActionOfAContinuousBandit() {
        for (boolean learned : new boolean[] {false, true}) {
            Random rng = new Random(14);
            double[] x = {1.0};
            List<ContinuousCpl.Pair> pairs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                double a = 1.6 * rng.nextDouble() - 0.5;
                double b = 1.6 * rng.nextDouble() - 0.5;
                double ra = -(a - 0.3) * (a - 0.3);
                double rb = -(b - 0.3) * (b - 0.3);
                Label l = Teacher.oracle().label(new double[] {ra}, new double[] {rb}, rng);
                pairs.add(new ContinuousCpl.Pair(new ActionSegment(new double[][] {x}, new double[][] {{a}}, new double[][] {{ra}}),
                        new ActionSegment(new double[][] {x}, new double[][] {{b}}, new double[][] {{rb}}), l.firstProbability()));
            }
            GaussianPolicy pi = learned ? GaussianPolicy.learned(rng, 1, 8, 1, -3, 0) : GaussianPolicy.fixed(rng, 1, 8, 1, -1);
            Cpl.Config c = new Cpl.Config(1.0, 1.0, 1.0, 0.0, 400, 32, 1e-2);
            ContinuousCpl.train(pi, pairs, c, new Adam(pi.net().params().length, c.lr()), rng);
            assertEquals(0.3, pi.mean(x)[0], 0.05, learned ? "learned sigma" : "fixed sigma");
        }
    }

    @Test
    void bcPretrainingRecoversTheDatasetsMeanAction() {
        Random rng = new Random(15);
        List<ActionSegment> data = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            double s = 2 * rng.nextDouble() - 1;
            data.add(new ActionSegment(new double[][] {{s}}, new double[][] {{0.6 * s + 0.1 * rng.nextGaussian()}}, new double[][] {{0}}));
        }
        GaussianPolicy pi = GaussianPolicy.fixed(rng, 1, 8, 1, 0.5 * Math.log(0.5));
        ContinuousCpl.pretrain(pi, data, 600, 16, new Adam(pi.net().params().length, 1e-2), rng);
        for (double s : new double[] {-0.8, 0, 0.7}) {
            assertEquals(0.6 * s, pi.mean(new double[] {s})[0], 0.06);
        }
        assertTrue(ContinuousCpl.bcLossAndGradient(pi, data, null) < 0.05);
    }

    /**
     * The reacher dataset: decoy 0 gives exactly the default data (no extra random draws); with every episode sent to
     * the decoy the scripted segments end farther from the goal, so the teacher's returns are lower on average.
     */
    @Test
    void decoyEpisodesLeaveTheDefaultDataAloneAndLowerTheReturns() {
        var plain = dev.prefer.rl.experiments.ContinuousStudy.dataset(6, 10, 3);
        var zero = dev.prefer.rl.experiments.ContinuousStudy.dataset(6, 10, 3, 0);
        var all = dev.prefer.rl.experiments.ContinuousStudy.dataset(6, 10, 3, 1);
        assertEquals(plain.size(), zero.size());
        double rPlain = 0;
        double rAll = 0;
        for (int i = 0; i < plain.size(); i++) {
            for (int t = 0; t < 10; t++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(plain.get(i).actions()[t], zero.get(i).actions()[t], 0.0);
                rPlain += plain.get(i).rewards()[t][0];
                rAll += all.get(i).rewards()[t][0];
            }
        }
        assertTrue(rAll < rPlain - 10, rAll + " vs " + rPlain);
    }
}
