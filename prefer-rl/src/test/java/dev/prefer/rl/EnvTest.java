package dev.prefer.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.rl.env.DeepSeaTreasure;
import dev.prefer.rl.env.DeliveryWorld;
import dev.prefer.rl.env.EdgeOffloading;
import dev.prefer.rl.env.Env;
import dev.prefer.rl.env.Envs;
import dev.prefer.rl.env.Planning;
import dev.prefer.rl.env.PointMassReacher;
import dev.prefer.rl.env.VecEnv;
import dev.prefer.rl.mo.Pareto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EnvTest {

    /** MO-Gymnasium deep_sea_treasure.py lines 28-39 (CONVEX_FRONT) and 58-69 (CONCAVE_FRONT), copied by hand. */
    static final double[][] MO_GYM_CONVEX = {{0.7, -1}, {8.2, -3}, {11.5, -5}, {14.0, -7}, {15.1, -8}, {16.1, -9},
        {19.6, -13}, {20.3, -14}, {22.4, -17}, {23.7, -19}};
    static final double[][] MO_GYM_CONCAVE = {{1, -1}, {2, -3}, {3, -5}, {5, -7}, {8, -8}, {16, -9}, {24, -13},
        {50, -14}, {74, -17}, {124, -19}};

    /** Breadth-first search over the grid from (0, 0): the shortest path to each treasure gives its front point. */
    static List<double[]> bfsFront(DeepSeaTreasure.Map map) {
        DeepSeaTreasure env = new DeepSeaTreasure(map);
        int n = DeepSeaTreasure.SIZE;
        int[] dist = new int[n * n];
        java.util.Arrays.fill(dist, -1);
        dist[0] = 0;
        ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(0));
        List<double[]> pts = new ArrayList<>();
        int[][] moves = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
        while (!queue.isEmpty()) {
            int s = queue.poll();
            int r = s / n;
            int c = s % n;
            if (env.value(r, c) > 0) {
                pts.add(new double[] {env.value(r, c), -dist[s]});
                continue;
            }
            for (int[] m : moves) {
                int rr = r + m[0];
                int cc = c + m[1];
                if (rr >= 0 && cc >= 0 && rr < n && cc < n && env.value(rr, cc) != -10 && dist[rr * n + cc] < 0) {
                    dist[rr * n + cc] = dist[s] + 1;
                    queue.add(rr * n + cc);
                }
            }
        }
        return pts;
    }

    @Test
    void deepSeaTreasureFrontsMatchMoGymnasium() {
        for (DeepSeaTreasure.Map map : DeepSeaTreasure.Map.values()) {
            List<double[]> found = Pareto.front(bfsFront(map));
            double[][] expected = map == DeepSeaTreasure.Map.CONVEX ? MO_GYM_CONVEX : MO_GYM_CONCAVE;
            assertEquals(10, found.size());
            for (int k = 0; k < 10; k++) {
                assertArrayEquals(expected[k], found.get(k), 1e-12);
                assertArrayEquals(expected[k], DeepSeaTreasure.front(map)[k], 1e-12);
            }
        }
        // Hypervolume at (0, -25): 401.8 for the convex front (hand sum of the staircase; the value).
        assertEquals(401.8, Pareto.hypervolume(List.of(MO_GYM_CONVEX), new double[] {0, -25}), 1e-9);
        assertEquals(1155.0, Pareto.hypervolume(List.of(MO_GYM_CONCAVE), new double[] {0, -25}), 1e-9);
        // The convex map's front is supported everywhere; the concave one has points no linear weight reaches.
        assertEquals(0, Pareto.unsupported(MO_GYM_CONVEX).size());
        assertTrue(Pareto.unsupported(MO_GYM_CONCAVE).size() >= 3);
    }

    @Test
    void deepSeaTreasureStepsLikeMoGymnasium() {
        DeepSeaTreasure env = new DeepSeaTreasure(DeepSeaTreasure.Map.CONVEX);
        env.reset(0);
        Env.Step s = env.step(2);                           // left from (0,0): blocked, stays
        assertArrayEquals(new double[] {0, -1}, s.reward());
        assertEquals(0, env.state());
        s = env.step(1);                                    // down onto 0.7
        assertArrayEquals(new double[] {0.7, -1}, s.reward());
        assertTrue(s.terminated());
        env.reset(0);
        for (int t = 0; t < 99; t++) {
            assertTrue(!env.step(0).done());                 // up at the surface: stays, never terminates
        }
        assertTrue(env.step(0).truncated());
    }

    @Test
    void deliveryOptimalPolicyReachesTheGoalAndSeedsRepeat() {
        DeliveryWorld d = new DeliveryWorld();
        Planning.Solution sol = Planning.solve(d, d.trueWeights(), 0.99);
        for (int s : d.startStates()) {
            int x = s;
            for (int t = 0; t < 50 && !d.terminal(x); t++) {
                x = d.next(x, sol.policy()[x]);
            }
            assertEquals('G', d.cell(x), "start " + s);
        }
        // Bellman optimality for the true and for random weights: V(s) = max_a r(s,a) + gamma V(s'), policy attains it
        Random rng = new Random(1);
        for (int trial = 0; trial < 5; trial++) {
            double[] w = trial == 0 ? d.trueWeights() : rng.doubles(6, -3, 3).toArray();
            Planning.Solution p = Planning.solve(d, w, 0.99);
            for (int s = 0; s < d.stateCount(); s++) {
                if (d.terminal(s)) {
                    continue;
                }
                double best = Double.NEGATIVE_INFINITY;
                for (int a = 0; a < 4; a++) {
                    double q = 0;
                    for (int k = 0; k < 6; k++) {
                        q += w[k] * d.features(s, a)[k];
                    }
                    q += 0.99 * p.v()[d.next(s, a)];
                    best = Math.max(best, q);
                }
                assertEquals(best, p.v()[s], 1e-9);
                assertEquals(best, p.q()[s][p.policy()[s]], 1e-9);
            }
        }
        // features: coin = gas + coin; house blocks
        int coin = 4;                                        // row 0, column 4
        assertEquals('c', d.cell(coin));
        assertArrayEquals(new double[] {1, 0, 0, 1, 0, 0}, d.features(3, 3));
        assertEquals(0.0, d.reward(3, 3));
        DeliveryWorld a = new DeliveryWorld();
        DeliveryWorld b = new DeliveryWorld();
        assertArrayEquals(a.reset(42), b.reset(42));
        assertThrows(IllegalArgumentException.class, () -> new DeliveryWorld(new String[] {"..", ".X"}, 5));
    }

    @Test
    void reacherOptimalActionsAttainTheClosedFormOptimum() {
        for (long seed = 0; seed < 20; seed++) {
            PointMassReacher env = new PointMassReacher(false);
            env.reset(seed);
            double opt = env.optimalReturn();
            double ret = 0;
            Env.Step s;
            do {
                s = env.step(env.optimalAction());
                ret += s.scalarReward();
            } while (!s.done());
            assertEquals(opt, ret, 1e-9);
            // a random policy does worse
            env.reset(seed);
            Random r = new Random(seed);
            double rnd = 0;
            do {
                s = env.step(new double[] {2 * r.nextDouble() - 1, 2 * r.nextDouble() - 1});
                rnd += s.scalarReward();
            } while (!s.done());
            assertTrue(rnd <= opt + 1e-9);
        }
    }

    @Test
    void offloadingCostsFollowTheirFormulas() {
        EdgeOffloading env = new EdgeOffloading(2);
        double[] o = env.reset(3);
        double b = o[0];
        double g = o[1];
        double c = 0.5 * b;
        assertArrayEquals(new double[] {c / 1.0, c}, env.cost(0), 1e-12);
        double tx = b / (2.0 * Math.log(1 + 0.5 * g / 0.1) / Math.log(2));
        assertArrayEquals(new double[] {tx + c / 4.0, 0.5 * tx}, env.cost(1), 1e-12);
        Env.Step s = env.step(1);
        assertArrayEquals(new double[] {-(tx + c / 4.0), -0.5 * tx}, s.reward(), 1e-12);
        assertEquals(Math.max(0, c - 4.0 * 0.5), s.observation()[2], 1e-12);
    }

    @Test
    void vecEnvCopiesFollowTheirOwnSeedStreams() {
        VecEnv one = new VecEnv(() -> Envs.make("reacher-discrete"), 1, 7);
        VecEnv three = new VecEnv(() -> Envs.make("reacher-discrete"), 3, 7);
        assertArrayEquals(one.observations()[0], three.observations()[0]);
        for (int t = 0; t < 45; t++) {                      // crosses an episode boundary (40 steps)
            one.step(new double[][] {{t % 9}});
            three.step(new double[][] {{t % 9}, {0}, {1}});
        }
        // copy 0 of three was reset at step 40 with seed 7 + 3, then took actions 40..44 mod 9
        PointMassReacher ref = new PointMassReacher(true);
        double[] o = ref.reset(10);
        for (int t = 40; t < 45; t++) {
            o = ref.step(t % 9).observation();
        }
        assertArrayEquals(o, three.observations()[0], 0.0);
        ref.reset(8);                                          // copy 0 of one: seeds 7, 8, ...
        for (int t = 40; t < 45; t++) {
            o = ref.step(t % 9).observation();
        }
        assertArrayEquals(o, one.observations()[0], 0.0);
        assertEquals(Envs.names().size(), Envs.descriptions().size());
        assertThrows(IllegalArgumentException.class, () -> Envs.make("nope"));
    }

    /**
     * StyleStudy's demonstrators: style k ends within half a step of goal + OFFSETS[k] (when that point is inside the
     * square), and a Rollout's segments are consecutive 10-step pieces of the episode it ran.
     */
    @Test
    void styleDemonstratorsReachTheirShiftedGoalsAndRolloutsCutEpisodes() {
        int checked = 0;
        for (int k = 0; k < 4; k++) {
            for (long seed = 0; seed < 12; seed++) {
                var env = new dev.prefer.rl.env.PointMassReacher(true);
                double[] first = env.reset(seed);
                double gx = first[0] + first[2] + dev.prefer.rl.experiments.StyleStudy.OFFSETS[k][0];
                double gy = first[1] + first[3] + dev.prefer.rl.experiments.StyleStudy.OFFSETS[k][1];
                if (Math.abs(gx) > 0.95 || Math.abs(gy) > 0.95) {
                    continue;                                  // shifted goal outside the square: not reachable
                }
                final int style = k;
                var r = dev.prefer.rl.env.Rollout.run(env, first,
                        o -> new double[] {dev.prefer.rl.experiments.StyleStudy.demonstrator(o, style)});
                double[] last = env.observation();
                assertTrue(Math.hypot(last[0] - gx, last[1] - gy) <= 0.5 * dev.prefer.rl.env.PointMassReacher.SPEED + 1e-9, "style " + k + " seed " + seed);
                var segs = r.segments(10);
                assertEquals(4, segs.size());
                assertArrayEquals(r.obs().get(10), segs.get(1).obs()[0], 0.0);
                assertEquals((int) r.actions().get(39)[0], segs.get(3).actions()[9]);
                checked++;
            }
        }
        assertTrue(checked >= 20, "checked " + checked);
    }
}
