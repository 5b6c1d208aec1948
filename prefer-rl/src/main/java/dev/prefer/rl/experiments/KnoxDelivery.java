package dev.prefer.rl.experiments;

import dev.prefer.rl.env.DeliveryWorld;
import dev.prefer.rl.env.Planning;
import dev.prefer.rl.reward.LinearRewardLearner;
import dev.prefer.rl.reward.LinearRewardLearner.Pair;
import dev.prefer.rl.reward.PreferenceModel;
import dev.prefer.rl.reward.Segment;
import dev.prefer.rl.teacher.Label;
import dev.prefer.rl.teacher.Teacher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Knox et al.'s delivery-domain comparison: the same labels from a regret-model teacher, reward learned under the
 * regret model and under the partial-return model, and the true return of the greedy policy of each learned reward.
 * Segments: uniformly drawn non-terminal start, uniformly random actions, {@code segmentLength} steps. The teacher
 * is a B-Pref teacher fed per-step negated true regrets ({@link Segment#negatedRegrets}), so "noisy:1" is
 * Knox et al.'s logistic regret model and "mistake:0.1" a noiseless regret teacher with 10% flips.
 */
public final class KnoxDelivery {
    /** Configuration of one study. */
    public record Config(int[] labelCounts, int seeds, int segmentLength, String teacher, double gamma, int steps,
                         double lr, double l2, int restarts, int ensemble, long seed) {
        public Config {
            if (seeds < 1 || segmentLength < 1 || ensemble < 1) {
                throw new IllegalArgumentException("knox: seeds, segment length and ensemble must be >= 1");
            }
        }

        public static Config defaults() {
            return new Config(new int[] {30, 100, 300}, 5, 3, "noisy:1", 0.99, 300, 0.05, 1e-4, 3, 1, 0);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("labelCounts", labelCounts);
            m.put("seeds", seeds);
            m.put("segmentLength", segmentLength);
            m.put("teacher", teacher);
            m.put("gamma", gamma);
            m.put("steps", steps);
            m.put("lr", lr);
            m.put("l2", l2);
            m.put("restarts", restarts);
            m.put("ensemble", ensemble);
            m.put("seed", seed);
            return m;
        }
    }

    /** One row: a label count, the two models' true returns over seeds, and the reference returns. */
    public record Row(int labels, double[] regretReturns, double[] partialReturns, double optimal, double uniformRandom) {
        public Stats regret() { return Stats.of(regretReturns); }
        public Stats partial() { return Stats.of(partialReturns); }
    }

    private KnoxDelivery() {
    }

    /** Labelled pairs for one seed (the first n of a fixed stream, so smaller budgets are prefixes of larger ones). */
    public static List<Pair> pairs(DeliveryWorld d, int n, int length, Teacher teacher, double gamma, long seed) {
        Planning.Solution truth = Planning.solve(d, d.trueWeights(), gamma);
        Random rng = new Random(seed);
        int[] nonTerminal = java.util.stream.IntStream.range(0, d.stateCount())
                .filter(s -> !d.terminal(s) && d.cell(s) != 'H').toArray();
        List<Pair> out = new ArrayList<>();
        while (out.size() < n) {
            Segment a = randomSegment(d, nonTerminal, length, rng);
            Segment b = randomSegment(d, nonTerminal, length, rng);
            Label l = teacher.label(a.negatedRegrets(truth.q(), truth.v(), gamma), b.negatedRegrets(truth.q(), truth.v(), gamma), rng);
            if (l != Label.SKIP) {
                out.add(new Pair(a, b, l.firstProbability()));
            }
        }
        return out;
    }

    static Segment randomSegment(DeliveryWorld d, int[] starts, int length, Random rng) {
        int[] acts = new int[length];
        for (int t = 0; t < length; t++) {
            acts[t] = rng.nextInt(4);
        }
        return Segment.roll(d, starts[rng.nextInt(starts.length)], acts);
    }

    /** Mean true undiscounted return (over start states, 50 steps) of the greedy policy of weights w. */
    public static double trueReturn(DeliveryWorld d, double[] w, double gamma) {
        return Planning.meanReturn(d, Planning.solve(d, w, gamma).policy(), d.maxSteps());
    }

    /** Expected return of the uniformly random policy (policy evaluation over 50 steps, averaged over starts). */
    public static double randomReturn(DeliveryWorld d) {
        int n = d.stateCount();
        double[] v = new double[n];
        for (int t = 0; t < d.maxSteps(); t++) {
            double[] nv = new double[n];
            for (int s = 0; s < n; s++) {
                if (d.terminal(s)) {
                    continue;
                }
                for (int a = 0; a < 4; a++) {
                    nv[s] += 0.25 * (d.reward(s, a) + v[d.next(s, a)]);
                }
            }
            v = nv;
        }
        double sum = 0;
        for (int s : d.startStates()) {
            sum += v[s];
        }
        return sum / d.startStates().length;
    }

    public static List<Row> run(Config c) {
        DeliveryWorld d = new DeliveryWorld();
        Teacher teacher = Teacher.parse(c.teacher());
        double optimal = trueReturn(d, d.trueWeights(), c.gamma());
        double random = randomReturn(d);
        int maxLabels = java.util.Arrays.stream(c.labelCounts()).max().orElse(0);
        List<List<Pair>> data = new ArrayList<>();
        for (int s = 0; s < c.seeds(); s++) {
            data.add(pairs(d, maxLabels, c.segmentLength(), teacher, c.gamma(), c.seed() + s));
        }
        List<Row> rows = new ArrayList<>();
        for (int n : c.labelCounts()) {
            double[] reg = new double[c.seeds()];
            double[] pr = new double[c.seeds()];
            for (int s = 0; s < c.seeds(); s++) {
                List<Pair> pairs = data.get(s).subList(0, n);
                var cr = new LinearRewardLearner.Config(PreferenceModel.REGRET, c.gamma(), c.steps(), c.lr(), c.l2(), c.restarts());
                var cp = new LinearRewardLearner.Config(PreferenceModel.PARTIAL_RETURN, c.gamma(), c.steps(), c.lr(), c.l2(), c.restarts());
                double[] wr = LinearRewardLearner.mean(LinearRewardLearner.fitEnsemble(d, pairs, c.ensemble(), cr, c.seed() + s));
                double[] wp = LinearRewardLearner.mean(LinearRewardLearner.fitEnsemble(d, pairs, c.ensemble(), cp, c.seed() + s));
                reg[s] = trueReturn(d, wr, c.gamma());
                pr[s] = trueReturn(d, wp, c.gamma());
            }
            rows.add(new Row(n, reg, pr, optimal, random));
        }
        return rows;
    }

    public static void main(String[] args) {
        Config c = Config.defaults();
        if (args.length > 0) {
            c = new Config(java.util.Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray(),
                    args.length > 1 ? Integer.parseInt(args[1]) : 5, 3, args.length > 2 ? args[2] : "noisy:1", 0.99, 300, 0.05, 1e-4, 3, 1, 0);
        }
        long t0 = System.nanoTime();
        for (Row r : run(c)) {
            System.out.printf(java.util.Locale.ROOT, "labels %4d  regret %s  partial-return %s  optimal %.2f  random %.2f%n",
                    r.labels(), r.regret(), r.partial(), r.optimal(), r.uniformRandom());
        }
        System.out.printf("%.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
