package dev.prefer.rl.experiments;

import dev.prefer.rl.env.DeepSeaTreasure;
import dev.prefer.rl.env.Env;
import dev.prefer.rl.mo.Pareto;
import dev.prefer.rl.mo.Utility;
import dev.prefer.rl.policy.Cpl;
import dev.prefer.rl.policy.SegmentData;
import dev.prefer.rl.policy.SoftmaxPolicy;
import dev.prefer.rl.teacher.Label;
import dev.prefer.rl.teacher.Teacher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A preference-conditioned multi-objective policy on Deep Sea Treasure learned from preferences only. One network
 * pi(a | onehot(s), w, 1 - w) is trained with conditioned CPL on pairs of whole episodes: for each pair a weight w
 * is drawn uniformly, the B-Pref teacher (mistake 0.1 by default) compares the episodes' Tchebycheff utilities
 * u_w ({@link Utility}) and never reveals a scalar reward. The episodes come from a behaviour dataset: for a random
 * treasure, the path "right to its column, then down" with random back-and-forth detours, plus uniformly random
 * walks. Evaluation rolls the greedy policy out for a grid of w and reports the Pareto front it reaches, its
 * hypervolume at (0, -25) against the exact front's, how many of the 10 front points it recovers, and the
 * expected utility.
 */
public final class DstStudy {
    /** Configuration. */
    public record Config(DeepSeaTreasure.Map map, int episodes, int labels, String teacher, int hidden, Cpl.Config cpl,
                         int evalGrid, long seed) {
        public static Config defaults(DeepSeaTreasure.Map map) {
            return new Config(map, 300, 3000, "mistake:0.1", 64, new Cpl.Config(1.0, 1.0, 1.0, 0.0, 2500, 32, 3e-3), 1000, 0);
        }
    }

    /** What the policy reached. */
    public record Result(List<double[]> front, double hypervolume, double exactHypervolume, int recovered,
                         int unsupportedRecovered, int unsupportedTotal, double expectedUtility, double exactExpectedUtility) {
    }

    private DstStudy() {
    }

    public static Utility utility(DeepSeaTreasure.Map map) {
        double tmax = map == DeepSeaTreasure.Map.CONVEX ? 23.7 : 124;
        return new Utility(new double[] {tmax, 20}, new double[] {1.05, 0.0});
    }

    static double[] input(double[] obs, double w) {
        double[] x = new double[obs.length + 2];
        System.arraycopy(obs, 0, x, 0, obs.length);
        x[obs.length] = w;
        x[obs.length + 1] = 1 - w;
        return x;
    }

    /** One behaviour episode: observations (without w), actions, vector rewards. */
    record Episode(double[][] obs, int[] actions, double[] ret) {
    }

    static Episode behaviour(DeepSeaTreasure.Map map, Random rng) {
        DeepSeaTreasure env = new DeepSeaTreasure(map);
        double[] o = env.reset(0);
        List<double[]> obs = new ArrayList<>();
        List<Integer> acts = new ArrayList<>();
        double[] ret = new double[2];
        boolean walk = rng.nextDouble() < 0.2;
        int[][] treasure = {{1, 0}, {2, 1}, {3, 2}, {4, 3}, {4, 4}, {4, 5}, {7, 6}, {7, 7}, {9, 8}, {10, 9}};
        int[] goal = treasure[rng.nextInt(10)];
        double detour = rng.nextDouble() * 0.3;
        List<Integer> plan = new ArrayList<>();
        for (int c = 0; c < goal[1]; c++) {
            plan.add(3);
        }
        for (int r = 0; r < goal[0]; r++) {
            plan.add(1);
        }
        int pi = 0;
        Env.Step s;
        do {
            int a;
            if (walk) {
                a = rng.nextInt(4);
            } else if (rng.nextDouble() < detour) {
                a = rng.nextInt(4);                          // a detour step; the plan resumes from wherever it lands
                int r = env.state() / DeepSeaTreasure.SIZE;
                int c = env.state() % DeepSeaTreasure.SIZE;
                plan = replan(r, c, a, goal);
                pi = 0;
            } else {
                a = pi < plan.size() ? plan.get(pi++) : rng.nextInt(4);
            }
            s = env.step(a);
            obs.add(o);
            acts.add(a);
            ret[0] += s.reward()[0];
            ret[1] += s.reward()[1];
            o = s.observation();
        } while (!s.done());
        return new Episode(obs.toArray(new double[0][]), acts.stream().mapToInt(Integer::intValue).toArray(), ret);
    }

