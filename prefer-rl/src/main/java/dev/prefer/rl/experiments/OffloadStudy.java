package dev.prefer.rl.experiments;

import dev.prefer.rl.env.EdgeOffloading;
import dev.prefer.rl.env.Env;
import dev.prefer.rl.mo.Pareto;
import dev.prefer.rl.nn.Adam;
import dev.prefer.rl.nn.Mlp;
import dev.prefer.rl.policy.SegmentData;
import dev.prefer.rl.reward.RewardEnsemble;
import dev.prefer.rl.teacher.Label;
import dev.prefer.rl.teacher.Teacher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.ToIntFunction;

/**
 * One preference-conditioned Q-network for the mobile-edge offloading task: Q(s, w, a) with input (s, w, 1 - w) and
 * reward w * (-latency / L) + (1 - w) * (-energy / E) (L, E: the random policy's mean per-step costs), trained by DQN
 * online with w drawn per episode and, as in Abels et al. 2019's diverse experience replay, a fresh w per sampled
 * transition (the buffer keeps the reward vector, so any w can relabel it). Evaluation: for 11 weights, the greedy
 * policy's mean vector return over 5 fixed episodes; the Pareto front of those points, its hypervolume and the
 * linear expected utility against fixed policies (always local, always one server, uniform) and the myopic
 * cost-model policy argmin_a w . cost(a) (it knows the cost model; the network does not).
 */
public final class OffloadStudy {
    private OffloadStudy() {
    }

    record Transition(double[] obs, int action, double[] reward, double[] next) implements java.io.Serializable {
    }

