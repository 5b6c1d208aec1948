package dev.prefer.rl.experiments;

import dev.prefer.rl.env.Env;
import dev.prefer.rl.env.PointMassReacher;
import dev.prefer.rl.env.Rollout;
import dev.prefer.rl.nn.Adam;
import dev.prefer.rl.policy.ActionSegment;
import dev.prefer.rl.policy.ContinuousCpl;
import dev.prefer.rl.policy.Cpl;
import dev.prefer.rl.policy.GaussianPolicy;
import dev.prefer.rl.policy.LoopCheckpoint;
import dev.prefer.rl.policy.LoopState;
import dev.prefer.rl.policy.Pebble;
import dev.prefer.rl.policy.PebbleSac;
import dev.prefer.rl.reward.Surf;
import dev.prefer.rl.teacher.Teacher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * PEBBLE with SAC on the continuous point-mass reacher against SAC on the true reward and the uniformly random
 * policy, and offline CPL with a Gaussian policy ({@link ContinuousCpl}) at the same label budgets. Scores are
 * normalised, (R - R_random) / (R_opt - R_random), with R_opt the closed-form optimum (reachable with continuous
 * actions) and R_random the uniform policy on the same evaluation seeds.
 */
public final class ContinuousStudy {
    /**
     * Offline CPL on the continuous reacher: {@code labels} uniformly drawn pairs of length-{@code segment} segments from
     * {@code datasetEpisodes} episodes of an epsilon-noisy scripted reacher (epsilon ~ U[0, 1] per episode: with
     * probability epsilon a uniform action in [-1, 1]^2, else the optimal one), labelled by the teacher; {@code bcSteps}
     * minibatch steps (32 segments) of BC on the whole dataset, then CPL (a fresh Adam, as the reference's switch at
     * {@code bc_steps}); policy hidden width, log sigma (NaN: learned per state in [-5, 2]); {@code decoy}, the
     * fraction of dataset episodes whose scripted part heads for a decoy (the goal mirrored through the centre) instead
     * of the goal (0: none).
     */
    public record CplConfig(int labels, int segment, String teacher, int datasetEpisodes, int bcSteps, Cpl.Config cpl,
                            int evalEvery, int evalEpisodes, int hidden, double logStd, double decoy) {
        /**
         * Defaults after jhejna/cpl's {@code configs/mw_state_sparse/cpl.yaml} (alpha 0.1, contrastive bias 0.5, BC
         * pre-training then CPL with bc_coeff 0, fixed-variance actor) scaled to this task (1000 BC + 1500 CPL steps,
         * lr 1e-3, batch 32, 64-64 MLP; the same teacher, segment length and evaluation episodes as PEBBLE-SAC).
         */
        public static CplConfig defaults(int labels) {
            return new CplConfig(labels, 10, "mistake:0.1", 100, 1000, new Cpl.Config(0.1, 0.5, 1.0, 0.0, 1500, 32, 1e-3), 500, 10, 64,
                    0.5 * Math.log(0.5), 0);
        }

        /** The named variant: cpl (defaults), cpl-bc (bias 1, bc_coeff 1: the reference's cpl_bc.yaml), cpl-nobc (no BC pre-training). */
        public static CplConfig variant(String method, int labels) {
            CplConfig d = defaults(labels);
            Cpl.Config c = d.cpl();
            return switch (method) {
                case "cpl" -> d;
                case "cpl-bc" -> d.withCpl(new Cpl.Config(c.alpha(), 1.0, c.gamma(), 1.0, c.steps(), c.batch(), c.lr()));
                case "cpl-nobc" -> new CplConfig(labels, d.segment(), d.teacher(), d.datasetEpisodes(), 0, c, d.evalEvery(), d.evalEpisodes(),
                        d.hidden(), d.logStd(), d.decoy());
                default -> throw new IllegalArgumentException("continuous CPL: unknown variant '" + method + "' (cpl, cpl-bc, cpl-nobc)");
            };
        }

        public CplConfig withCpl(Cpl.Config c) {
            return new CplConfig(labels, segment, teacher, datasetEpisodes, bcSteps, c, evalEvery, evalEpisodes, hidden, logStd, decoy);
        }

        public CplConfig withTeacher(String t) {
            return new CplConfig(labels, segment, t, datasetEpisodes, bcSteps, cpl, evalEvery, evalEpisodes, hidden, logStd, decoy);
        }

        public CplConfig withDecoy(double d) {
            return new CplConfig(labels, segment, teacher, datasetEpisodes, bcSteps, cpl, evalEvery, evalEpisodes, hidden, logStd, d);
        }
    }

    private ContinuousStudy() {
    }

    /** Segments of the offline dataset: epsilon-noisy scripted reacher episodes cut into consecutive segments. */
    public static List<ActionSegment> dataset(int episodes, int segment, long seed) {
        return dataset(episodes, segment, seed, 0);
    }