    /** After a detour action a from (r, c): a monotone path to the goal from where a leads (approximate; invalid moves stay). */
    private static List<Integer> replan(int r, int c, int a, int[] goal) {
        int[][] moves = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
        int rr = Math.max(0, Math.min(10, r + moves[a][0]));
        int cc = Math.max(0, Math.min(10, c + moves[a][1]));
        List<Integer> plan = new ArrayList<>();
        for (int k = rr; k > 0 && cc != goal[1]; k--) {
            plan.add(0);                                    // back up to the surface before moving sideways
        }
        int rowAfter = cc != goal[1] ? 0 : rr;
        for (int k = cc; k < goal[1]; k++) {
            plan.add(3);
        }
        for (int k = cc; k > goal[1]; k--) {
            plan.add(2);
        }
        for (int k = rowAfter; k < goal[0]; k++) {
            plan.add(1);
        }
        return plan;
    }

    public static SoftmaxPolicy train(Config c) {
        Random rng = new Random(c.seed());
        List<Episode> data = new ArrayList<>();
        for (int i = 0; i < c.episodes(); i++) {
            data.add(behaviour(c.map(), rng));
        }
        Utility u = utility(c.map());
        Teacher t = Teacher.parse(c.teacher());
        List<Cpl.Pair> pairs = new ArrayList<>();
        for (int i = 0; i < c.labels(); i++) {
            Episode a = data.get(rng.nextInt(data.size()));
            Episode b = data.get(rng.nextInt(data.size()));
            double w = rng.nextDouble();
            Label l = t.label(new double[] {u.tchebycheff(w, a.ret())}, new double[] {u.tchebycheff(w, b.ret())}, rng);
            if (l != Label.SKIP) {
                pairs.add(new Cpl.Pair(segment(a, w), segment(b, w), l.firstProbability()));
            }
        }
        SoftmaxPolicy pi = new SoftmaxPolicy(rng, DeepSeaTreasure.SIZE * DeepSeaTreasure.SIZE + 2, c.hidden(), 4);
        Cpl.train(pi, pairs, c.cpl(), rng);
        return pi;
    }

    static SegmentData segment(Episode e, double w) {
        double[][] x = new double[e.obs().length][];
        double[][] r = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            x[t] = input(e.obs()[t], w);
            r[t] = new double[2];
        }
        return new SegmentData(x, e.actions(), r);
    }

    /** Greedy rollout for weight w: the vector return ((0, -100) when no treasure is reached in 100 steps). */
    public static double[] rollout(SoftmaxPolicy pi, DeepSeaTreasure.Map map, double w) {
        DeepSeaTreasure env = new DeepSeaTreasure(map);
        double[] o = env.reset(0);
        double[] ret = new double[2];
        Env.Step s;
        do {
            s = env.step(pi.greedy(input(o, w)));
            ret[0] += s.reward()[0];
            ret[1] += s.reward()[1];
            o = s.observation();
        } while (!s.done());
        return ret;
    }

    public static Result evaluate(SoftmaxPolicy pi, Config c) {
        List<double[]> pts = new ArrayList<>();
        for (int k = 0; k <= c.evalGrid(); k++) {
            pts.add(rollout(pi, c.map(), (double) k / c.evalGrid()));
        }
        List<double[]> front = Pareto.front(pts);
        double[][] exact = DeepSeaTreasure.front(c.map());
        double[] ref = {0, -25};
        List<double[]> unsupported = Pareto.unsupported(exact);
        Utility u = utility(c.map());
        return new Result(front, Pareto.hypervolume(front, ref), Pareto.hypervolume(List.of(exact), ref),
                Pareto.recovered(front, exact, 1e-9), Pareto.recovered(front, unsupported.toArray(new double[0][]), 1e-9),
                unsupported.size(), u.expectedUtility(pts, c.evalGrid()), u.expectedUtility(List.of(exact), c.evalGrid()));
    }

    public static void main(String[] args) {
        for (DeepSeaTreasure.Map map : DeepSeaTreasure.Map.values()) {
            Config d = Config.defaults(map);
            int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 1;
            for (int s = 0; s < seeds; s++) {
                long t0 = System.nanoTime();
                Config c = new Config(map, d.episodes(), d.labels(), d.teacher(), d.hidden(), d.cpl(), d.evalGrid(), s);
                Result r = evaluate(train(c), c);
                StringBuilder f = new StringBuilder();
                for (double[] p : r.front()) {
                    f.append(String.format(Locale.ROOT, "(%.1f,%.0f) ", p[0], p[1]));
                }
                System.out.printf(Locale.ROOT, "%s seed %d: HV %.1f of %.1f, %d/10 front points, %d/%d unsupported, EU %.4f of %.4f (%.0f s) front %s%n",
                        map, s, r.hypervolume(), r.exactHypervolume(), r.recovered(), r.unsupportedRecovered(), r.unsupportedTotal(),
                        r.expectedUtility(), r.exactExpectedUtility(), (System.nanoTime() - t0) / 1e9, f);
            }
        }
    }
}
