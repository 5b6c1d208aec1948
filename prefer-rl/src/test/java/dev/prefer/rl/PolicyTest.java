package dev.prefer.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.rl.nn.Mlp;
import dev.prefer.rl.policy.Cpl;
import dev.prefer.rl.policy.CplLoss;
import dev.prefer.rl.policy.SegmentData;
import dev.prefer.rl.policy.SoftmaxPolicy;
import dev.prefer.rl.reward.RewardEnsemble;
import dev.prefer.rl.teacher.Label;
import dev.prefer.rl.teacher.Teacher;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** Double-precision twins of the CPL loss, the MLP and the reward ensemble against central finite differences. */
class PolicyTest {
    static final double H = 1e-6;

    static double fd(double[] x, int i, DoubleSupplier f) {
        double old = x[i];
        x[i] = old + H;
        double up = f.getAsDouble();
        x[i] = old - H;
        double down = f.getAsDouble();
        x[i] = old;
        return (up - down) / (2 * H);
    }

    @Test
    void cplLossGradientsMatchFiniteDifferences() {
        Random rng = new Random(1);
        for (double lambda : new double[] {1.0, 0.5}) {
            for (double gamma : new double[] {1.0, 0.9}) {
                for (double y : new double[] {1.0, 0.0, 0.5}) {
                    double[] a = rng.doubles(5, -3, 0).toArray();
                    double[] b = rng.doubles(5, -3, 0).toArray();
                    CplLoss.Result r = CplLoss.of(a, b, y, 0.7, gamma, lambda);
                    for (int t = 0; t < 5; t++) {
                        assertEquals(fd(a, t, () -> CplLoss.of(a, b, y, 0.7, gamma, lambda).loss()), r.grad1()[t], 1e-8);
                        assertEquals(fd(b, t, () -> CplLoss.of(a, b, y, 0.7, gamma, lambda).loss()), r.grad2()[t], 1e-8);
                    }
                }
            }
        }
    }

    @Test
    void cplLossIdentitiesAndStability() {
        double[] a = {-1.0, -2.0};
        // equal scores, unbiased: -log(1/2)
        assertEquals(Math.log(2), CplLoss.of(a, a, 1, 1, 1, 1).loss(), 1e-15);
        // lambda = 1 reduces to Bradley-Terry on the scores: softplus(S2 - S1)
        double[] b = {-0.5, -0.25};
        assertEquals(Math.log1p(Math.exp(-0.75 - (-3.0))), CplLoss.of(a, b, 1, 1, 1, 1).loss(), 1e-14);   // S1 = -3, S2 = -0.75
        // conservative bias: -log(e^{S1} / (e^{S1} + e^{lambda S2})), S1 = -0.75, S2 = -3, lambda = 0.5
        assertEquals(-(-0.75) + Math.log(Math.exp(-0.75) + Math.exp(-1.5)), CplLoss.of(b, a, 1, 1, 1, 0.5).loss(), 1e-14);
        CplLoss.Result big = CplLoss.of(new double[] {-100}, new double[] {-1e-9}, 1, 1, 1, 1);
        assertEquals(100, big.loss(), 1e-6);
        assertTrue(Double.isFinite(big.grad1()[0]) && Double.isFinite(big.grad2()[0]));
    }

    @Test
    void mlpBackwardMatchesFiniteDifferences() {
        Random rng = new Random(2);
        Mlp net = new Mlp(rng, 3, 5, 4, 2);
        double[] x = rng.doubles(3, -1, 1).toArray();
        double[] c = {0.3, -1.2};
        DoubleSupplier f = () -> {
            double[] o = net.apply(x);
            return c[0] * o[0] + c[1] * o[1];
        };
        double[] grad = new double[net.params().length];
        double[] dx = net.backward(net.forward(x), c, grad);
        for (int i = 0; i < grad.length; i++) {
            assertEquals(fd(net.params(), i, f), grad[i], 1e-8);
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(fd(x, i, f), dx[i], 1e-8);
        }
    }

    static SegmentData randomSegment(Random rng, int len, int obs, int actions) {
        double[][] o = new double[len][];
        int[] a = new int[len];
        double[][] r = new double[len][];
        for (int t = 0; t < len; t++) {
            o[t] = rng.doubles(obs, -1, 1).toArray();
            a[t] = rng.nextInt(actions);
            r[t] = new double[] {rng.nextDouble()};
        }
        return new SegmentData(o, a, r);
    }

