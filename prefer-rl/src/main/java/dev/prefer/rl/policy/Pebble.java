package dev.prefer.rl.policy;

import dev.prefer.rl.env.Env;
import dev.prefer.rl.reward.RewardBackends;
import dev.prefer.rl.reward.RewardEnsemble;
import dev.prefer.rl.reward.Surf;
import dev.prefer.rl.teacher.Label;
import dev.prefer.rl.teacher.LabelBudget;
import dev.prefer.rl.teacher.QuerySelection;
import dev.prefer.rl.teacher.Teacher;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The PEBBLE loop (Lee, Smith and Abbeel 2021) with DQN for discrete actions: (1) unsupervised exploration, the
 * agent trained on a particle-based state-entropy reward (distance to the k-th nearest of a sample of buffer states);
 * (2) every {@code feedbackEvery} steps, until the label budget is spent, candidate segment pairs are drawn from the
 * buffer, a {@link QuerySelection} keeps {@code perRound} of them, the simulated teacher labels them and the reward
 * ensemble is retrained on all labels; (3) the agent learns on the ensemble's reward, relabelling every sampled
 * transition with the latest model. {@link Mode#TRUE_REWARD} runs the same agent on the true reward (the reference
 * agent); nothing else changes.
 */
public final class Pebble {
    public enum Mode { PEBBLE, TRUE_REWARD }

    /** Hyper-parameters. */
    public record Config(int totalSteps, int unsupSteps, int feedbackEvery, int labels, int perRound, int segment,
                         QuerySelection selection, int largeBatch, String teacher, int ensemble, int rewardEpochs,
                         Dqn.Config dqn, int evalEvery, int evalEpisodes) {
        public static Config defaults(int labels) {
            return new Config(5_000, 500, 500, labels, Math.max(1, labels / 5), 10, QuerySelection.DISAGREEMENT, 5,
                    "mistake:0.1", 3, 20, Dqn.Config.defaults(), 1_000, 5);
        }
    }

    /** Evaluation points: environment steps and mean true greedy return. */
    public record Curve(int[] steps, double[] returns, int labelsUsed) {
        public double last() {
            return returns[returns.length - 1];
        }
    }

    private Pebble() {
    }

    /** Mean true return of a greedy policy over fixed evaluation seeds (1_000_000 + k). */
    public static double evaluate(Supplier<Env> make, java.util.function.ToIntFunction<double[]> policy, int episodes) {
        return PebbleSac.evaluate(make, o -> new double[] {policy.applyAsInt(o)}, episodes);
    }

    public static Curve run(Supplier<Env> make, Config c, Mode mode, long seed) {
        return run(make, c, mode, seed, LoopCheckpoint.NONE);
    }