    /**
     * As {@link #dataset(int, int, long)}, a fraction {@code decoy} of the episodes heading for the decoy (-gx, -gy)
     * instead of the goal (drawn per episode; with decoy 0 nothing extra is drawn, so the data are the same).
     */
    public static List<ActionSegment> dataset(int episodes, int segment, long seed, double decoy) {
        Random rng = new Random(seed);
        List<ActionSegment> out = new ArrayList<>();
        for (int e = 0; e < episodes; e++) {
            PointMassReacher env = new PointMassReacher(false);
            double[] o = env.reset(seed * 7919 + e);
            double eps = rng.nextDouble();
            boolean wrong = decoy > 0 && rng.nextDouble() < decoy;
            out.addAll(Rollout.run(env, o, x -> rng.nextDouble() < eps ? new double[] {2 * rng.nextDouble() - 1, 2 * rng.nextDouble() - 1}
                    : wrong ? towardDecoy(x) : env.optimalAction()).actionSegments(segment));
        }
        return out;
    }

    /** Full speed towards (-gx, -gy) from observation (x, y, gx - x, gy - y), stopping on it. */
    static double[] towardDecoy(double[] obs) {
        double dx = -(obs[0] + obs[2]) - obs[0];
        double dy = -(obs[1] + obs[3]) - obs[1];
        double d = Math.hypot(dx, dy);
        if (d == 0) {
            return new double[2];
        }
        double s = Math.min(1, d / PointMassReacher.SPEED) / d;
        return new double[] {s * dx, s * dy};
    }

    /** The policy a CplConfig asks for (fixed or learned sigma). */
    static GaussianPolicy policy(CplConfig c, Random rng) {
        return Double.isNaN(c.logStd()) ? GaussianPolicy.learned(rng, 4, c.hidden(), 2, -5, 2) : GaussianPolicy.fixed(rng, 4, c.hidden(), 2, c.logStd());
    }

    /**
     * Offline continuous CPL for one seed; curve over gradient steps: step 0 is after BC pre-training (no preference
     * used yet), then every evalEvery CPL steps (one Adam throughout the CPL phase).
     */
    public static Pebble.Curve cpl(CplConfig c, long seed) {
        return cpl(c, seed, LoopCheckpoint.NONE);
    }

    /**
     * As above, checkpointing a {@link LoopState} (random stream, policy, the CPL phase's Adam, curve) after BC
     * pre-training and after every evaluation chunk but the last (the hook is called with the CPL steps done); the
     * dataset and its labels are rebuilt from the seed on a resume (the same pure function).
     */
    public static Pebble.Curve cpl(CplConfig c, long seed, LoopCheckpoint ck) {
        String key = "continuous-cpl " + c + " seed " + seed;
        Random fresh = new Random(seed);
        List<ActionSegment> data = dataset(c.datasetEpisodes(), c.segment(), seed, c.decoy());
        List<ContinuousCpl.Pair> pairs = ControlStudy.labelledPairs(data, s -> s.reward(0), Teacher.parse(c.teacher()), c.labels(), fresh,
                ContinuousCpl.Pair::new);
        LoopState<GaussianPolicy> st = LoopState.resume(ck, key, () -> {
            GaussianPolicy pi = policy(c, fresh);
            ContinuousCpl.pretrain(pi, data, c.bcSteps(), 32, new Adam(pi.net().params().length, c.cpl().lr()), fresh);
            double bcOnly = PebbleSac.evaluate(reacher(), pi::mean, c.evalEpisodes());
            LoopState<GaussianPolicy> s = new LoopState<>(fresh, pi, new Adam(pi.net().params().length, c.cpl().lr()));
            s.point(0, bcOnly);
            s.checkpoint(ck, key);
            return s;
        });
        st.run(ck, key, c.cpl().steps(), c.evalEvery(), (s, n) -> ContinuousCpl.train(s.model, pairs, c.cpl().withSteps(n), s.adams[0], s.rng),
                pi -> PebbleSac.evaluate(reacher(), pi::mean, c.evalEpisodes()));
        return st.curve(c.labels());
    }

    public static Supplier<Env> reacher() {
        return () -> new PointMassReacher(false);
    }

    /** R_opt and R_random on the evaluation seeds 1_000_000 + k. */
    public static double[] references(int episodes) {
        double opt = 0;
        for (int k = 0; k < episodes; k++) {
            PointMassReacher e = new PointMassReacher(false);
            e.reset(1_000_000L + k);
            opt += e.optimalReturn();
        }
        return new double[] {opt / episodes, PebbleSac.randomReturn(reacher(), episodes)};
    }

