package dev.prefer.rl.experiments;

import dev.prefer.rl.env.DeepSeaTreasure;
import dev.prefer.rl.env.DstMdp;
import dev.prefer.rl.env.Env;
import dev.prefer.rl.mo.Pareto;
import dev.prefer.rl.mo.Utility;
import dev.prefer.rl.nn.Adam;
import dev.prefer.rl.policy.ConditionedDqn;
import dev.prefer.rl.policy.Cpl;
import dev.prefer.rl.policy.LoopCheckpoint;
import dev.prefer.rl.policy.LoopState;
import dev.prefer.rl.policy.SegmentData;
import dev.prefer.rl.policy.SoftmaxPolicy;
import dev.prefer.rl.teacher.Label;
import dev.prefer.rl.teacher.QuerySelection;
import dev.prefer.rl.teacher.Teacher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Preference-conditioned multi-objective control on Deep Sea Treasure from preferences only. For each labelled pair
 * of whole episodes a weight w is drawn uniformly, and the B-Pref teacher (mistake 0.1 by default) compares the
 * episodes' Tchebycheff utilities u_w ({@link Utility}); no scalar reward is ever shown. The episodes come from a
 * behaviour dataset: for a random treasure, the path "right to its column, then down" with random detours, plus
 * uniformly random walks. Two learners use the same labels:
 * <ul>
 *   <li>{@link #trainReward}: a w-conditioned linear reward theta(w) = Theta b(w) over the {@link DstMdp} features
 *       (which treasure, how many steps), partial-return logistic loss (convex), and the policy for w is exact
 *       planning on theta(w) ({@link #rolloutPlan});</li>
 *   <li>{@link #train}: one policy network pi(a | onehot(s), w, 1 - w) trained with conditioned CPL.</li>
 * </ul>
 * Evaluation rolls the policy out for a grid of w and reports the Pareto front reached, its hypervolume at
 * (0, -25) against the exact front's, how many of the 10 front points (and of the unsupported ones) it recovers,
 * and the expected utility.
 */
public final class DstStudy {
    /** Configuration. */
    public record Config(DeepSeaTreasure.Map map, int episodes, int labels, String teacher, int hidden, Cpl.Config cpl,
                         int evalGrid, long seed, double timeouts, int basis, String queries) {
        public Config {
            if (!queries.equals("uniform") && !queries.equals("contested")) {
                throw new IllegalArgumentException("DstStudy: queries must be uniform or contested, got '" + queries + "'");
            }
        }

        /** Without time-out episodes in the behaviour data (the setting of the first measurements), 41 basis centres. */
        public Config(DeepSeaTreasure.Map map, int episodes, int labels, String teacher, int hidden, Cpl.Config cpl, int evalGrid, long seed) {
            this(map, episodes, labels, teacher, hidden, cpl, evalGrid, seed, 0.0, BASIS);
        }

        /** Uniform queries (every label a random pair of behaviour episodes at a random w). */
        public Config(DeepSeaTreasure.Map map, int episodes, int labels, String teacher, int hidden, Cpl.Config cpl, int evalGrid, long seed,
                      double timeouts, int basis) {
            this(map, episodes, labels, teacher, hidden, cpl, evalGrid, seed, timeouts, basis, "uniform");
        }

        public Config(DeepSeaTreasure.Map map, int episodes, int labels, String teacher, int hidden, Cpl.Config cpl, int evalGrid, long seed,
                      double timeouts) {
            this(map, episodes, labels, teacher, hidden, cpl, evalGrid, seed, timeouts, BASIS);
        }

        public Config withTimeouts(double t) {
            return new Config(map, episodes, labels, teacher, hidden, cpl, evalGrid, seed, t, basis, queries);
        }

        public Config withBasis(int n) {
            return new Config(map, episodes, labels, teacher, hidden, cpl, evalGrid, seed, timeouts, n, queries);
        }

        public Config withQueries(String q) {
            return new Config(map, episodes, labels, teacher, hidden, cpl, evalGrid, seed, timeouts, basis, q);
        }

        public Config withSeed(long s) {
            return new Config(map, episodes, labels, teacher, hidden, cpl, evalGrid, s, timeouts, basis, queries);
        }

        /**
         * 1600 behaviour episodes (5% of them time-outs without a treasure), 8000 labels, 81 basis centres over w, half
         * the labels chosen where the plan's ranking is uncertain ({@link #trainRewardContested}): the setting of
         * docs/results/rl.md. Without the time-outs nothing in the data shows that never reaching a treasure is bad,
         * and near w = 1 the fitted step weight can turn positive (the plan loops).
         */
        public static Config defaults(DeepSeaTreasure.Map map) {
            return new Config(map, 1600, 8000, "mistake:0.1", 64, new Cpl.Config(1.0, 1.0, 1.0, 0.0, 3000, 32, 3e-3), 1000, 0, 0.05, 81,
                    "contested");
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
        return new Utility(new double[] {tmax, 20}, new double[] {1.05, 0.0}, 0.01);
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

    /**
     * One behaviour episode; with probability {@code timeouts} (drawn only when positive, so the stream is unchanged
     * at 0) an episode that stays on the surface (always "up") until the 100-step cap and reaches no treasure.
     */
    static Episode behaviour(DeepSeaTreasure.Map map, Random rng, double timeouts) {
        DeepSeaTreasure env = new DeepSeaTreasure(map);
        double[] o = env.reset(0);
        List<double[]> obs = new ArrayList<>();
        List<Integer> acts = new ArrayList<>();
        double[] ret = new double[2];
        if (timeouts > 0 && rng.nextDouble() < timeouts) {
            Env.Step s;
            do {
                s = env.step(0);
                obs.add(o);
                acts.add(0);
                ret[0] += s.reward()[0];
                ret[1] += s.reward()[1];
                o = s.observation();
            } while (!s.done());
            return new Episode(obs.toArray(new double[0][]), acts.stream().mapToInt(Integer::intValue).toArray(), ret);
        }
        boolean walk = rng.nextDouble() < 0.1;
        int[][] treasure = {{1, 0}, {2, 1}, {3, 2}, {4, 3}, {4, 4}, {4, 5}, {7, 6}, {7, 7}, {9, 8}, {10, 9}};
        int[] goal = treasure[rng.nextInt(10)];
        double detour = rng.nextDouble() * 0.1;
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
        return train(c, LoopCheckpoint.NONE);
    }

    /**
     * The conditioned CPL network ({@code mo-cpl}), checkpointing a {@link LoopState} (random stream, network, its one
     * Adam) every tenth of its steps (hook: steps done); data and labels are rebuilt from the seed on a resume.
     */
    public static SoftmaxPolicy train(Config c, LoopCheckpoint ck) {
        String key = "dst-cpl " + c;
        Random rng = new Random(c.seed());
        List<Episode> data = new ArrayList<>();
        for (int i = 0; i < c.episodes(); i++) {
            data.add(behaviour(c.map(), rng, c.timeouts()));
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
        LoopState<SoftmaxPolicy> st = LoopState.resume(ck, key, () -> {
            SoftmaxPolicy pi = new SoftmaxPolicy(rng, DeepSeaTreasure.SIZE * DeepSeaTreasure.SIZE + 2, c.hidden(), 4);
            return new LoopState<>(rng, pi, new Adam(pi.net().params().length, c.cpl().lr()));
        });
        st.run(ck, key, c.cpl().steps(), Math.max(1, c.cpl().steps() / 10),
                (s, n) -> Cpl.train(s.model, pairs, c.cpl().withSteps(n), s.adams[0], s.rng), null);
        return st.model;
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
        return summarise(pts, c);
    }

    /**
     * The preference-conditioned reward variant: theta(w) = Theta b(w) over the 11 {@link DstMdp} features, b(w) a
     * normalised radial basis over w in [0, 1] ({@code BASIS} centres, width {@code WIDTH}); Theta is fitted by Adam on
     * the partial-return logistic loss (convex in Theta) of the same labelled episode pairs; the policy for w is the
     * greedy policy of exact planning on theta(w) (gamma 0.999).
     */
    public static final int BASIS = 41;
    public static final double WIDTH = 0.025;

    public static double[] basis(double w) {
        return basis(w, BASIS);
    }

    /** The basis with n centres j / (n - 1), width the spacing 1 / (n - 1) (n = 41: WIDTH). */
    public static double[] basis(double w, int n) {
        double width = 1.0 / (n - 1);
        double[] b = new double[n];
        double z = 0;
        for (int j = 0; j < n; j++) {
            double c = (double) j / (n - 1);
            b[j] = Math.exp(-0.5 * (w - c) * (w - c) / (width * width));
            z += b[j];
        }
        for (int j = 0; j < n; j++) {
            b[j] /= z;
        }
        return b;
    }

    /** Weights theta(w) (length 11) from Theta (11 x BASIS, row-major). */
    public static double[] theta(double[] big, double w) {
        int n = big.length / 11;
        double[] b = basis(w, n);
        double[] t = new double[11];
        for (int k = 0; k < 11; k++) {
            for (int j = 0; j < n; j++) {
                t[k] += big[k * n + j] * b[j];
            }
        }
        return t;
    }

    /** One labelled pair for the conditioned reward: feature-count difference, weight, label (basis cached). */
    public record FeaturePair(double[] dphi, double w, double y, double[] b) implements java.io.Serializable {
        public FeaturePair(double[] dphi, double w, double y) {
            this(dphi, w, y, basis(w));
        }

        public FeaturePair(double[] dphi, double w, double y, int n) {
            this(dphi, w, y, basis(w, n));
        }
    }

    /** Mean logistic loss of Theta and its gradient (added into grad). */
    public static double rewardLoss(double[] big, List<FeaturePair> pairs, double l2, double[] grad) {
        int n11 = big.length / 11;
        double loss = 0;
        int n = pairs.size();
        for (FeaturePair p : pairs) {
            double[] b = p.b();
            double z = 0;
            for (int k = 0; k < 11; k++) {
                if (p.dphi()[k] != 0) {
                    double t = 0;
                    for (int j = 0; j < n11; j++) {
                        t += big[k * n11 + j] * b[j];
                    }
                    z += t * p.dphi()[k];
                }
            }
            loss += p.y() * dev.prefer.rl.reward.LinearRewardLearner.softplus(-z) + (1 - p.y()) * dev.prefer.rl.reward.LinearRewardLearner.softplus(z);
            if (grad != null) {
                double g = (dev.prefer.rl.reward.LinearRewardLearner.sigmoid(z) - p.y()) / n;
                for (int k = 0; k < 11; k++) {
                    if (p.dphi()[k] != 0) {
                        for (int j = 0; j < n11; j++) {
                            grad[k * n11 + j] += g * p.dphi()[k] * b[j];
                        }
                    }
                }
            }
        }
        double reg = 0;
        for (int i = 0; i < big.length; i++) {
            reg += big[i] * big[i];
            if (grad != null) {
                grad[i] += l2 * big[i];
            }
        }
        return loss / n + 0.5 * l2 * reg;
    }

    static double[] episodeFeatures(DstMdp m, DeepSeaTreasure.Map map, Episode e) {
        double[] phi = new double[11];
        phi[10] = -e.ret()[1];                               // steps
        if (e.ret()[0] > 0) {
            DeepSeaTreasure env = new DeepSeaTreasure(map);
            for (int s = 0; s < DeepSeaTreasure.SIZE * DeepSeaTreasure.SIZE; s++) {
                if (m.treasure(s) >= 0 && env.value(s / DeepSeaTreasure.SIZE, s % DeepSeaTreasure.SIZE) == e.ret()[0]) {
                    phi[m.treasure(s)] = 1;
                }
            }
        }
        return phi;
    }

    /**
     * Fits Theta from labelled episode pairs: with {@code queries} "uniform" every label is a random pair of behaviour
     * episodes at a random w (same data, teacher and labels as the CPL variant); with "contested"
     * {@link #trainRewardContested} with 4 rounds of 2000 candidate weights.
     */
    public static double[] trainReward(Config c) {
        return trainReward(c, LoopCheckpoint.NONE);
    }

    /** As above; contested queries checkpoint after every round ({@link #trainRewardContested}). */
    public static double[] trainReward(Config c, LoopCheckpoint ck) {
        if (c.queries().equals("contested")) {
            return trainRewardContested(c, 4, 2000, ck);
        }
        return trainRewardUniform(c);
    }

    /**
     * The state of a query-round loop after a round: random stream, labels so far, the current fit, rounds done. The
     * behaviour data is rebuilt from the seed on a resume (a pure function of it).
     */
    static final class RoundState implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        Random rng;
        ArrayList<FeaturePair> pairs;
        double[] big;
        int round;
    }

    private static List<Episode> data(Config c) {
        Random rng = new Random(c.seed());
        List<Episode> data = new ArrayList<>();
        for (int i = 0; i < c.episodes(); i++) {
            data.add(behaviour(c.map(), rng, c.timeouts()));
        }
        return data;
    }

    static double[] trainRewardUniform(Config c) {
        Random rng = new Random(c.seed());
        DstMdp m = new DstMdp(c.map());
        List<Episode> data = new ArrayList<>();
        for (int i = 0; i < c.episodes(); i++) {
            data.add(behaviour(c.map(), rng, c.timeouts()));
        }
        Utility u = utility(c.map());
        Teacher t = Teacher.parse(c.teacher());
        List<FeaturePair> pairs = new ArrayList<>();
        for (int i = 0; i < c.labels(); i++) {
            Episode a = data.get(rng.nextInt(data.size()));
            Episode b = data.get(rng.nextInt(data.size()));
            double w = rng.nextDouble();
            Label l = t.label(new double[] {u.tchebycheff(w, a.ret())}, new double[] {u.tchebycheff(w, b.ret())}, rng);
            if (l != Label.SKIP) {
                double[] fa = episodeFeatures(m, c.map(), a);
                double[] fb = episodeFeatures(m, c.map(), b);
                double[] d = new double[11];
                for (int k = 0; k < 11; k++) {
                    d[k] = fa[k] - fb[k];
                }
                pairs.add(new FeaturePair(d, w, l.firstProbability(), c.basis()));
            }
        }
        double[] big = new double[11 * c.basis()];
        dev.prefer.rl.nn.Adam adam = new dev.prefer.rl.nn.Adam(big.length, c.cpl().lr() * 10);
        for (int step = 0; step < c.cpl().steps(); step++) {
            double[] grad = new double[big.length];
            rewardLoss(big, pairs, 1e-4, grad);
            adam.step(big, grad);
        }
        return big;
    }

    /**
     * {@link #trainReward} with B-Pref's disagreement query selection ({@code mo-active}): the same behaviour data and
     * label budget, but only the first {@code labels / (rounds + 1)} labels are uniform; each of {@code rounds} rounds
     * fits {@code members} bootstrap copies of Theta (warm-started from the current fit, a third of the steps),
     * draws {@code largeBatch} times as many candidate (episode, episode, w) triples as it will label, and sends the
     * teacher those with the largest standard deviation across members of P(first preferred)
     * ({@link QuerySelection#DISAGREEMENT}). The final fit uses every label, as {@link #trainReward} does.
     */
    public static double[] trainRewardActive(Config c, int rounds, int members, int largeBatch) {
        return trainRewardActive(c, rounds, members, largeBatch, LoopCheckpoint.NONE);
    }

    /** As above, checkpointing a {@link RoundState} after every round but the last (hook: rounds done). */
    public static double[] trainRewardActive(Config c, int rounds, int members, int largeBatch, LoopCheckpoint ck) {
        String key = "dst-active " + c + " " + rounds + " " + members + " " + largeBatch;
        DstMdp m = new DstMdp(c.map());
        List<Episode> data = data(c);
        List<double[]> feats = new ArrayList<>();
        for (Episode e : data) {
            feats.add(episodeFeatures(m, c.map(), e));
        }
        Utility u = utility(c.map());
        Teacher t = Teacher.parse(c.teacher());
        int perRound = c.labels() / (rounds + 1);
        RoundState st = ck.load(key, RoundState.class);
        if (st == null) {
            st = new RoundState();
            st.rng = new Random(c.seed());
            for (int i = 0; i < c.episodes(); i++) {
                behaviour(c.map(), st.rng, c.timeouts());           // the data's draws: the stream continues after them
            }
            st.pairs = new ArrayList<>();
            st.big = new double[11 * c.basis()];
        }
        Random rng = st.rng;
        List<FeaturePair> pairs = st.pairs;
        double[] big = st.big;
        for (int round = st.round; round <= rounds; round++) {
            int k = round == rounds ? c.labels() - perRound * rounds : perRound;
            int[][] cand = new int[round == 0 ? k : k * largeBatch][];
            double[] cw = new double[cand.length];
            for (int i = 0; i < cand.length; i++) {
                cand[i] = new int[] {rng.nextInt(data.size()), rng.nextInt(data.size())};
                cw[i] = rng.nextDouble();
            }
            int[] chosen;
            if (round == 0) {
                chosen = java.util.stream.IntStream.range(0, k).toArray();
            } else {
                double[][] prob = new double[members][cand.length];
                for (int j = 0; j < members; j++) {
                    List<FeaturePair> boot = new ArrayList<>();
                    for (int i = 0; i < pairs.size(); i++) {
                        boot.add(pairs.get(rng.nextInt(pairs.size())));
                    }
                    double[] bj = fit(big.clone(), boot, c.cpl().steps() / 3, c.cpl().lr() * 10);
                    for (int i = 0; i < cand.length; i++) {
                        double[] th = theta(bj, cw[i]);
                        double z = 0;
                        double[] fa = feats.get(cand[i][0]);
                        double[] fb = feats.get(cand[i][1]);
                        for (int q = 0; q < 11; q++) {
                            z += th[q] * (fa[q] - fb[q]);
                        }
                        prob[j][i] = dev.prefer.rl.reward.LinearRewardLearner.sigmoid(z);
                    }
                }
                chosen = QuerySelection.DISAGREEMENT.select(prob, k, rng);
            }
            for (int i : chosen) {
                Episode a = data.get(cand[i][0]);
                Episode b = data.get(cand[i][1]);
                Label l = t.label(new double[] {u.tchebycheff(cw[i], a.ret())}, new double[] {u.tchebycheff(cw[i], b.ret())}, rng);
                if (l != Label.SKIP) {
                    double[] d = new double[11];
                    for (int q = 0; q < 11; q++) {
                        d[q] = feats.get(cand[i][0])[q] - feats.get(cand[i][1])[q];
                    }
                    pairs.add(new FeaturePair(d, cw[i], l.firstProbability(), c.basis()));
                }
            }
            big = fit(round == rounds ? new double[11 * c.basis()] : big, pairs, c.cpl().steps(), c.cpl().lr() * 10);
            st.big = big;
            st.round = round + 1;
            if (ck.path() != null && round < rounds) {
                ck.save(key, st);
            }
            ck.after(st.round);
        }
        return big;
    }

    /**
     * Query selection where the plan's choice is uncertain ({@code queries} "contested"). What the planner does for w
     * depends only on which reachable outcome scores highest under theta(w), so a label is worth most where the fit is
     * least sure that its top outcome beats a competitor. The first half of the labels is drawn exactly as
     * {@link #trainRewardUniform} draws them. Each of {@code rounds} rounds then (1) fits Theta to all labels so far
     * (warm start); (2) takes as outcomes the shortest behaviour episode reaching each treasure and one time-out
     * episode, scored by their feature counts only; (3) for each of {@code candidates} uniformly drawn weights pairs the
     * fit's top outcome with each of its two nearest competitors ({@link #contests}); (4) sends the teacher the
     * {@code labels / (2 rounds)} pairs with the smallest margin theta(w) . (phi_top - phi_other), i.e. the largest
     * entropy of the fit's own P(top preferred) = sigmoid(margin) (B-Pref's entropy sampler restricted to the pairs
     * that decide the plan; ties by draw order). The teacher sees exactly what it sees under uniform queries (two
     * episodes and w); the final fit starts from zero on every label.
     */
    public static double[] trainRewardContested(Config c, int rounds, int candidates) {
        return trainRewardContested(c, rounds, candidates, LoopCheckpoint.NONE);
    }

    /**
     * As above, checkpointing a {@link RoundState} after the uniform half and after every round but the last (the hook
     * is called with the rounds done, 0 for the uniform half).
     */
    public static double[] trainRewardContested(Config c, int rounds, int candidates, LoopCheckpoint ck) {
        String key = "dst-contested " + c + " " + rounds + " " + candidates;
        DstMdp m = new DstMdp(c.map());
        List<Episode> data = data(c);
        List<double[]> feats = new ArrayList<>();
        for (Episode e : data) {
            feats.add(episodeFeatures(m, c.map(), e));
        }
        Utility u = utility(c.map());
        Teacher t = Teacher.parse(c.teacher());
        int uniform = c.labels() / 2;
        int[] outcomes = outcomes(feats);
        double lr = c.cpl().lr() * 10;
        RoundState st = ck.load(key, RoundState.class);
        if (st == null) {
            st = new RoundState();
            st.rng = new Random(c.seed());
            for (int i = 0; i < c.episodes(); i++) {
                behaviour(c.map(), st.rng, c.timeouts());           // the data's draws: the stream continues after them
            }
            st.pairs = new ArrayList<>();
            for (int i = 0; i < uniform; i++) {
                int a = st.rng.nextInt(data.size());
                int b = st.rng.nextInt(data.size());
                label(t, u, data, feats, a, b, st.rng.nextDouble(), st.rng, c.basis(), st.pairs);
            }
            st.big = fit(new double[11 * c.basis()], st.pairs, c.cpl().steps(), lr);
            if (ck.path() != null) {
                ck.save(key, st);
            }
            ck.after(0);
        }
        Random rng = st.rng;
        List<FeaturePair> pairs = st.pairs;
        double[] big = st.big;
        for (int round = st.round; round < rounds; round++) {
            int k = round == rounds - 1 ? c.labels() - uniform - (c.labels() - uniform) / rounds * (rounds - 1) : (c.labels() - uniform) / rounds;
            List<double[]> queries = new ArrayList<>();            // {margin, w, episode a, episode b}
            for (int i = 0; i < candidates; i++) {
                double w = rng.nextDouble();
                for (double[] q : contests(theta(big, w), feats, outcomes, 2)) {
                    queries.add(new double[] {q[0], w, outcomes[(int) q[1]], outcomes[(int) q[2]]});
                }
            }
            queries.sort(java.util.Comparator.comparingDouble(q -> q[0]));   // stable: ties keep draw order
            for (int q = 0; q < k; q++) {
                double[] x = queries.get(q % queries.size());
                label(t, u, data, feats, (int) x[2], (int) x[3], x[1], rng, c.basis(), pairs);
            }
            big = fit(big, pairs, Math.max(1, c.cpl().steps() / 3), lr);
            st.big = big;
            st.round = round + 1;
            if (ck.path() != null && st.round < rounds) {
                ck.save(key, st);
            }
            ck.after(st.round);
        }
        return fit(new double[11 * c.basis()], pairs, c.cpl().steps(), lr);
    }

    /**
     * The pairs that decide the plan at one weight: the top outcome under theta (values theta . phi) against each of
     * its {@code competitors} nearest competitors, as rows {margin = v(top) - v(other), index of top, index of other}
     * (indices into outcomes), nearest first; ties keep the outcome order.
     */
    public static double[][] contests(double[] theta, List<double[]> feats, int[] outcomes, int competitors) {
        double[] v = values(theta, feats, outcomes);
        Integer[] order = new Integer[outcomes.length];
        for (int o = 0; o < order.length; o++) {
            order[o] = o;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingDouble((Integer o) -> -v[o]));
        int n = Math.min(competitors, outcomes.length - 1);
        double[][] out = new double[n][];
        for (int j = 0; j < n; j++) {
            out[j] = new double[] {v[order[0]] - v[order[j + 1]], order[0], order[j + 1]};
        }
        return out;
    }

    /** The teacher's label of episodes a and b at w, appended as a feature pair unless skipped. */
    private static void label(Teacher t, Utility u, List<Episode> data, List<double[]> feats, int a, int b, double w, Random rng,
                              int basis, List<FeaturePair> pairs) {
        Label l = t.label(new double[] {u.tchebycheff(w, data.get(a).ret())}, new double[] {u.tchebycheff(w, data.get(b).ret())}, rng);
        if (l != Label.SKIP) {
            double[] d = new double[11];
            for (int q = 0; q < 11; q++) {
                d[q] = feats.get(a)[q] - feats.get(b)[q];
            }
            pairs.add(new FeaturePair(d, w, l.firstProbability(), basis));
        }
    }

    /** Episode indices of the outcomes a plan can pick: the fewest-step episode per treasure, one time-out episode. */
    public static int[] outcomes(List<double[]> feats) {
        int[] best = new int[11];
        java.util.Arrays.fill(best, -1);
        for (int i = 0; i < feats.size(); i++) {
            double[] f = feats.get(i);
            int k = 10;
            for (int q = 0; q < 10; q++) {
                if (f[q] > 0) {
                    k = q;
                }
            }
            if (best[k] < 0 || (k < 10 && f[10] < feats.get(best[k])[10])) {
                best[k] = i;
            }
        }
        return java.util.Arrays.stream(best).filter(i -> i >= 0).toArray();
    }

    /** theta . phi for each outcome episode. */
    private static double[] values(double[] th, List<double[]> feats, int[] outcomes) {
        double[] v = new double[outcomes.length];
        for (int o = 0; o < outcomes.length; o++) {
            double[] f = feats.get(outcomes[o]);
            for (int q = 0; q < 11; q++) {
                v[o] += th[q] * f[q];
            }
        }
        return v;
    }

    private static double[] fit(double[] big, List<FeaturePair> pairs, int steps, double lr) {
        dev.prefer.rl.nn.Adam adam = new dev.prefer.rl.nn.Adam(big.length, lr);
        for (int step = 0; step < steps; step++) {
            double[] grad = new double[big.length];
            rewardLoss(big, pairs, 1e-4, grad);
            adam.step(big, grad);
        }
        return big;
    }

    /** Greedy rollout of the plan for theta(w) in the real environment. */
    public static double[] rolloutPlan(double[] big, DeepSeaTreasure.Map map, double w) {
        DstMdp m = new DstMdp(map);
        int[] pi = dev.prefer.rl.env.Planning.solve(m, theta(big, w), 0.999).policy();
        DeepSeaTreasure env = new DeepSeaTreasure(map);
        env.reset(0);
        double[] ret = new double[2];
        Env.Step s;
        do {
            s = env.step(pi[env.state()]);
            ret[0] += s.reward()[0];
            ret[1] += s.reward()[1];
        } while (!s.done());
        return ret;
    }

    public static Result evaluateReward(double[] big, Config c) {
        List<double[]> pts = new ArrayList<>();
        for (int k = 0; k <= c.evalGrid(); k++) {
            pts.add(rolloutPlan(big, c.map(), (double) k / c.evalGrid()));
        }
        return summarise(pts, c);
    }

    /** enc(w) for the conditioned network: (w, 1 - w) followed by the reward's radial basis b(w). */
    public static double[] encodeWeight(double w) {
        double[] b = basis(w);
        double[] e = new double[2 + b.length];
        e[0] = w;
        e[1] = 1 - w;
        System.arraycopy(b, 0, e, 2, b.length);
        return e;
    }

    /**
     * The policy-network variant ({@code mo-dqn}): one {@link ConditionedDqn} Q(s, a, w) trained by DQN on the
     * preference-learned conditioned reward theta(w) of {@link #trainReward} (the same labels; no true reward), greedy
     * in Q for each w. Unlike {@code mo-reward} nothing is planned at evaluation time: one network serves every w.
     */
    public static ConditionedDqn trainPolicyNet(Config c, ConditionedDqn.Config qc) {
        return trainPolicyNet(c, qc, LoopCheckpoint.NONE);
    }

    /** A network trained on a fitted reward, with the reward (Theta) it was trained on: the state of the second phase. */
    record OnReward<N extends java.io.Serializable>(double[] big, N net) implements java.io.Serializable {
    }

    /**
     * As above, resumable: the reward phase checkpoints as {@link #trainReward(Config, LoopCheckpoint)} does, then the
     * DQN saves a {@link LoopState} (random stream, Theta, networks, Adam, update count) every tenth of its updates
     * (hook: updates done).
     */
    public static ConditionedDqn trainPolicyNet(Config c, ConditionedDqn.Config qc, LoopCheckpoint ck) {
        String key = "dst-dqn " + c + " " + qc;
        DstMdp m = new DstMdp(c.map());
        LoopState<OnReward<ConditionedDqn.Weights>> st = LoopState.resume(ck, key, () -> {
            double[] big = trainReward(c, ck);
            Random rng = new Random(c.seed() + 17);
            return new LoopState<>(rng, new OnReward<>(big, new ConditionedDqn.Weights(m, 2 + BASIS, qc, rng)));
        });
        double[] big = st.model.big();
        ConditionedDqn q = new ConditionedDqn(m, DstStudy::encodeWeight, qc, st.model.net());
        st.run(ck, key, qc.updates(), Math.max(1, qc.updates() / 10), (s, n) -> q.train(w -> theta(big, w), s.rng, n), null);
        return q;
    }

    /**
     * The distilled variant ({@code mo-policy}): one softmax policy network pi(a | onehot(s), enc(w)) trained by
     * cross-entropy to imitate the exact plans for the preference-learned theta(w) of {@link #trainReward} on a grid of
     * {@code grid + 1} weights (policy distillation, Rusu et al. 2016): the states on each plan's path, plus as many
     * uniformly drawn non-terminal states, each labelled with the plan's action. Evaluated on the finer evaluation
     * grid, so the weights in between are the network's own interpolation.
     */
    public static SoftmaxPolicy trainDistilled(Config c, int grid, int steps) {
        return trainDistilled(c, grid, steps, LoopCheckpoint.NONE);
    }

    /**
     * As above, resumable: the reward phase checkpoints as {@link #trainReward(Config, LoopCheckpoint)} does, then the
     * distillation saves a {@link LoopState} (random stream, Theta, network, Adam) every tenth of its steps (hook: steps
     * done); the imitation data are rebuilt from the reward on a resume (a pure function of it and the seed).
     */
    public static SoftmaxPolicy trainDistilled(Config c, int grid, int steps, LoopCheckpoint ck) {
        String key = "dst-distil " + c + " " + grid + " " + steps;
        DstMdp m = new DstMdp(c.map());
        List<double[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        LoopState<OnReward<SoftmaxPolicy>> st = LoopState.resume(ck, key, () -> {
            double[] big = trainReward(c, ck);
            Random rng = new Random(c.seed() + 29);
            imitation(m, big, grid, rng, xs, ys);
            SoftmaxPolicy net = new SoftmaxPolicy(rng, m.stateCount() + 2 + BASIS, c.hidden(), 4);
            return new LoopState<>(rng, new OnReward<>(big, net), new Adam(net.net().params().length, 3e-3));
        });
        if (xs.isEmpty()) {
            imitation(m, st.model.big(), grid, new Random(c.seed() + 29), xs, ys);
        }
        SoftmaxPolicy net = st.model.net();
        st.run(ck, key, steps, Math.max(1, steps / 10), (s, n) -> {
            for (int k = 0; k < n; k++) {
                double[] grad = new double[net.net().params().length];
                for (int b = 0; b < 32; b++) {
                    int i = s.rng.nextInt(xs.size());
                    net.logProbAndBackward(xs.get(i), ys.get(i), -1.0 / 32, grad);
                }
                s.adams[0].step(net.net().params(), grad);
            }
        }, null);
        return net;
    }

    /** The distillation's data: for each grid weight the plan's path and as many uniformly drawn live states (from rng). */
    private static void imitation(DstMdp m, double[] big, int grid, Random rng, List<double[]> xs, List<Integer> ys) {
        int[] live = java.util.stream.IntStream.range(0, m.stateCount()).filter(s -> !m.terminal(s)).toArray();
        for (int k = 0; k <= grid; k++) {
            double w = (double) k / grid;
            int[] pi = dev.prefer.rl.env.Planning.solve(m, theta(big, w), 0.999).policy();
            double[] enc = encodeWeight(w);
            int s = m.startStates()[0];
            int path = 0;
            for (int t = 0; t < 100 && !m.terminal(s); t++) {
                xs.add(netInput(s, enc));
                ys.add(pi[s]);
                s = m.next(s, pi[s]);
                path++;
            }
            for (int j = 0; j < path; j++) {
                int r = live[rng.nextInt(live.length)];
                xs.add(netInput(r, enc));
                ys.add(pi[r]);
            }
        }
    }

    static double[] netInput(int s, double[] enc) {
        double[] x = new double[DeepSeaTreasure.SIZE * DeepSeaTreasure.SIZE + enc.length];
        x[s] = 1;
        System.arraycopy(enc, 0, x, DeepSeaTreasure.SIZE * DeepSeaTreasure.SIZE, enc.length);
        return x;
    }

    public static Result evaluateDistilled(SoftmaxPolicy net, Config c) {
        List<double[]> pts = new ArrayList<>();
        for (int k = 0; k <= c.evalGrid(); k++) {
            double w = (double) k / c.evalGrid();
            double[] enc = encodeWeight(w);
            DeepSeaTreasure env = new DeepSeaTreasure(c.map());
            env.reset(0);
            double[] ret = new double[2];
            Env.Step st;
            do {
                st = env.step(net.greedy(netInput(env.state(), enc)));
                ret[0] += st.reward()[0];
                ret[1] += st.reward()[1];
            } while (!st.done());
            pts.add(ret);
        }
        return summarise(pts, c);
    }

    /** Greedy rollout of the conditioned network for weight w. */
    public static double[] rolloutNet(ConditionedDqn q, DeepSeaTreasure.Map map, double w) {
        DeepSeaTreasure env = new DeepSeaTreasure(map);
        env.reset(0);
        double[] ret = new double[2];
        Env.Step s;
        do {
            s = env.step(q.greedy(env.state(), w));
            ret[0] += s.reward()[0];
            ret[1] += s.reward()[1];
        } while (!s.done());
        return ret;
    }

    public static Result evaluateNet(ConditionedDqn q, Config c) {
        List<double[]> pts = new ArrayList<>();
        for (int k = 0; k <= c.evalGrid(); k++) {
            pts.add(rolloutNet(q, c.map(), (double) k / c.evalGrid()));
        }
        return summarise(pts, c);
    }

    static Result summarise(List<double[]> pts, Config c) {
        List<double[]> front = Pareto.front(pts);
        double[][] exact = DeepSeaTreasure.front(c.map());
        double[] ref = {0, -25};
        List<double[]> unsupported = Pareto.unsupported(exact);
        Utility u = utility(c.map());
        return new Result(front, Pareto.hypervolume(front, ref), Pareto.hypervolume(List.of(exact), ref),
                Pareto.recovered(front, exact, 1e-9), Pareto.recovered(front, unsupported.toArray(new double[0][]), 1e-9),
                unsupported.size(), u.expectedUtility(pts, c.evalGrid()), u.expectedUtility(List.of(exact), c.evalGrid()));
    }

    /** The conditioned DQN's settings for DST (gamma as the planner's, 0.999). */
    public static ConditionedDqn.Config dqnConfig() {
        return new ConditionedDqn.Config(64, 1e-3, 0.999, 32, 30_000, 300);
    }

    /**
     * Usage: DstStudy SEEDS [METHOD [LABELS STEPS [TEACHER [EPISODES [TIMEOUTS [BASIS [QUERIES]]]]]]], METHOD one of reward
     * (default), active, policy, dqn, cpl; QUERIES uniform or contested. Without LABELS the defaults; with LABELS,
     * EPISODES defaults to the defaults', TIMEOUTS to 0, BASIS to 41 and QUERIES to uniform (the first measurements'
     * data: {@code DstStudy 5 reward 4000 3000 mistake:0.1 800}).
     */
    public static void main(String[] args) {
        for (DeepSeaTreasure.Map map : DeepSeaTreasure.Map.values()) {
            Config d = Config.defaults(map);
            if (args.length > 3) {
                d = new Config(map, args.length > 5 ? Integer.parseInt(args[5]) : d.episodes(), Integer.parseInt(args[2]), args.length > 4 ? args[4] : d.teacher(), d.hidden(),
                        new Cpl.Config(1, 1, 1, 0, Integer.parseInt(args[3]), 32, d.cpl().lr()), d.evalGrid(), 0);
            }
            int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 1;
            for (int s = 0; s < seeds; s++) {
                long t0 = System.nanoTime();
                Config c = new Config(map, d.episodes(), d.labels(), d.teacher(), d.hidden(), d.cpl(), d.evalGrid(), s,
                        args.length > 6 ? Double.parseDouble(args[6]) : d.timeouts(), args.length > 7 ? Integer.parseInt(args[7]) : d.basis(),
                        args.length > 8 ? args[8] : args.length > 3 ? "uniform" : d.queries());
                String method = args.length > 1 ? args[1] : "reward";
                Result r = method.equals("cpl") ? evaluate(train(c), c)
                        : method.equals("dqn") ? evaluateNet(trainPolicyNet(c, dqnConfig()), c)
                        : method.equals("policy") ? evaluateDistilled(trainDistilled(c, 200, 8000), c)
                        : method.equals("active") ? evaluateReward(trainRewardActive(c, 3, 3, 10), c) : evaluateReward(trainReward(c), c);
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
