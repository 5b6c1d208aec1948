package dev.prefer.rl.experiments;

import dev.prefer.rl.env.Env;
import dev.prefer.rl.embed.Oppo;
import dev.prefer.rl.env.PointMassReacher;
import dev.prefer.rl.nn.Adam;
import dev.prefer.rl.policy.Cpl;
import dev.prefer.rl.policy.LoopCheckpoint;
import dev.prefer.rl.policy.LoopState;
import dev.prefer.rl.policy.Pebble;
import dev.prefer.rl.policy.SegmentData;
import dev.prefer.rl.policy.SoftmaxPolicy;
import dev.prefer.rl.teacher.Label;
import dev.prefer.rl.teacher.Teacher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * CPL against PEBBLE at equal label budgets on the point-mass reacher (continuous state, 9 discrete actions), with
 * the true-reward DQN as the reference agent. Scores are normalised: (R - R_random) / (R_opt - R_random), with
 * R_opt the closed-form continuous-action optimum (an upper bound for 9 actions) and R_random the uniform policy,
 * both on the evaluation seeds.
 *
 * <p>CPL is offline: it gets {@code labels} pairs of length-{@code segment} segments drawn uniformly from a fixed
 * dataset of {@code datasetEpisodes} episodes of an epsilon-noisy scripted reacher (epsilon ~ U[0, 1] per episode),
 * labelled by the same teacher. PEBBLE queries the same number of labels online from its own buffer.
 */
public final class ControlStudy {
    /** Configuration. */
    public record Config(int labels, int seeds, int segment, String teacher, int datasetEpisodes, Pebble.Config pebble,
                         Cpl.Config cpl, int cplEvalEvery, long seed) {
        public static Config defaults(int labels) {
            return new Config(labels, 5, 10, "mistake:0.1", 100, Pebble.Config.defaults(labels),
                    new Cpl.Config(0.1, 0.5, 1.0, 0.0, 1500, 32, 1e-3), 500, 0);
        }
    }

    /** Results: curves per method and seed, and the reference returns. */
    public record Result(List<Pebble.Curve> trueReward, List<Pebble.Curve> pebble, List<Pebble.Curve> cpl,
                         double optimal, double random) {
        public double normalised(double r) {
            return (r - random) / (optimal - random);
        }
    }

    private ControlStudy() {
    }

    static Supplier<Env> reacher() {
        return () -> new PointMassReacher(true);
    }

    /** The discrete action closest in direction to the continuous optimal action (stay when on the goal). */
    static int scripted(PointMassReacher env) {
        return toward(env.optimalAction());
    }