    /** Everything the DQN loop needs to continue exactly (see {@link LoopCheckpoint}). */
    static final class State implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        Random rng;
        Env env;
        Dqn agent;
        ReplayBuffer buf;
        RewardEnsemble model;
        LabelBudget budget;
        ArrayList<RewardEnsemble.Pair> labelled = new ArrayList<>();
        boolean trained;
        ArrayList<Integer> evalSteps = new ArrayList<>();
        ArrayList<Double> evalReturns = new ArrayList<>();
        Episodes run;
        int step;
    }

    /**
     * As above, checkpointing the whole loop state (agent, buffer, reward ensemble, labels, environment, random
     * stream) every {@code ck.every()} environment steps and continuing from a checkpoint of the same configuration.
     */
    public static Curve run(Supplier<Env> make, Config c, Mode mode, long seed, LoopCheckpoint ck) {
        return run(make, c, mode, seed, ck, null);
    }

    /** As above, the reward ensemble's minibatches computed by {@code backend} (null: the Java loop; {@link RewardBackends}). */
    public static Curve run(Supplier<Env> make, Config c, Mode mode, long seed, LoopCheckpoint ck, RewardEnsemble.Backend backend) {
        String key = "pebble-dqn " + c + " " + mode + " seed " + seed;
        State st = ck.load(key, State.class);
        if (st == null) {
            st = new State();
            st.rng = new Random(seed);
            st.env = make.get();
            int na = st.env.actionCount();
            st.agent = new Dqn(st.env.observationSize(), na, c.dqn(), st.rng);
            st.buf = new ReplayBuffer(c.totalSteps());
            st.model = new RewardEnsemble(c.ensemble(), st.env.observationSize(), na, 32, 3e-3, st.rng);
            st.budget = new LabelBudget(mode == Mode.PEBBLE ? c.labels() : 0, c.perRound());
            st.run = new Episodes(st.env, seed);
        }
        st.model.useBackend(backend);
        final State s0 = st;
        Random rng = st.rng;
        Env env = st.env;
        Dqn agent = st.agent;
        ReplayBuffer buf = st.buf;
        Teacher teacher = Teacher.parse(c.teacher());
        Dqn.RewardFn trueReward = (o, a, n, r) -> r[0];
        Dqn.RewardFn learned = (o, a, n, r) -> s0.model.reward(o, a);
        Dqn.RewardFn entropy = (o, a, n, r) -> knnReward(buf, n, rng);
        Episodes run = st.run;
        while (st.step < c.totalSteps()) {
            int step = ++st.step;
            double eps = Math.max(0.05, 1 - step / (0.4 * c.totalSteps()));
            int a = agent.act(run.obs(), eps, rng);
            Env.Step s = env.step(a);
            buf.add(run.obs(), a, s.reward(), s.observation(), s.terminated(), run.episode());
            run.after(s);
            if (mode == Mode.PEBBLE && step >= c.unsupSteps() && (step - c.unsupSteps()) % c.feedbackEvery() == 0
                    && st.budget.nextRound() > 0) {
                feedbackRound(buf, st.model, teacher.withMargin(Math.abs(run.margin(c.segment()))), c.selection(), st.trained, st.budget, c.segment(),
                        c.largeBatch(), c.rewardEpochs(), st.labelled, rng);
                st.trained = true;
            }
            if (buf.size() >= c.dqn().batch()) {
                Dqn.RewardFn rf = mode == Mode.TRUE_REWARD ? trueReward : st.trained ? learned : entropy;
                agent.update(buf, rf, rng);
            }
            if (step % c.evalEvery() == 0) {
                st.evalSteps.add(step);
                st.evalReturns.add(evaluate(make, agent::greedy, c.evalEpisodes()));
            }
            if (ck.due(step, c.totalSteps())) {
                ck.save(key, st);
            }
            ck.after(step);
        }
        return new Curve(st.evalSteps.stream().mapToInt(Integer::intValue).toArray(),
                st.evalReturns.stream().mapToDouble(Double::doubleValue).toArray(), st.budget.used());
    }

    /**
     * One feedback round: draws candidate segment pairs from the buffer (k of them for uniform selection, k *
     * largeBatch otherwise), keeps k by the selection rule (uniformly before the first
     * training, when the untrained ensemble cannot disagree meaningfully), asks the teacher (skips cost a label, B-Pref style), and
     * retrains the ensemble on all labels so far.
     */
    static void feedbackRound(ReplayBuffer buf, RewardEnsemble model, Teacher t, QuerySelection selection, boolean trained, LabelBudget budget,
                              int segment, int largeBatch, int rewardEpochs, List<RewardEnsemble.Pair> labelled, Random rng) {
        feedbackRound(buf, model, t, selection, trained, budget, segment, largeBatch, rewardEpochs, labelled, null, null, rng);
    }

    /**
     * The feedback round, with SURF when {@code surf} is not null: candidates are {@code segment + 2 window} long,
     * selection and the teacher see their central {@code segment} steps, {@code invLabelRatio * k} uniformly drawn
     * unlabelled pairs join {@code unlabelled}, and the ensemble trains with pseudo-labels and temporal crops.
     */
    static void feedbackRound(ReplayBuffer buf, RewardEnsemble model, Teacher t, QuerySelection selection, boolean trained, LabelBudget budget,
                              int segment, int largeBatch, int rewardEpochs, List<RewardEnsemble.Pair> labelled, Surf surf,
                              List<SegmentData[]> unlabelled, Random rng) {
        int k = budget.nextRound();
        int len = surf == null ? segment : segment + 2 * surf.window();
        int want = selection == QuerySelection.UNIFORM ? k : k * largeBatch;
        List<SegmentData[]> cands = pairs(buf, len, want, rng);
        double[][] probs = new double[model.size()][cands.size()];
        for (int m = 0; m < model.size(); m++) {
            for (int i = 0; i < cands.size(); i++) {
                probs[m][i] = surf == null ? model.probability(m, cands.get(i)[0], cands.get(i)[1])
                        : model.probability(m, surf.center(cands.get(i)[0], segment), surf.center(cands.get(i)[1], segment));
            }
        }
        for (int i : (trained ? selection : QuerySelection.UNIFORM).select(probs, k, rng)) {
            SegmentData x = cands.get(i)[0];
            SegmentData y = cands.get(i)[1];
            Label l = surf == null ? t.label(x.reward(0), y.reward(0), rng)
                    : t.label(surf.center(x, segment).reward(0), surf.center(y, segment).reward(0), rng);
            if (l != Label.SKIP) {
                labelled.add(new RewardEnsemble.Pair(x, y, l.firstProbability()));
            }
        }
        budget.spend(k);
        if (surf == null) {
            model.train(labelled, rewardEpochs, 32, rng);
        } else {
            unlabelled.addAll(pairs(buf, len, surf.invLabelRatio() * k, rng));
            model.train(labelled, unlabelled, surf, segment, rewardEpochs, 32, rng);
        }
    }

    /** n pairs of length-len segments drawn uniformly from the buffer. */
    static List<SegmentData[]> pairs(ReplayBuffer buf, int len, int n, Random rng) {
        List<SegmentData[]> cands = new ArrayList<>();
        while (cands.size() < n) {
            SegmentData x = buf.segment(len, rng);
            SegmentData y = buf.segment(len, rng);
            if (x != null && y != null) {
                cands.add(new SegmentData[] {x, y});
            }
        }
        return cands;
    }

    /**
     * The online loops' episode bookkeeping (PEBBLE with DQN or SAC): the current observation and episode index, and
     * the mean return of finished episodes, from which the teacher's margin is scaled to a segment (B-Pref
     * {@code train_PEBBLE.py}: the average episode return times segment / episode length). Episode k starts from
     * reset(seed * 100_003 + k).
     */
    static final class Episodes implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        private final Env env;
        private final long seed;
        private double[] obs;
        private int episode;
        private double running;
        private double finishedSum;
        private int finished;

        Episodes(Env env, long seed) {
            this.env = env;
            this.seed = seed;
            this.obs = env.reset(seed * 100_003L);
        }

        double[] obs() {
            return obs;
        }

        int episode() {
            return episode;
        }

        /** Takes the step's outcome; starts the next episode when this one ends. */
        void after(Env.Step s) {
            running += s.reward()[0];
            obs = s.observation();
            if (s.done()) {
                finishedSum += running;
                finished++;
                running = 0;
                episode++;
                obs = env.reset(seed * 100_003L + episode);
            }
        }

        /** Mean finished-episode return scaled to a segment of {@code segment} steps (0 before any episode ends). */
        double margin(int segment) {
            return finished == 0 ? 0 : finishedSum / finished * segment / env.maxSteps();
        }
    }

    /** State-entropy reward: log(1 + distance from x to its 5th nearest neighbour among 64 buffer states). */
    static double knnReward(ReplayBuffer buf, double[] x, Random rng) {
        int n = Math.min(64, buf.size());
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            double[] y = buf.next(rng.nextInt(buf.size()));
            double s = 0;
            for (int j = 0; j < x.length; j++) {
                s += (x[j] - y[j]) * (x[j] - y[j]);
            }
            d[i] = Math.sqrt(s);
        }
        java.util.Arrays.sort(d);
        return Math.log(1 + d[Math.min(5, n - 1)]);
    }
}