    @Test
    void cplThroughThePolicyMatchesFiniteDifferences() {
        Random rng = new Random(3);
        SoftmaxPolicy pi = new SoftmaxPolicy(rng, 3, 6, 4);
        List<Cpl.Pair> pairs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pairs.add(new Cpl.Pair(randomSegment(rng, 3, 3, 4), randomSegment(rng, 3, 3, 4), i == 3 ? 0.5 : i % 2));
        }
        Cpl.Config c = new Cpl.Config(0.5, 0.7, 0.95, 0.2, 1, 4, 1e-3);
        double[] grad = new double[pi.net().params().length];
        Cpl.lossAndGradient(pi, pairs, c, grad);
        for (int i = 0; i < grad.length; i += 7) {
            assertEquals(fd(pi.net().params(), i, () -> Cpl.lossAndGradient(pi, pairs, c, new double[grad.length])), grad[i], 1e-7);
        }
    }

    @Test
    void rewardEnsembleGradientMatchesFiniteDifferences() {
        Random rng = new Random(4);
        RewardEnsemble model = new RewardEnsemble(2, 3, 4, 5, 1e-3, rng);
        List<RewardEnsemble.Pair> pairs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pairs.add(new RewardEnsemble.Pair(randomSegment(rng, 4, 3, 4), randomSegment(rng, 4, 3, 4), i == 4 ? 0.5 : i % 2));
        }
        double[] grad = new double[model.member(1).params().length];
        model.lossAndGradient(1, pairs, grad);
        for (int i = 0; i < grad.length; i += 3) {
            assertEquals(fd(model.member(1).params(), i, () -> model.lossAndGradient(1, pairs, null)), grad[i], 1e-8);
        }
    }

    @Test
    void dqnTdLossGradientMatchesFiniteDifferences() {
        Random rng = new Random(6);
        dev.prefer.rl.policy.Dqn dqn = new dev.prefer.rl.policy.Dqn(3, 4, new dev.prefer.rl.policy.Dqn.Config(6, 1e-3, 0.9, 8, 100), rng);
        dev.prefer.rl.policy.ReplayBuffer buf = new dev.prefer.rl.policy.ReplayBuffer(20);
        for (int i = 0; i < 10; i++) {
            // rewards of 3 make some TD errors exceed 1 (the Huber loss's linear part)
            buf.add(rng.doubles(3, -1, 1).toArray(), rng.nextInt(4), new double[] {3 * rng.nextGaussian()}, rng.doubles(3, -1, 1).toArray(), i % 3 == 0, 0);
        }
        int[] idx = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        dev.prefer.rl.policy.Dqn.RewardFn r = (o, a, n, tr) -> tr[0];
        double[] grad = new double[dqn.network().params().length];
        dqn.tdLossAndGradient(buf, idx, r, grad);
        for (int i = 0; i < grad.length; i++) {
            assertEquals(fd(dqn.network().params(), i, () -> dqn.tdLossAndGradient(buf, idx, r, null)), grad[i], 1e-7);
        }
    }

    @Test
    void conditionedDqnLossGradientMatchesFiniteDifferences() {
        Random rng = new Random(7);
        var m = new dev.prefer.rl.env.DstMdp(dev.prefer.rl.env.DeepSeaTreasure.Map.CONVEX);
        var q = new dev.prefer.rl.policy.ConditionedDqn(m, 2, w -> new double[] {w, 1 - w},
                new dev.prefer.rl.policy.ConditionedDqn.Config(5, 1e-3, 0.9, 6, 1, 10), rng);
        int[] s = {0, 1, 11, 12, 23, 2};                     // 0 -> 11 reaches the first treasure (terminal next state)
        int[] a = {1, 3, 3, 1, 0, 2};
        double[] w = {0.1, 0.5, 0.9, 0.3, 0.7, 0.2};
        java.util.function.DoubleFunction<double[]> theta = x -> {
            double[] t = new double[11];
            for (int k = 0; k < 11; k++) {
                t[k] = (k + 1) * (x - 0.5);                  // a reward that changes with w
            }
            return t;
        };
        double[] grad = new double[q.network().params().length];
        q.lossAndGradient(s, a, w, theta, grad);
        for (int i = 0; i < grad.length; i += 5) {
            assertEquals(fd(q.network().params(), i, () -> q.lossAndGradient(s, a, w, theta, null)), grad[i], 1e-7);
        }
    }

    /** CPL on a one-state bandit with rewards (0, 0.5, 1): the oracle's preferences make action 2 the greedy choice. */
    @Test
    void cplLearnsTheBestArmOfABandit() {
        Random rng = new Random(5);
        double[] x = {1.0};
        double[] rewards = {0, 0.5, 1};
        List<Cpl.Pair> pairs = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            int a = rng.nextInt(3);
            int b = rng.nextInt(3);
            Label l = Teacher.oracle().label(new double[] {rewards[a]}, new double[] {rewards[b]}, rng);
            pairs.add(new Cpl.Pair(new SegmentData(new double[][] {x}, new int[] {a}, new double[][] {{rewards[a]}}),
                    new SegmentData(new double[][] {x}, new int[] {b}, new double[][] {{rewards[b]}}), l.firstProbability()));
        }
        SoftmaxPolicy pi = new SoftmaxPolicy(rng, 1, 8, 3);
        Cpl.train(pi, pairs, new Cpl.Config(1.0, 1.0, 1.0, 0.0, 300, 16, 1e-2), rng);
        assertEquals(2, pi.greedy(x));
        double[] lp = pi.logProbs(x);
        assertTrue(lp[2] > lp[1] && lp[1] > lp[0], "CPL orders the arms by reward");
    }
}
