package dev.prefer.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.rl.env.DeliveryWorld;
import dev.prefer.rl.env.Planning;
import dev.prefer.rl.experiments.KnoxDelivery;
import dev.prefer.rl.reward.LinearRewardLearner;
import dev.prefer.rl.reward.LinearRewardLearner.Pair;
import dev.prefer.rl.reward.PreferenceModel;
import dev.prefer.rl.reward.Segment;
import dev.prefer.rl.teacher.Teacher;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RewardLearningTest {
    static final double GAMMA = 0.99;
    final DeliveryWorld d = new DeliveryWorld();

    static LinearRewardLearner.Config config(PreferenceModel m) {
        return new LinearRewardLearner.Config(m, GAMMA, 300, 0.05, 1e-3);
    }

    @Test
    void gradientsMatchCentralDifferences() {
        List<Pair> pairs = new ArrayList<>(KnoxDelivery.pairs(d, 24, 3, Teacher.noisy(1), GAMMA, 11));
        pairs.add(new Pair(pairs.get(0).first(), pairs.get(1).second(), 0.5));       // an "equal" label
        Random rng = new Random(5);
        for (PreferenceModel model : PreferenceModel.values()) {
            for (int trial = 0; trial < 3; trial++) {
                double[] w = new double[6];
                for (int k = 0; k < 6; k++) {
                    w[k] = 2 * rng.nextGaussian();
                }
                var c = config(model);
                double[] g = LinearRewardLearner.evaluate(d, pairs, w, c).grad();
                double h = 1e-6;                               // V* is linear in w between greedy-policy switches
                for (int k = 0; k < 6; k++) {
                    double[] wp = w.clone();
                    double[] wm = w.clone();
                    wp[k] += h;
                    wm[k] -= h;
                    double fd = (LinearRewardLearner.evaluate(d, pairs, wp, c).loss() - LinearRewardLearner.evaluate(d, pairs, wm, c).loss()) / (2 * h);
                    assertEquals(fd, g[k], 1e-6 * Math.max(1, Math.abs(fd)), model + " w" + k);
                }
            }
        }
    }

    @Test
    void negatedRegretsSumToMinusTheSegmentRegret() {
        Planning.Solution sol = Planning.solve(d, d.trueWeights(), GAMMA);
        Random rng = new Random(3);
        for (int i = 0; i < 50; i++) {
            int s = d.startStates()[rng.nextInt(d.startStates().length)];
            Segment seg = Segment.roll(d, s, new int[] {rng.nextInt(4), rng.nextInt(4), rng.nextInt(4)});
            double[] phi = seg.featureSum(d, GAMMA);
            double ret = 0;
            for (int k = 0; k < 6; k++) {
                ret += d.trueWeights()[k] * phi[k];
            }
            double regret = sol.v()[seg.states()[0]] - ret - Math.pow(GAMMA, 3) * sol.v()[seg.states()[3]];
            double sum = 0;
            for (double x : seg.negatedRegrets(sol.q(), sol.v(), GAMMA)) {
                assertTrue(x <= 1e-9, "per-step regret is >= 0");
                sum += x;
            }
            assertEquals(-regret, sum, 1e-8);
        }
    }

    /**
     * Non-identifiability of partial return (Knox et al., Section 3): adding a constant c to the reward of every
     * transition leaves every partial-return preference between equal-length segments that do not end the episode
     * unchanged, yet changes the optimal policy (a positive c makes looping forever better than delivering).
     * The regret model's likelihood does change under the shift, so regret labels pin the shift down.
     */
    @Test
    void partialReturnCannotSeeAConstantShiftButRegretCan() {
        Random rng = new Random(9);
        List<Pair> pairs = new ArrayList<>();
        for (Pair p : KnoxDelivery.pairs(d, 400, 3, Teacher.noisy(1), GAMMA, 12)) {
            if (!ends(p.first()) && !ends(p.second())) {
                pairs.add(p);
            }
        }
        assertTrue(pairs.size() > 100);
        double[] w = d.trueWeights();
        double[] shifted = w.clone();
        double c = 60;
        for (int k : new int[] {0, 1, 2, 5}) {                 // gas, goal, sheep, mud: one of them on every transition
            shifted[k] += c;
        }
        for (int s = 0; s < d.stateCount(); s++) {
            for (int a = 0; a < 4 && !d.terminal(s); a++) {
                assertEquals(d.reward(s, a) + c, dot(shifted, d.features(s, a)), 1e-12);
            }
        }
        var pr = config(PreferenceModel.PARTIAL_RETURN);
        var rg = config(PreferenceModel.REGRET);
        assertEquals(LinearRewardLearner.evaluate(d, pairs, w, pr).loss() - 0.5 * 1e-3 * dot(w, w),
                LinearRewardLearner.evaluate(d, pairs, shifted, pr).loss() - 0.5 * 1e-3 * dot(shifted, shifted), 1e-9);
        assertNotEquals(LinearRewardLearner.evaluate(d, pairs, w, rg).loss(), LinearRewardLearner.evaluate(d, pairs, shifted, rg).loss(), 1e-3);
        double trueOpt = KnoxDelivery.trueReturn(d, w, GAMMA);
        double shiftedPolicy = KnoxDelivery.trueReturn(d, shifted, GAMMA);
        assertTrue(shiftedPolicy < trueOpt - 50, "shifted reward's policy loops instead of delivering: " + shiftedPolicy);
        assertTrue(rng != null);
    }

    /** A quick version of the Knox et al. study (3 seeds; the 5-seed study is in docs/results/rl.md). */
    @Test
    void regretBeatsPartialReturnOnRegretLabels() {
        var c = new KnoxDelivery.Config(new int[] {100}, 3, 3, "noisy:1", GAMMA, 300, 0.05, 1e-4, 1, 1, 20);
        KnoxDelivery.Row row = KnoxDelivery.run(c).get(0);
        assertTrue(row.regret().mean() > row.partial().mean(), row.regret() + " vs " + row.partial());
        int optimal = 0;
        for (double r : row.regretReturns()) {
            optimal += Math.abs(r - row.optimal()) < 1e-6 ? 1 : 0;
        }
        assertTrue(optimal >= 2, "regret-learned reward's policy is optimal in " + optimal + " of 3 seeds");
        assertTrue(row.optimal() > row.uniformRandom());
    }

    private boolean ends(Segment s) {
        for (int x : s.states()) {
            if (d.terminal(x)) {
                return true;
            }
        }
        return false;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
