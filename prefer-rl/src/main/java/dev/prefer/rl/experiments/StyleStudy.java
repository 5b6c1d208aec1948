package dev.prefer.rl.experiments;

import dev.prefer.rl.embed.ConditionedImitation;
import dev.prefer.rl.env.PointMassReacher;
import dev.prefer.rl.env.Rollout;
import dev.prefer.rl.policy.LoopCheckpoint;
import dev.prefer.rl.policy.LoopState;
import dev.prefer.rl.policy.SegmentData;
import dev.prefer.rl.policy.SoftmaxPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Imitation conditioned on a demonstrated style on a control task (the game-testing agent of issue 18 on the
 * 9-action point-mass reacher): demonstrator style k heads for the goal shifted by OFFSETS[k] (0.3 to the right,
 * left, above or below) and stays there, taking a uniformly random action with probability 0.1. The agent
 * ({@link ConditionedImitation}: a mean-pooled trajectory encoder and pi(a | s, z), trained jointly with hindsight
 * contexts from other demos of the same style) sees only (s, a) pairs, never k or the offsets. At test time it is
 * conditioned on one new 10-step demo segment of style k and run from evaluation starts; it "plays style k" when its
 * final position is closer to goal + OFFSETS[k] than to the other three targets. Baselines: behaviour cloning on all
 * demos without the style (one policy), and the demonstrators themselves.
 */
public final class StyleStudy {
    public static final double[][] OFFSETS = {{0.3, 0}, {-0.3, 0}, {0, 0.3}, {0, -0.3}};

    /** Configuration: demo episodes per style, segment length, imitation hyper-parameters, evaluation episodes per style. */
    public record Config(int episodesPerStyle, int segment, ConditionedImitation.Config imitation, int evalEpisodes) {
        public static Config defaults() {
            return new Config(25, 10, new ConditionedImitation.Config(4, 64, Integer.getInteger("style.steps", 6000), 16, 3e-3), 10);
        }
    }

    /** Per-seed outcome: style accuracy (fraction of evaluation episodes ending nearest the asked target) and mean final distance. */
    public record Result(double conditionedAccuracy, double conditionedDistance, double bcAccuracy, double bcDistance,
                         double demoAccuracy, double demoDistance) {
    }

    private StyleStudy() {
    }

    /** The demonstrator of style k: the discrete action towards goal + offset (stay within half a step of it). */
    public static int demonstrator(double[] obs, int k) {
        double dx = obs[2] + OFFSETS[k][0];
        double dy = obs[3] + OFFSETS[k][1];
        double d = Math.hypot(dx, dy);
        double s = d == 0 ? 0 : Math.min(1, d / PointMassReacher.SPEED) / d;
        return ControlStudy.toward(new double[] {s * dx, s * dy});
    }

    static SegmentData[] demoSegments(int k, long episodeSeed, int segment, Random rng) {
        PointMassReacher env = new PointMassReacher(true);
        double[] o = env.reset(episodeSeed);
        return Rollout.run(env, o, x -> new double[] {rng.nextDouble() < 0.1 ? rng.nextInt(9) : demonstrator(x, k)})
                .segments(segment).toArray(new SegmentData[0]);
    }

    /** Final position's target index (nearest of the four shifted goals) and distance to target k, for a policy. */
    static double[] episode(java.util.function.ToIntFunction<double[]> pi, int k, long seed) {
        PointMassReacher env = new PointMassReacher(true);
        Rollout.run(env, env.reset(seed), y -> new double[] {pi.applyAsInt(y)});
        double[] last = env.observation();
        int nearest = 0;
        double[] dist = new double[4];
        for (int j = 0; j < 4; j++) {
            dist[j] = Math.hypot(last[2] + OFFSETS[j][0], last[3] + OFFSETS[j][1]);
            if (dist[j] < dist[nearest]) {
                nearest = j;
            }
        }
        return new double[] {nearest == k ? 1 : 0, dist[k]};
    }

    public static Result run(Config c, long seed) {
        return run(c, seed, 0, null);
    }

    /**
     * As {@link #run(Config, long)}; with {@code evalEvery > 0} the conditioned agent is trained in chunks of that many
     * steps (the same optimiser states: the result is unchanged) and after each chunk its style accuracy is measured on
     * the evaluation starts with demos drawn from a separate stream (seed + 31), passed to curve as (steps, accuracy).
     */
    public static Result run(Config c, long seed, int evalEvery, java.util.function.ObjDoubleConsumer<Integer> curve) {
        return run(c, seed, evalEvery, curve, LoopCheckpoint.NONE);
    }

    /** The conditioned agent and the evaluation demos' random stream: what the chunked training changes besides rng. */
    record Agent(ConditionedImitation ci, Random evalRng) implements java.io.Serializable {
    }

