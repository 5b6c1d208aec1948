package dev.prefer.rl.policy;

import dev.prefer.rl.env.Env;
import dev.prefer.rl.reward.RewardEnsemble;
import dev.prefer.rl.reward.Surf;
import dev.prefer.rl.teacher.LabelBudget;
import dev.prefer.rl.teacher.QuerySelection;
import dev.prefer.rl.teacher.Teacher;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * PEBBLE (Lee, Smith and Abbeel 2021) with {@link Sac} for continuous actions, following B-Pref's
 * {@code train_PEBBLE.py}: (1) {@code seedSteps} uniformly random actions; (2) unsupervised exploration until
 * {@code seedSteps + unsupSteps}, SAC trained on a particle state-entropy reward (distance to the k-th nearest buffer
 * state, {@code compute_state_entropy} in {@code agent/sac.py}); (3) the first feedback round, then the critic is reset
 * ("reset Q due to unsupervised exploration", {@code reset_critic}) and {@code resetUpdates} updates follow on the
 * learned reward ({@code update_after_reset}); (4) a feedback round every {@code feedbackEvery} steps until the label
 * budget is spent; SAC learns on the reward ensemble's mean, every sampled transition relabelled with the latest model
 * (B-Pref's {@code relabel_with_predictor}). {@link Pebble.Mode#TRUE_REWARD} runs SAC on the true reward after the same
 * seed steps (B-Pref's {@code train.py}), the reference agent. The reward model sees (s, a) pairs.
 */
public final class PebbleSac {
    /** Hyper-parameters. */
    public record Config(int totalSteps, int seedSteps, int unsupSteps, int feedbackEvery, int labels, int perRound, int segment,
                         QuerySelection selection, int largeBatch, String teacher, int ensemble, int rewardEpochs, int resetUpdates,
                         Sac.Config sac, int evalEvery, int evalEpisodes) {
        public static Config defaults(int labels) {
            return new Config(10_000, 400, 1_600, 800, labels, Math.max(1, labels / 5), 10, QuerySelection.DISAGREEMENT, 5,
                    "mistake:0.1", 3, 20, 200, Sac.Config.defaults(), 1_000, 10);
        }

        /** The same schedule scaled to {@code steps} environment steps. */
        public Config withSteps(int steps) {
            double f = steps / (double) totalSteps;
            return new Config(steps, Math.max(1, (int) (seedSteps * f)), (int) (unsupSteps * f), Math.max(1, (int) (feedbackEvery * f)),
                    labels, perRound, segment, selection, largeBatch, teacher, ensemble, rewardEpochs, resetUpdates, sac,
                    Math.max(1, (int) (evalEvery * f)), evalEpisodes);
        }
    }

    private PebbleSac() {
    }

    /** Mean true return of a deterministic continuous policy over the evaluation seeds 1_000_000 + k. */
    public static double evaluate(Supplier<Env> make, Function<double[], double[]> policy, int episodes) {
        double sum = 0;
        for (int k = 0; k < episodes; k++) {
            Env e = make.get();
            double[] o = e.reset(1_000_000L + k);
            Env.Step s;
            do {
                s = e.step(policy.apply(o));
                sum += s.reward()[0];
                o = s.observation();
            } while (!s.done());
        }
        return sum / episodes;
    }

    static double[] uniform(int dim, Random rng) {
        double[] a = new double[dim];
        for (int i = 0; i < dim; i++) {
            a[i] = 2 * rng.nextDouble() - 1;
        }
        return a;
    }

    /** Mean true return of the uniformly random policy on the evaluation seeds (the "random" baseline). */
    public static double randomReturn(Supplier<Env> make, int episodes) {
        Random rng = new Random(12_345);
        int dim = make.get().actionSize();
        return evaluate(make, o -> uniform(dim, rng), episodes);
    }

    public static Pebble.Curve run(Supplier<Env> make, Config c, Pebble.Mode mode, long seed) {
        return run(make, c, mode, seed, null);
    }

    /** PEBBLE-SAC with SURF's semi-supervised, temporally augmented reward learning when surf is not null ({@link Surf}). */
    public static Pebble.Curve run(Supplier<Env> make, Config c, Pebble.Mode mode, long seed, Surf surf) {
        return run(make, c, mode, seed, surf, LoopCheckpoint.NONE);
    }

    /** Everything the loop needs to continue exactly (see {@link LoopCheckpoint}). */
    static final class State implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        Random rng;
        Env env;
        Sac agent;
        ReplayBuffer buf;
        RewardEnsemble model;
        LabelBudget budget;
        ArrayList<RewardEnsemble.Pair> labelled = new ArrayList<>();
        ArrayList<SegmentData[]> unlabelled = new ArrayList<>();
        boolean trained;
        ArrayList<Integer> evalSteps = new ArrayList<>();
        ArrayList<Double> evalReturns = new ArrayList<>();
        Pebble.Episodes run;
        int step;
    }

    /**
     * As above, checkpointing the whole loop state (agent, buffer, reward ensemble, labels, environment, random
     * stream) every {@code ck.every()} environment steps and continuing from a checkpoint of the same configuration.
     */
    public static Pebble.Curve run(Supplier<Env> make, Config c, Pebble.Mode mode, long seed, Surf surf, LoopCheckpoint ck) {
        return run(make, c, mode, seed, surf, ck, null);
    }

    /** As above, the reward ensemble's minibatches computed by {@code backend} (null: the Java loop). */
    public static Pebble.Curve run(Supplier<Env> make, Config c, Pebble.Mode mode, long seed, Surf surf, LoopCheckpoint ck,
                                   RewardEnsemble.Backend backend) {
        String key = "pebble-sac " + c + " " + mode + " " + surf + " seed " + seed;
        State st = ck.load(key, State.class);
        if (st == null) {
            st = new State();
            st.rng = new Random(seed);
            st.env = make.get();
            if (st.env.actionCount() != 0) {
                throw new IllegalArgumentException("PEBBLE-SAC: environment '" + st.env.name() + "' has discrete actions (use pebble with DQN)");
            }
            int dim = st.env.actionSize();
            st.agent = new Sac(st.env.observationSize(), dim, c.sac(), st.rng);
            st.buf = new ReplayBuffer(c.totalSteps());
            st.model = new RewardEnsemble(c.ensemble(), st.env.observationSize() + dim, 0, 32, 3e-3, st.rng);
            st.budget = new LabelBudget(mode == Pebble.Mode.PEBBLE ? c.labels() : 0, c.perRound());
            st.run = new Pebble.Episodes(st.env, seed);
        }
        st.model.useBackend(backend);
        final State s0 = st;
        Random rng = st.rng;
        Env env = st.env;
        int dim = env.actionSize();
        Sac agent = st.agent;
        ReplayBuffer buf = st.buf;
        Teacher teacher = Teacher.parse(c.teacher());
        boolean pebble = mode == Pebble.Mode.PEBBLE;
        Sac.RewardFn trueReward = (o, a, n, r) -> r[0];
        Sac.RewardFn learned = (o, a, n, r) -> s0.model.reward(concat(o, a), 0);
        Sac.RewardFn entropy = (o, a, n, r) -> Pebble.knnReward(buf, n, rng);
        Pebble.Episodes run = st.run;
        int learnFrom = c.seedSteps() + (pebble ? c.unsupSteps() : 0);
        while (st.step < c.totalSteps()) {
            int step = ++st.step;
            double[] a = step <= c.seedSteps() ? uniform(dim, rng) : agent.act(run.obs(), rng);
            Env.Step s = env.step(a);
            buf.add(run.obs(), a, s.reward(), s.observation(), s.terminated(), run.episode());
            run.after(s);
            boolean first = pebble && step == learnFrom;
            boolean later = pebble && step > learnFrom && (step - learnFrom) % c.feedbackEvery() == 0;
            if ((first || later) && st.budget.nextRound() > 0) {
                Pebble.feedbackRound(buf, st.model, teacher.withMargin(Math.abs(run.margin(c.segment()))), c.selection(), st.trained, st.budget,
                        c.segment(), c.largeBatch(), c.rewardEpochs(), st.labelled, surf, st.unlabelled, rng);
                st.trained = true;
            }
            if (first && c.unsupSteps() > 0) {
                agent.resetCritic();
                for (int u = 0; u < c.resetUpdates(); u++) {
                    agent.update(buf, learned, rng);
                }
            }
            if (step > c.seedSteps() && buf.size() >= c.sac().batch()) {
                Sac.RewardFn rf = !pebble ? trueReward : st.trained ? learned : entropy;
                agent.update(buf, rf, rng);
            }
            if (step % c.evalEvery() == 0) {
                st.evalSteps.add(step);
                st.evalReturns.add(evaluate(make, agent::mean, c.evalEpisodes()));
            }
            if (ck.due(step, c.totalSteps())) {
                ck.save(key, st);
            }
            ck.after(step);
        }
        return new Pebble.Curve(st.evalSteps.stream().mapToInt(Integer::intValue).toArray(),
                st.evalReturns.stream().mapToDouble(Double::doubleValue).toArray(), st.budget.used());
    }

    static double[] concat(double[] x, double[] a) {
        double[] in = new double[x.length + a.length];
        System.arraycopy(x, 0, in, 0, x.length);
        System.arraycopy(a, 0, in, x.length, a.length);
        return in;
    }
}