    /**
     * The discrete action closest in direction to a continuous action a (norm at most 1, as
     * {@link PointMassReacher#optimalAction}); stay when its norm is below 0.5 (within half a step of the target).
     */
    static int toward(double[] a) {
        double n = Math.hypot(a[0], a[1]);
        if (n < 0.5) {
            return 0;
        }
        double best = Double.NEGATIVE_INFINITY;
        int arg = 0;
        double d = Math.sqrt(0.5);
        double[][] dirs = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}, {d, d}, {d, -d}, {-d, d}, {-d, -d}};
        for (int k = 1; k < 9; k++) {
            double c = (dirs[k][0] * a[0] + dirs[k][1] * a[1]) / n;
            if (c > best) {
                best = c;
                arg = k;
            }
        }
        return arg;
    }

    /** Segments of the offline dataset. */
    public static List<SegmentData> dataset(int episodes, int segment, long seed) {
        Random rng = new Random(seed);
        List<SegmentData> out = new ArrayList<>();
        for (int e = 0; e < episodes; e++) {
            PointMassReacher env = new PointMassReacher(true);
            double[] o = env.reset(seed * 7919 + e);
            double eps = rng.nextDouble();
            out.addAll(dev.prefer.rl.env.Rollout.run(env, o, x -> new double[] {rng.nextDouble() < eps ? rng.nextInt(9) : scripted(env)})
                    .segments(segment));
        }
        return out;
    }

    /** {@code labels} uniformly drawn pairs of segments labelled by the teacher (skipped queries count, give no pair). */
    static List<Cpl.Pair> labelledPairs(List<SegmentData> data, Teacher t, int labels, Random rng) {
        return labelledPairs(data, s -> s.reward(0), t, labels, rng, Cpl.Pair::new);
    }

    /** Makes a labelled pair of segments; y = P(first preferred). */
    public interface PairMaker<S, P> {
        P make(S first, S second, double y);
    }

    /**
     * {@code labels} pairs of segments drawn uniformly with replacement from data, labelled by the teacher on their
     * per-step true rewards; skipped queries count against the budget and give no pair. Shared by the discrete and
     * continuous studies.
     */
    public static <S, P> List<P> labelledPairs(List<S> data, java.util.function.Function<S, double[]> reward, Teacher t, int labels,
                                               Random rng, PairMaker<S, P> make) {
        List<P> pairs = new ArrayList<>();
        for (int asked = 0; asked < labels; asked++) {
            S a = data.get(rng.nextInt(data.size()));
            S b = data.get(rng.nextInt(data.size()));
            Label l = t.label(reward.apply(a), reward.apply(b), rng);
            if (l != Label.SKIP) {
                pairs.add(make.make(a, b, l.firstProbability()));
            }
        }
        return pairs;
    }

    /** Offline CPL with {@code labels} uniformly drawn labelled pairs; curve over gradient steps. */
    public static Pebble.Curve cpl(Config c, long seed) {
        return cplState(c, seed, LoopCheckpoint.NONE).curve(c.labels());
    }

    /**
     * As above, to the loop's final state (policy and curve), checkpointing it after every evaluation chunk but the
     * last (hook: CPL steps done); each chunk starts a fresh Adam, so no optimiser state crosses a checkpoint. The
     * dataset and its labels are rebuilt from the seed on a resume (the same pure function).
     */
    public static LoopState<SoftmaxPolicy> cplState(Config c, long seed, LoopCheckpoint ck) {
        String key = "cpl " + c + " seed " + seed;
        Random fresh = new Random(seed);
        List<Cpl.Pair> pairs = labelledPairs(dataset(c.datasetEpisodes(), c.segment(), seed), Teacher.parse(c.teacher()), c.labels(), fresh);
        LoopState<SoftmaxPolicy> st = LoopState.resume(ck, key, () -> new LoopState<>(fresh, new SoftmaxPolicy(fresh, 4, 64, 9)));
        return st.run(ck, key, c.cpl().steps(), c.cplEvalEvery(), (s, n) -> Cpl.train(s.model, pairs, c.cpl().withSteps(n), s.rng),   // a fresh Adam per chunk
                pi -> Pebble.evaluate(reacher(), pi::greedy, c.pebble().evalEpisodes()));
    }

    /**
     * The CPL paper's remedy for scarce labels (Hejna et al. 2023, Sec. 5, "CPL (BC)"; jhejna/cpl's {@code bc_coeff}):
     * behaviour-cloning pre-training for {@code bcSteps} minibatch steps (32 segments each) on every segment of the
     * offline dataset (labelled or not), then CPL with the conservative bias and a BC term of weight {@code bc} on the
     * labelled pairs. Curve: step 0 = after pre-training (BC alone, no preference used), then every cplEvalEvery CPL steps.
     */
    public static Pebble.Curve cplWithBc(Config c, long seed, int bcSteps, double bc) {
        return cplWithBcState(c, seed, bcSteps, bc, LoopCheckpoint.NONE).curve(c.labels());
    }

    /** As above, to the final state, checkpointing as {@link #cplState} does and once after pre-training (hook 0). */
    public static LoopState<SoftmaxPolicy> cplWithBcState(Config c, long seed, int bcSteps, double bc, LoopCheckpoint ck) {
        String key = "cpl-bc " + c + " " + bcSteps + " " + bc + " seed " + seed;
        Random fresh = new Random(seed);
        List<SegmentData> data = dataset(c.datasetEpisodes(), c.segment(), seed);
        List<Cpl.Pair> pairs = labelledPairs(data, Teacher.parse(c.teacher()), c.labels(), fresh);
        LoopState<SoftmaxPolicy> st = LoopState.resume(ck, key, () -> {
            LoopState<SoftmaxPolicy> s = new LoopState<>(fresh, new SoftmaxPolicy(fresh, 4, 64, 9));
            Cpl.behaviourCloning(s.model, data, bcSteps, 32, new Adam(s.model.net().params().length, c.cpl().lr()), fresh);
            s.point(0, Pebble.evaluate(reacher(), s.model::greedy, c.pebble().evalEpisodes()));
            s.checkpoint(ck, key);
            return s;
        });
        Cpl.Config cc = new Cpl.Config(c.cpl().alpha(), c.cpl().lambda(), c.cpl().gamma(), bc, c.cpl().steps(), c.cpl().batch(), c.cpl().lr());
        return st.run(ck, key, cc.steps(), c.cplEvalEvery(), (s, n) -> Cpl.train(s.model, pairs, cc.withSteps(n), s.rng),
                pi -> Pebble.evaluate(reacher(), pi::greedy, c.pebble().evalEpisodes()));
    }

    /**
     * OPPO ({@link dev.prefer.rl.embed.Oppo}) on the same offline dataset and the same labelled pairs as {@link #cpl}:
     * hindsight information matching on every dataset segment, the triplet preference loss on the labelled pairs;
     * the policy is pi(a | s, z*). Curve over gradient steps.
     */
    public static Pebble.Curve oppo(Config c, long seed) {
        return oppoState(c, seed, LoopCheckpoint.NONE).curve(c.labels());
    }

    /** As above, to the final state, checkpointing as {@link #cplState} does (OPPO's Adams are fresh per chunk). */
    public static LoopState<Oppo> oppoState(Config c, long seed, LoopCheckpoint ck) {
        String key = "oppo " + c + " seed " + seed;
        Random fresh = new Random(seed);
        List<SegmentData> data = dataset(c.datasetEpisodes(), c.segment(), seed);
        List<Cpl.Pair> pairs = labelledPairs(data, Teacher.parse(c.teacher()), c.labels(), fresh);
        var oc = new Oppo.Config(4, 64, 1.0, 1.0, c.cplEvalEvery(), c.cpl().batch() / 2, c.cpl().lr());
        LoopState<Oppo> st = LoopState.resume(ck, key, () -> new LoopState<>(fresh, new Oppo(fresh, 4, 9, oc)));
        return st.run(ck, key, c.cpl().steps(), c.cplEvalEvery(), (s, n) -> s.model.train(data, pairs,
                        new Oppo.Config(oc.zdim(), oc.hidden(), oc.margin(), oc.prefWeight(), n, oc.batch(), oc.lr()), s.rng),
                o -> Pebble.evaluate(reacher(), o::act, c.pebble().evalEpisodes()));
    }

    /** R_opt and R_random on the evaluation seeds. */
    public static double[] references(int episodes) {
        double opt = 0;
        double rnd = 0;
        for (int k = 0; k < episodes; k++) {
            PointMassReacher e = new PointMassReacher(false);
            e.reset(1_000_000L + k);
            opt += e.optimalReturn();
            PointMassReacher r = new PointMassReacher(true);
            r.reset(1_000_000L + k);
            Random rng = new Random(k);
            Env.Step s;
            do {
                s = r.step(rng.nextInt(9));
                rnd += s.reward()[0];
            } while (!s.done());
        }
        return new double[] {opt / episodes, rnd / episodes};
    }

    public static Result run(Config c, boolean withTrueReward) {
        List<Pebble.Curve> tr = new ArrayList<>();
        List<Pebble.Curve> pb = new ArrayList<>();
        List<Pebble.Curve> cp = new ArrayList<>();
        for (int s = 0; s < c.seeds(); s++) {
            long seed = c.seed() + s;
            if (withTrueReward) {
                tr.add(Pebble.run(reacher(), c.pebble(), Pebble.Mode.TRUE_REWARD, seed));
            }
            pb.add(Pebble.run(reacher(), c.pebble(), Pebble.Mode.PEBBLE, seed));
            cp.add(cpl(c, seed));
        }
        double[] ref = references(c.pebble().evalEpisodes());
        return new Result(tr, pb, cp, ref[0], ref[1]);
    }

    /**
     * Usage: ControlStudy LABELS SEEDS [FIRST_SEED]. Prints one line per method, seed and evaluation point
     * ("curve METHOD SEED STEP RETURN NORMALISED") and the summaries; bench/rl_control.sh merges several runs.
     */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("oppo")) {             // oppo LABELS SEEDS FIRST
            int labels = Integer.parseInt(args[1]);
            Config c = Config.defaults(labels);
            double[] ref = references(c.pebble().evalEpisodes());
            Result r = new Result(List.of(), List.of(), List.of(), ref[0], ref[1]);
            List<Pebble.Curve> curves = new ArrayList<>();
            for (int s = 0; s < Integer.parseInt(args[2]); s++) {
                curves.add(oppo(c, Long.parseLong(args[3]) + s));
            }
            raw("oppo", curves, r, Long.parseLong(args[3]));
            print("OPPO", curves, r);
            return;
        }
        if (args.length > 0 && args[0].equals("cpl-bc")) {           // cpl-bc LABELS SEEDS FIRST BC_STEPS BC LAMBDA
            int labels = Integer.parseInt(args[1]);
            Config d = Config.defaults(labels);
            Config c = new Config(labels, 1, d.segment(), d.teacher(), d.datasetEpisodes(), d.pebble(),
                    new Cpl.Config(d.cpl().alpha(), Double.parseDouble(args[6]), d.cpl().gamma(), 0, d.cpl().steps(), d.cpl().batch(), d.cpl().lr()),
                    d.cplEvalEvery(), 0);
            double[] ref = references(c.pebble().evalEpisodes());
            Result r = new Result(List.of(), List.of(), List.of(), ref[0], ref[1]);
            List<Pebble.Curve> curves = new ArrayList<>();
            for (int s = 0; s < Integer.parseInt(args[2]); s++) {
                curves.add(cplWithBc(c, Long.parseLong(args[3]) + s, Integer.parseInt(args[4]), Double.parseDouble(args[5])));
            }
            raw("cpl-bc", curves, r, Long.parseLong(args[3]));
            print("CPL + BC", curves, r);
            return;
        }
        int labels = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int seeds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long first = args.length > 2 ? Long.parseLong(args[2]) : 0;
        Config d = Config.defaults(labels);
        Config c = new Config(labels, seeds, d.segment(), d.teacher(), d.datasetEpisodes(), d.pebble(), d.cpl(), d.cplEvalEvery(), first);
        long t0 = System.nanoTime();
        Result r = run(c, true);
        System.out.printf(Locale.ROOT, "references optimal %.4f random %.4f%n", r.optimal(), r.random());
        raw("true-reward", r.trueReward(), r, first);
        raw("pebble", r.pebble(), r, first);
        raw("cpl", r.cpl(), r, first);
        print("true-reward DQN", r.trueReward(), r);
        print("PEBBLE", r.pebble(), r);
        print("CPL", r.cpl(), r);
        System.out.printf(Locale.ROOT, "%.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    static void raw(String name, List<Pebble.Curve> curves, Result r, long first) {
        for (int s = 0; s < curves.size(); s++) {
            Pebble.Curve cv = curves.get(s);
            for (int i = 0; i < cv.steps().length; i++) {
                System.out.printf(Locale.ROOT, "curve %s %d %d %.5f %.5f%n", name, first + s, cv.steps()[i], cv.returns()[i], r.normalised(cv.returns()[i]));
            }
        }
    }

    static void print(String name, List<Pebble.Curve> curves, Result r) {
        if (curves.isEmpty()) {
            return;
        }
        int points = curves.get(0).returns().length;
        StringBuilder sb = new StringBuilder(name + ":");
        for (int i = 0; i < points; i++) {
            double[] x = new double[curves.size()];
            for (int s = 0; s < x.length; s++) {
                x[s] = r.normalised(curves.get(s).returns()[i]);
            }
            sb.append(String.format(Locale.ROOT, " %d:%s", curves.get(0).steps()[i], Stats.of(x)));
        }
        System.out.println(sb);
    }
}
