package dev.prefer.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.rl.env.DeepSeaTreasure;
import dev.prefer.rl.experiments.DstStudy;
import dev.prefer.rl.mo.Pareto;
import dev.prefer.rl.mo.Utility;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MultiObjectiveTest {

    /** Indices of front points that are the best for some w of a 1001-point grid under a utility. */
    static Set<Integer> reachable(double[][] front, boolean tchebycheff, Utility u) {
        Set<Integer> hit = new LinkedHashSet<>();
        for (int k = 0; k <= 1000; k++) {
            double w = k / 1000.0;
            int best = 0;
            for (int i = 1; i < front.length; i++) {
                double ui = tchebycheff ? u.tchebycheff(w, front[i]) : u.linear(w, front[i]);
                double ub = tchebycheff ? u.tchebycheff(w, front[best]) : u.linear(w, front[best]);
                if (ui > ub) {
                    best = i;
                }
            }
            hit.add(best);
        }
        return hit;
    }

    /**
     * The teacher's utility family can ask for every front point on both maps, while a linear scalarisation misses
     * the concave map's unsupported points: what the preference-conditioned policy is asked to recover is reachable.
     */
    @Test
    void tchebycheffTeachersCanPreferEveryFrontPoint() {
        for (DeepSeaTreasure.Map map : DeepSeaTreasure.Map.values()) {
            double[][] front = DeepSeaTreasure.front(map);
            Utility u = DstStudy.utility(map);
            assertEquals(10, reachable(front, true, u).size(), map.toString());
        }
        double[][] concave = DeepSeaTreasure.front(DeepSeaTreasure.Map.CONCAVE);
        Set<Integer> linear = reachable(concave, false, DstStudy.utility(DeepSeaTreasure.Map.CONCAVE));
        List<double[]> unsupported = Pareto.unsupported(concave);
        for (double[] p : unsupported) {
            int idx = 0;
            while (concave[idx] != p) {
                idx++;
            }
            assertTrue(!linear.contains(idx), "linear scalarisation reaches an unsupported point");
        }
        assertTrue(linear.size() <= 10 - unsupported.size());
    }

    @Test
    void conditionedRewardGradientMatchesFiniteDifferences() {
        java.util.Random rng = new java.util.Random(4);
        List<DstStudy.FeaturePair> pairs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            double[] d = new double[11];
            d[rng.nextInt(10)] = 1;
            d[rng.nextInt(10)] -= 1;
            d[10] = rng.nextInt(20) - 10;
            pairs.add(new DstStudy.FeaturePair(d, rng.nextDouble(), i % 3 == 0 ? 0.5 : i % 2));
        }
        double[] big = rng.doubles(11 * DstStudy.BASIS, -1, 1).toArray();
        double[] grad = new double[big.length];
        DstStudy.rewardLoss(big, pairs, 1e-3, grad);
        for (int i = 0; i < big.length; i += 5) {
            assertEquals(PolicyTest.fd(big, i, () -> DstStudy.rewardLoss(big, pairs, 1e-3, null)), grad[i], 1e-8);
        }
        double[] b = DstStudy.basis(0.37);
        assertEquals(1.0, java.util.Arrays.stream(b).sum(), 1e-12);
    }

    /** Planning on theta(w) with a per-step cost and one treasure bonus goes to that treasure by a shortest path. */
    @Test
    void planningOnAConditionedRewardReachesTheChosenTreasure() {
        for (int k = 0; k < 10; k++) {
            double[] big = new double[11 * DstStudy.BASIS];
            for (int j = 0; j < DstStudy.BASIS; j++) {
                big[k * DstStudy.BASIS + j] = 30;               // bonus for treasure k at every w
                big[10 * DstStudy.BASIS + j] = -1;              // each step costs 1
            }
            double[] ret = DstStudy.rolloutPlan(big, DeepSeaTreasure.Map.CONVEX, 0.5);
            assertEquals(DeepSeaTreasure.front(DeepSeaTreasure.Map.CONVEX)[k][0], ret[0], 1e-12);
            assertEquals(DeepSeaTreasure.front(DeepSeaTreasure.Map.CONVEX)[k][1], ret[1], 1e-12);
        }
    }

    @Test
    void hypervolumeAndExpectedUtilityOfPartialFronts() {
        double[][] convex = DeepSeaTreasure.front(DeepSeaTreasure.Map.CONVEX);
        List<double[]> some = new ArrayList<>(List.of(convex[0], convex[9]));
        // (0.7, -1): 0.7 * 24 = 16.8; (23.7, -19): 23.7 * (−19 + 25) = 142.2, overlapping 0.7 * 6 = 4.2
        assertEquals(0.7 * 24 + (23.7 - 0.7) * 6, Pareto.hypervolume(some, new double[] {0, -25}), 1e-9);
        some.add(new double[] {10, -30});                     // below the reference: ignored
        some.add(new double[] {0.5, -2});                     // dominated: ignored
        assertEquals(0.7 * 24 + (23.7 - 0.7) * 6, Pareto.hypervolume(some, new double[] {0, -25}), 1e-9);
        Utility u = DstStudy.utility(DeepSeaTreasure.Map.CONVEX);
        assertTrue(u.expectedUtility(List.of(convex), 100) > u.expectedUtility(List.of(convex[0], convex[9]), 100));
    }

    /**
     * Identifiability on DST (Knox et al.'s lesson in another form): when every compared episode ends at a treasure,
     * nothing shows that never reaching one is bad, and near w = 1 (time barely matters) the fitted step weight can be
     * positive, so the plan loops until the cap. 5% time-out episodes in the behaviour data pin its sign down.
     */
    @Test
    void timeOutEpisodesPinDownTheStepWeightNearWEqualsOne() {
        var cpl = new dev.prefer.rl.policy.Cpl.Config(1, 1, 1, 0, 1000, 32, 3e-3);
        var without = new DstStudy.Config(DeepSeaTreasure.Map.CONVEX, 400, 1500, "oracle", 16, cpl, 20, 0, 0.0);
        double[] a = DstStudy.trainReward(without);
        assertTrue(DstStudy.theta(a, 0.99)[10] > 0, "step weight " + DstStudy.theta(a, 0.99)[10]);
        assertEquals(0.0, DstStudy.rolloutPlan(a, DeepSeaTreasure.Map.CONVEX, 0.99)[0], 0.0);      // loops: no treasure
        double[] b = DstStudy.trainReward(without.withTimeouts(0.05));
        assertTrue(DstStudy.theta(b, 0.99)[10] < 0, "step weight " + DstStudy.theta(b, 0.99)[10]);
        assertTrue(DstStudy.rolloutPlan(b, DeepSeaTreasure.Map.CONVEX, 0.99)[0] > 0);
    }

    /**
     * The contested-query pairs (DstStudy.contests) on constructed outcomes A (treasure 0, 1 step), B (treasure 1, 3
     * steps), C (treasure 2, 5 steps) and a time-out (100 steps), step weight -0.05. By hand: with treasure weights
     * (1, 0.8, 0) the values are 0.95, 0.65, -0.25, -5, so A's nearest competitors are B (margin 0.3) and C (1.2); with
     * (1, 0.2, 1.1) they are C (0.1) and B (0.9); with (0.5, 0.8, 0) B is on top, A (0.2) and C (0.9) compete. Outcomes
     * are the fewest-step episode per treasure plus one time-out.
     */
    @Test
    void contestedQueriesPairThePlansTopOutcomeWithItsNearestCompetitors() {
        List<double[]> feats = new ArrayList<>();
        feats.add(phi(0, 3));          // a longer episode to treasure 0
        feats.add(phi(0, 1));          // A
        feats.add(phi(1, 3));          // B
        feats.add(phi(2, 5));          // C
        feats.add(phi(-1, 100));       // time-out
        feats.add(phi(-1, 100));       // a second time-out: not an outcome
        feats.add(phi(1, 4));          // a longer episode to treasure 1
        int[] outcomes = DstStudy.outcomes(feats);
        assertEquals(List.of(1, 2, 3, 4), java.util.Arrays.stream(outcomes).boxed().toList());
        assertContests(new double[][] {{0.3, 0, 1}, {1.2, 0, 2}}, DstStudy.contests(theta(1.0, 0.8, 0.0), feats, outcomes, 2));
        assertContests(new double[][] {{0.1, 0, 2}, {0.9, 0, 1}}, DstStudy.contests(theta(1.0, 0.2, 1.1), feats, outcomes, 2));
        assertContests(new double[][] {{0.2, 1, 0}, {0.9, 1, 2}}, DstStudy.contests(theta(0.5, 0.8, 0.0), feats, outcomes, 2));
        assertEquals(3, DstStudy.contests(theta(1.0, 0.8, 0.0), feats, outcomes, 5).length);   // at most every other outcome
    }

    private static void assertContests(double[][] expected, double[][] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i][0], actual[i][0], 1e-12);
            assertEquals(expected[i][1], actual[i][1], 0.0);
            assertEquals(expected[i][2], actual[i][2], 0.0);
        }
    }

    private static double[] phi(int treasure, int steps) {
        double[] f = new double[11];
        if (treasure >= 0) {
            f[treasure] = 1;
        }
        f[10] = steps;
        return f;
    }

    private static double[] theta(double t0, double t1, double t2) {
        double[] t = new double[11];
        t[0] = t0;
        t[1] = t1;
        t[2] = t2;
        t[10] = -0.05;
        return t;
    }
}