    /**
     * Usage: ContinuousStudy LABELS STEPS SEEDS [FIRST_SEED] [METHODS] [SEGMENT]. METHODS is a comma list of pebble,
     * pebble-surf (PEBBLE with SURF's reward learning), pebble-uniform (uniform instead of disagreement queries), sac
     * (default sac,pebble); SEGMENT the length of the labelled
     * segments (default 10). Or: ContinuousStudy cpl|cpl-bc|cpl-nobc LABELS SEEDS FIRST [TEACHER [DECOY]] for offline
     * continuous CPL ({@link CplConfig}). Prints "curve METHOD SEED STEP RETURN NORMALISED" lines (bench/rl_control.py
     * merges runs).
     */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].startsWith("cpl")) {          // cpl|cpl-bc|cpl-nobc LABELS SEEDS FIRST [TEACHER [DECOY]]
            CplConfig c = CplConfig.variant(args[0], Integer.parseInt(args[1]));
            if (args.length > 4) {
                c = c.withTeacher(args[4]);
            }
            if (args.length > 5) {
                c = c.withDecoy(Double.parseDouble(args[5]));
            }
            double[] ref = references(c.evalEpisodes());
            System.out.printf(Locale.ROOT, "references optimal %.4f random %.4f; config %s%n", ref[0], ref[1], c);
            double[] finals = new double[Integer.parseInt(args[2])];
            for (int s = 0; s < finals.length; s++) {
                long seed = Long.parseLong(args[3]) + s;
                long t0 = System.nanoTime();
                Pebble.Curve cv = cpl(c, seed);
                for (int i = 0; i < cv.steps().length; i++) {
                    System.out.printf(Locale.ROOT, "curve %s %d %d %.5f %.5f%n", args[0], seed, cv.steps()[i], cv.returns()[i],
                            (cv.returns()[i] - ref[1]) / (ref[0] - ref[1]));
                }
                finals[s] = (cv.last() - ref[1]) / (ref[0] - ref[1]);
                System.out.printf(Locale.ROOT, "# %s seed %d: %.1f s%n", args[0], seed, (System.nanoTime() - t0) / 1e9);
                System.out.flush();
            }
            System.out.println(args[0] + " final normalised: " + Stats.of(finals) + " " + Arrays.toString(finals));
            return;
        }
        int labels = Integer.parseInt(args[0]);
        int steps = Integer.parseInt(args[1]);
        int seeds = Integer.parseInt(args[2]);
        long first = args.length > 3 ? Long.parseLong(args[3]) : 0;
        List<String> methods = List.of((args.length > 4 ? args[4] : "sac,pebble").split(","));
        PebbleSac.Config c = PebbleSac.Config.defaults(labels).withSteps(steps);
        if (args.length > 5) {
            int seg = Integer.parseInt(args[5]);
            c = new PebbleSac.Config(c.totalSteps(), c.seedSteps(), c.unsupSteps(), c.feedbackEvery(), c.labels(), c.perRound(), seg,
                    c.selection(), c.largeBatch(), c.teacher(), c.ensemble(), c.rewardEpochs(), c.resetUpdates(), c.sac(), c.evalEvery(), c.evalEpisodes());
        }
        double[] ref = references(c.evalEpisodes());
        System.out.printf(Locale.ROOT, "references optimal %.4f random %.4f; config %s%n", ref[0], ref[1], c);
        for (String m : methods) {
            List<Double> finals = new ArrayList<>();
            for (int s = 0; s < seeds; s++) {
                long seed = first + s;
                long t0 = System.nanoTime();
                PebbleSac.Config cm = !m.equals("pebble-uniform") ? c : new PebbleSac.Config(c.totalSteps(), c.seedSteps(), c.unsupSteps(),
                        c.feedbackEvery(), c.labels(), c.perRound(), c.segment(), dev.prefer.rl.teacher.QuerySelection.UNIFORM, c.largeBatch(),
                        c.teacher(), c.ensemble(), c.rewardEpochs(), c.resetUpdates(), c.sac(), c.evalEvery(), c.evalEpisodes());
                Pebble.Curve cv = PebbleSac.run(reacher(), cm, m.equals("sac") ? Pebble.Mode.TRUE_REWARD : Pebble.Mode.PEBBLE, seed,
                        m.equals("pebble-surf") ? Surf.defaults() : null);
                for (int i = 0; i < cv.steps().length; i++) {
                    double norm = (cv.returns()[i] - ref[1]) / (ref[0] - ref[1]);
                    System.out.printf(Locale.ROOT, "curve %s %d %d %.5f %.5f%n", m, seed, cv.steps()[i], cv.returns()[i], norm);
                }
                finals.add((cv.last() - ref[1]) / (ref[0] - ref[1]));
                System.out.printf(Locale.ROOT, "# %s seed %d: %d labels, %.1f s%n", m, seed, cv.labelsUsed(), (System.nanoTime() - t0) / 1e9);
                System.out.flush();
            }
            System.out.println(m + " final normalised: " + Stats.of(finals.stream().mapToDouble(Double::doubleValue).toArray()));
        }
    }
}