    /**
     * As above, checkpointing a {@link LoopState} (random streams, agent, both Adams, curve) after every chunk (hook:
     * steps done; the curve is passed on once training ends); the BC baseline and the final evaluation run from the
     * last checkpoint. The demos are rebuilt from the seed on a resume.
     */
    public static Result run(Config c, long seed, int evalEvery, java.util.function.ObjDoubleConsumer<Integer> curve, LoopCheckpoint ck) {
        String key = "style " + c + " seed " + seed + " " + evalEvery;
        Random fresh = new Random(seed);
        List<SegmentData> demos = new ArrayList<>();
        List<Integer> styles = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            for (int e = 0; e < c.episodesPerStyle(); e++) {
                for (SegmentData s : demoSegments(k, seed * 10_007L + 1000L * k + e, c.segment(), fresh)) {
                    demos.add(s);
                    styles.add(k);
                }
            }
        }
        LoopState<Agent> st = LoopState.resume(ck, key, () -> {
            ConditionedImitation ci = new ConditionedImitation(fresh, 4, 9, c.imitation());
            return new LoopState<>(fresh, new Agent(ci, new Random(seed + 31)), ci.optimisers(c.imitation().lr()));
        });
        int[] styleOf = styles.stream().mapToInt(Integer::intValue).toArray();
        var im = c.imitation();
        st.runPhase(ck, key, im.steps(), evalEvery > 0 ? evalEvery : Math.max(1, im.steps()), (s, n) -> s.model.ci().train(demos, styleOf,
                new ConditionedImitation.Config(im.zdim(), im.hidden(), n, im.batch(), im.lr()), s.rng, s.adams[0], s.adams[1]),
                evalEvery > 0 ? a -> accuracy(a, c, seed) : null);
        if (evalEvery > 0) {
            double[] xs = st.column(0);
            double[] ys = st.column(1);
            for (int i = 0; i < xs.length; i++) {
                curve.accept((int) xs[i], ys[i]);
            }
        }
        Random rng = st.rng;
        ConditionedImitation ci = st.model.ci();
        SoftmaxPolicy bc = new SoftmaxPolicy(rng, 4, c.imitation().hidden(), 9);
        dev.prefer.rl.policy.Cpl.behaviourCloning(bc, demos, c.imitation().steps(), c.imitation().batch(),
                new dev.prefer.rl.nn.Adam(bc.net().params().length, c.imitation().lr()), rng);
        double[] acc = new double[3];
        double[] dist = new double[3];
        int n = 0;
        for (int k = 0; k < 4; k++) {
            for (int e = 0; e < c.evalEpisodes(); e++) {
                long evalSeed = 5_000_000L + 100L * e + k;
                SegmentData[] shown = demoSegments(k, 9_000_000L + seed * 1000 + 10L * k + e, c.segment(), rng);
                double[] z = ci.encoder().encode(shown[rng.nextInt(shown.length)]);
                final int style = k;
                double[][] r = {episode(x -> ci.act(x, z), k, evalSeed), episode(bc::greedy, k, evalSeed),
                        episode(x -> demonstrator(x, style), k, evalSeed)};
                for (int m = 0; m < 3; m++) {
                    acc[m] += r[m][0];
                    dist[m] += r[m][1];
                }
                n++;
            }
        }
        return new Result(acc[0] / n, dist[0] / n, acc[1] / n, dist[1] / n, acc[2] / n, dist[2] / n);
    }

    /** Style accuracy of the conditioned agent on the evaluation starts, demos drawn from the agent's evaluation stream. */
    static double accuracy(Agent a, Config c, long seed) {
        double acc = 0;
        for (int k = 0; k < 4; k++) {
            for (int e = 0; e < c.evalEpisodes(); e++) {
                SegmentData[] shown = demoSegments(k, 9_000_000L + seed * 1000 + 10L * k + e, c.segment(), a.evalRng());
                double[] z = a.ci().encoder().encode(shown[a.evalRng().nextInt(shown.length)]);
                acc += episode(x -> a.ci().act(x, z), k, 5_000_000L + 100L * e + k)[0] / (4.0 * c.evalEpisodes());
            }
        }
        return acc;
    }

    /** Usage: StyleStudy SEEDS [FIRST_SEED]. */
    public static void main(String[] args) {
        int seeds = Integer.parseInt(args[0]);
        long first = args.length > 1 ? Long.parseLong(args[1]) : 0;
        Config c = Config.defaults();
        System.out.println("config " + c);
        double[][] cols = new double[6][seeds];
        for (int s = 0; s < seeds; s++) {
            long t0 = System.nanoTime();
            Result r = run(c, first + s);
            double[] v = {r.conditionedAccuracy(), r.conditionedDistance(), r.bcAccuracy(), r.bcDistance(), r.demoAccuracy(), r.demoDistance()};
            for (int j = 0; j < 6; j++) {
                cols[j][s] = v[j];
            }
            System.out.printf(Locale.ROOT, "seed %d: conditioned accuracy %.3f distance %.3f; BC %.3f / %.3f; demonstrator %.3f / %.3f (%.0f s)%n",
                    first + s, v[0], v[1], v[2], v[3], v[4], v[5], (System.nanoTime() - t0) / 1e9);
        }
        System.out.println("conditioned imitation: style accuracy " + Stats.of(cols[0]) + ", distance to the asked target " + Stats.of(cols[1]));
        System.out.println("BC without style:      style accuracy " + Stats.of(cols[2]) + ", distance " + Stats.of(cols[3]));
        System.out.println("demonstrators:         style accuracy " + Stats.of(cols[4]) + ", distance " + Stats.of(cols[5]));
    }
}