    /** Everything the DQN loop needs to continue exactly: networks, optimiser, buffer, environment, random stream. */
    static final class State implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        Random rng;
        Mlp q;
        Mlp target;
        Adam adam;
        ArrayList<Transition> buf = new ArrayList<>();
        EdgeOffloading env;
        int ep;
        double[] o;
        double w;
        int step;
    }

    static double[] input(double[] obs, double w) {
        return DstStudy.input(obs, w);
    }

    static int argmax(double[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[b]) {
                b = i;
            }
        }
        return b;
    }

    /** Mean vector return (-latency, -energy) over the evaluation episodes 1_000_000 + k. */
    static double[] evaluate(ToIntFunction<EdgeOffloading> policy, int episodes) {
        double[] r = new double[2];
        for (int k = 0; k < episodes; k++) {
            EdgeOffloading env = new EdgeOffloading(2);
            env.reset(1_000_000L + k);
            Env.Step s;
            do {
                s = env.step(policy.applyAsInt(env));
                r[0] += s.reward()[0] / episodes;
                r[1] += s.reward()[1] / episodes;
            } while (!s.done());
        }
        return r;
    }

    /** The random policy's mean per-step latency and energy (the objectives' scales). */
    public static double[] scales() {
        Random rng = new Random(5);
        double[] r = evaluate(e -> rng.nextInt(3), 20);
        return new double[] {-r[0] / EdgeOffloading.EPISODE, -r[1] / EdgeOffloading.EPISODE};
    }

    /** The scalar reward the conditioned DQN learns from, for a transition and a weight. */
    @FunctionalInterface
    public interface Reward {
        double of(double[] obs, int action, double[] rewardVector, double w);
    }

    /** The true linear scalarisation w * (-latency / L) + (1 - w) * (-energy / E). */
    public static Reward trueReward(double[] scale) {
        return (o, a, r, w) -> w * r[0] / scale[0] + (1 - w) * r[1] / scale[1];
    }

    /**
     * A w-conditioned reward r(s, a, w) learned from preferences only: {@code episodes} uniformly random episodes cut
     * into segments of {@code segment} steps; for each of {@code labels} queries two segments and a weight w ~ U[0, 1]
     * are drawn and the teacher compares the segments' scaled linear utilities w * R_lat / L + (1 - w) * R_energy / E
     * (B-Pref behaviours apply: e.g. mistake:0.1 flips 10%); the ensemble (3 members, 64-64, tanh output) reads
     * (s, w, 1 - w, onehot a) and is trained by the partial-return cross-entropy (B-Pref's reward learning).
     */
    public static RewardEnsemble learnReward(int labels, String teacher, int episodes, int segment, long seed, double[] scale) {
        return learnReward(labels, teacher, episodes, segment, seed, scale, 3, 64, 30);
    }

    /** As above with the ensemble's size, width and training epochs given. */
    public static RewardEnsemble learnReward(int labels, String teacher, int episodes, int segment, long seed, double[] scale,
                                             int members, int hidden, int epochs) {
        Random rng = new Random(seed + 101);
        List<SegmentData> segs = new ArrayList<>();
        for (int e = 0; e < episodes; e++) {
            EdgeOffloading env = new EdgeOffloading(2);
            double[] o = env.reset(seed * 7_919L + 500_000L + e);
            segs.addAll(dev.prefer.rl.env.Rollout.run(env, o, x -> new double[] {rng.nextInt(3)}).segments(segment));
        }
        Teacher t = Teacher.parse(teacher);
        List<RewardEnsemble.Pair> pairs = new ArrayList<>();
        for (int q = 0; q < labels; q++) {
            SegmentData a = segs.get(rng.nextInt(segs.size()));
            SegmentData b = segs.get(rng.nextInt(segs.size()));
            double w = rng.nextDouble();
            Label l = t.label(new double[] {utility(a, w, scale)}, new double[] {utility(b, w, scale)}, rng);
            if (l != Label.SKIP) {
                pairs.add(new RewardEnsemble.Pair(conditioned(a, w), conditioned(b, w), l.firstProbability()));
            }
        }
        RewardEnsemble ens = new RewardEnsemble(members, 6, 3, hidden, 1e-3, rng);
        ens.train(pairs, epochs, 64, rng);
        return ens;
    }

    static double utility(SegmentData s, double w, double[] scale) {
        double u = 0;
        for (double[] r : s.rewards()) {
            u += w * r[0] / scale[0] + (1 - w) * r[1] / scale[1];
        }
        return u;
    }

    static SegmentData conditioned(SegmentData s, double w) {
        double[][] x = new double[s.length()][];
        for (int k = 0; k < x.length; k++) {
            x[k] = input(s.obs()[k], w);
        }
        return new SegmentData(x, s.actions(), s.rewards());
    }

    /** The learned reward as the DQN's reward (the true reward vector is ignored). */
    public static Reward learned(RewardEnsemble ens) {
        return (o, a, r, w) -> ens.reward(input(o, w), a);
    }

    public static Mlp train(int steps, long seed, double[] scale) {
        return train(steps, seed, trueReward(scale));
    }

    public static Mlp train(int steps, long seed, Reward reward) {
        return train(steps, seed, reward, dev.prefer.rl.policy.LoopCheckpoint.NONE);
    }

    /**
     * The conditioned DQN loop. With a checkpoint path, the whole loop state is written there ({@link
     * dev.prefer.rl.policy.LoopCheckpoint}) every {@code every} steps, and a run that finds a checkpoint of the same
     * seed and length continues from it, to the same network as an uninterrupted run (the reward must be the same pure
     * function; learned rewards are refitted deterministically from the seed).
     */
    public static Mlp train(int steps, long seed, Reward reward, dev.prefer.rl.policy.LoopCheckpoint ck) {
        String key = "offload " + steps + " steps seed " + seed;
        State st = ck.load(key, State.class);
        if (st == null) {
            st = new State();
            st.rng = new Random(seed);
            st.q = new Mlp(st.rng, 6, 64, 64, 3);
            st.target = st.q.copy();
            st.adam = new Adam(st.q.params().length, 1e-3);
            st.env = new EdgeOffloading(2);
            st.o = st.env.reset(seed * 1_000_003L);
            st.w = st.rng.nextDouble();
        }
        Random rng = st.rng;
        Mlp q = st.q;
        double gamma = 0.9;
        while (st.step < steps) {
            int step = ++st.step;
            double eps = Math.max(0.05, 1 - step / (0.5 * steps));
            int a = rng.nextDouble() < eps ? rng.nextInt(3) : argmax(q.apply(input(st.o, st.w)));
            Env.Step s = st.env.step(a);
            st.buf.add(new Transition(st.o, a, s.reward(), s.observation()));
            st.o = s.observation();
            if (s.done()) {
                st.o = st.env.reset(seed * 1_000_003L + ++st.ep);
                st.w = rng.nextDouble();
            }
            if (st.buf.size() >= 64) {
                double[] grad = new double[q.params().length];
                for (int b = 0; b < 32; b++) {
                    Transition t = st.buf.get(rng.nextInt(st.buf.size()));
                    double wb = rng.nextDouble();
                    double y = reward.of(t.obs(), t.action(), t.reward(), wb);
                    double best = Double.NEGATIVE_INFINITY;
                    for (double v : st.target.apply(input(t.next(), wb))) {
                        best = Math.max(best, v);
                    }
                    y += gamma * best;                       // episodes are truncated, never terminated: always bootstrap
                    Mlp.Trace tr = q.forward(input(t.obs(), wb));
                    double[] d = new double[3];
                    d[t.action()] = (tr.output()[t.action()] - y) / 32;
                    q.backward(tr, d, grad);
                }
                st.adam.step(q.params(), grad);
                if (step % 200 == 0) {
                    st.target = q.copy();
                }
            }
            if (ck.due(step, steps)) {
                ck.save(key, st);
            }
            ck.after(step);
        }
        return q;
    }

    static String fmt(List<double[]> pts) {
        StringBuilder sb = new StringBuilder();
        for (double[] p : pts) {
            sb.append(String.format(Locale.ROOT, "(%.2f, %.2f) ", p[0], p[1]));
        }
        return sb.toString().trim();
    }

    /** Mean over 101 weights of the best linear utility among the points (objectives scaled per episode). */
    public static double linearEu(List<double[]> pts, double[] scale) {
        double s = 0;
        for (int k = 0; k <= 100; k++) {
            double w = k / 100.0;
            double best = Double.NEGATIVE_INFINITY;
            for (double[] p : pts) {
                best = Math.max(best, (w * p[0] / scale[0] + (1 - w) * p[1] / scale[1]) / EdgeOffloading.EPISODE);
            }
            s += best / 101;
        }
        return s;
    }

    /** The greedy conditioned policy's points for w = 0, 0.1, ..., 1. */
    public static List<double[]> points(Mlp q) {
        List<double[]> pts = new ArrayList<>();
        for (int k = 0; k <= 10; k++) {
            double w = k / 10.0;
            pts.add(evaluate(e -> argmax(q.apply(input(e.observation(), w))), 5));
        }
        return pts;
    }

    /**
     * The baselines' points: [0] the fixed policies (always local, server 1, server 2, uniform), [1] the myopic
     * cost-model policy argmin_a w . cost(a) for w = 0, 0.1, ..., 1.
     */
    public static List<List<double[]>> baselines(double[] scale) {
        Random rr = new Random(9);
        List<double[]> fixed = List.of(evaluate(e -> 0, 5), evaluate(e -> 1, 5), evaluate(e -> 2, 5), evaluate(e -> rr.nextInt(3), 5));
        List<double[]> myopic = new ArrayList<>();
        for (int k = 0; k <= 10; k++) {
            double w = k / 10.0;
            myopic.add(evaluate(e -> {
                int best = 0;
                double bv = Double.POSITIVE_INFINITY;
                for (int a = 0; a < 3; a++) {
                    double[] c = e.cost(a);
                    double v = w * c[0] / scale[0] + (1 - w) * c[1] / scale[1];
                    if (v < bv) {
                        bv = v;
                        best = a;
                    }
                }
                return best;
            }, 5));
        }
        return List.of(fixed, myopic);
    }

    /**
     * A fixed hypervolume reference for single runs ({@code rl train}): 1.05 times the worst objective values among
     * the baselines' points (the study itself takes the worst over every run's points as well).
     */
    public static double[] referencePoint(List<List<double[]>> baselines) {
        double[] ref = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        for (List<double[]> b : baselines) {
            for (double[] p : b) {
                ref[0] = Math.min(ref[0], p[0]);
                ref[1] = Math.min(ref[1], p[1]);
            }
        }
        return new double[] {1.05 * ref[0], 1.05 * ref[1]};
    }

    /**
     * Usage: OffloadStudy STEPS SEEDS [LABELS [TEACHER]]. Per seed: the conditioned DQN on the true scalarised reward
     * and, when LABELS is given, the same DQN (same seed, same steps) on the reward learned from LABELS preferences of
     * TEACHER (default mistake:0.1) over 10-step segments of 200 random episodes.
     */
    public static void main(String[] args) {
        int steps = Integer.parseInt(args[0]);
        int seeds = Integer.parseInt(args[1]);
        int labels = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        String teacher = args.length > 3 ? args[3] : "mistake:0.1";
        double[] scale = scales();
        List<List<double[]>> base = baselines(scale);
        List<double[]> fixed = base.get(0);
        List<double[]> myopic = base.get(1);
        List<List<double[]>> nets = new ArrayList<>();
        List<List<double[]>> prefs = new ArrayList<>();
        for (int s = 0; s < seeds; s++) {
            long t0 = System.nanoTime();
            nets.add(points(train(steps, s, scale)));
            if (labels > 0) {
                prefs.add(points(train(steps, s, learned(learnReward(labels, teacher, 200, 10, s, scale)))));
            }
            System.out.printf(Locale.ROOT, "# seed %d trained in %.0f s%n", s, (System.nanoTime() - t0) / 1e9);
        }
        List<double[]> all = new ArrayList<>(fixed);
        all.addAll(myopic);
        nets.forEach(all::addAll);
        prefs.forEach(all::addAll);
        double[] ref = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        for (double[] p : all) {
            ref[0] = Math.min(ref[0], p[0]);
            ref[1] = Math.min(ref[1], p[1]);
        }
        ref[0] *= 1.05;
        ref[1] *= 1.05;
        System.out.printf(Locale.ROOT, "scales (random policy, per step) latency %.4f energy %.4f; HV reference (%.3f, %.3f)%n", scale[0], scale[1], ref[0], ref[1]);
        System.out.printf(Locale.ROOT, "fixed (local, server 1, server 2, uniform): %s; HV of their front %.3f, linear EU %.4f%n", fmt(fixed),
                Pareto.hypervolume(Pareto.front(fixed), ref), linearEu(fixed, scale));
        System.out.printf(Locale.ROOT, "myopic cost-model front: %s; HV %.3f, linear EU %.4f%n", fmt(Pareto.front(myopic)),
                Pareto.hypervolume(Pareto.front(myopic), ref), linearEu(myopic, scale));
        double floor = Pareto.hypervolume(Pareto.front(fixed), ref);
        report("conditioned DQN, true reward", nets, ref, scale, null, floor);
        if (labels > 0) {
            report("conditioned DQN, reward from " + labels + " " + teacher + " labels", prefs, ref, scale, nets, floor);
        }
    }

    /**
     * Per-seed fronts, HV and linear EU; against a baseline (the true-reward runs of the same seeds) also HV / HV_true
     * and the gain over the fixed policies' front that is kept: (HV - HV_fixed) / (HV_true - HV_fixed).
     */
    static void report(String name, List<List<double[]>> runs, double[] ref, double[] scale, List<List<double[]>> baseline, double floor) {
        int n = runs.size();
        double[] gain = new double[n];
        double[] hv = new double[n];
        double[] eu = new double[n];
        double[] frac = new double[n];
        for (int s = 0; s < n; s++) {
            hv[s] = Pareto.hypervolume(Pareto.front(runs.get(s)), ref);
            eu[s] = linearEu(runs.get(s), scale);
            System.out.printf(Locale.ROOT, "%s seed %d front: %s; HV %.3f, linear EU %.4f%n", name, s, fmt(Pareto.front(runs.get(s))), hv[s], eu[s]);
            if (baseline != null) {
                double base = Pareto.hypervolume(Pareto.front(baseline.get(s)), ref);
                frac[s] = hv[s] / base;
                gain[s] = (hv[s] - floor) / (base - floor);
            }
        }
        System.out.println(name + ": HV " + Stats.of(hv) + ", linear EU " + Stats.of(eu)
                + (baseline != null ? ", HV / true-reward HV (same seed) " + Stats.of(frac)
                + ", (HV - HV_fixed) / (HV_true - HV_fixed) " + Stats.of(gain) : ""));
    }
}
