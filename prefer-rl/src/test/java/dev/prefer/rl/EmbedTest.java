package dev.prefer.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.rl.embed.ConditionedImitation;
import dev.prefer.rl.embed.Oppo;
import dev.prefer.rl.embed.Sirl;
import dev.prefer.rl.policy.Cpl;
import dev.prefer.rl.policy.SegmentData;
import dev.prefer.rl.teacher.Label;
import dev.prefer.rl.teacher.Teacher;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Trajectory-embedding methods: gradients against finite differences, and on toy cases the behaviour each paper
 * claims. The "style task": 3 states (one-hot), 4 actions; a demonstrator of style k plays (k + s) mod 4 in state s
 * (with probability 0.9, else uniformly), states drawn uniformly each step; reward ((a - s) mod 4) / 3, so style 3 is
 * the best and the dataset mixes all four.
 */
class EmbedTest {
    static final double[][] S = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};

    static SegmentData demo(int style, int len, Random rng) {
        double[][] o = new double[len][];
        int[] a = new int[len];
        double[][] r = new double[len][];
        for (int t = 0; t < len; t++) {
            int s = rng.nextInt(3);
            o[t] = S[s];
            a[t] = rng.nextDouble() < 0.9 ? (style + s) % 4 : rng.nextInt(4);
            r[t] = new double[] {Math.floorMod(a[t] - s, 4) / 3.0};
        }
        return new SegmentData(o, a, r);
    }

    static double sum(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s;
    }

    @Test
    void conditionedImitationAndOppoGradientsMatchFiniteDifferences() {
        Random rng = new Random(1);
        ConditionedImitation ci = new ConditionedImitation(rng, 3, 4, new ConditionedImitation.Config(2, 5, 1, 4, 1e-3));
        List<SegmentData> tg = List.of(demo(0, 4, rng), demo(1, 3, rng), demo(3, 5, rng));
        List<SegmentData> cx = List.of(demo(2, 4, rng), demo(1, 4, rng), demo(0, 2, rng));
        double[] gp = new double[ci.policy().net().params().length];
        double[] ge = new double[ci.encoder().net().params().length];
        ci.lossAndGradient(tg, cx, gp, ge);
        for (int i = 0; i < gp.length; i++) {
            assertEquals(PolicyTest.fd(ci.policy().net().params(), i, () -> ci.lossAndGradient(tg, cx, null, null)), gp[i], 1e-8);
        }
        for (int i = 0; i < ge.length; i++) {
            assertEquals(PolicyTest.fd(ci.encoder().net().params(), i, () -> ci.lossAndGradient(tg, cx, null, null)), ge[i], 1e-8);
        }
        Oppo oppo = new Oppo(rng, 3, 4, new Oppo.Config(2, 5, 0.5, 1, 1, 4, 1e-3));
        List<Cpl.Pair> pairs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            pairs.add(new Cpl.Pair(demo(i % 4, 4, rng), demo((i + 1) % 4, 3, rng), i % 3 == 0 ? 0.0 : i % 3 == 1 ? 1.0 : 0.5));
        }
        double[] gEnc = new double[oppo.contextual().encoder().net().params().length];
        double[] gz = new double[2];
        double loss = oppo.preferenceLossAndGradient(pairs, 0.5, gEnc, gz);
        assertTrue(loss > 0, "some triplets are active at initialisation");
        for (int i = 0; i < gEnc.length; i++) {
            assertEquals(PolicyTest.fd(oppo.contextual().encoder().net().params(), i, () -> oppo.preferenceLossAndGradient(pairs, 0.5, null, null)), gEnc[i], 1e-8);
        }
        for (int i = 0; i < 2; i++) {
            assertEquals(PolicyTest.fd(oppo.zStar(), i, () -> oppo.preferenceLossAndGradient(pairs, 0.5, null, null)), gz[i], 1e-8);
        }
    }

    @Test
    void sirlSimilarityLossGradientMatchesFiniteDifferences() {
        Random rng = new Random(2);
        Sirl sirl = new Sirl(rng, 3, 4, 5, 2);
        List<Sirl.Triplet> ts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ts.add(new Sirl.Triplet(demo(i % 4, 3, rng), demo((i + 1) % 4, 4, rng), demo((i + 2) % 4, 2, rng), i % 3));
        }
        double[] g = new double[sirl.representation().net().params().length];
        double loss = sirl.lossAndGradient(ts, g);
        assertTrue(loss > 0 && Double.isFinite(loss));
        for (int i = 0; i < g.length; i++) {
            assertEquals(PolicyTest.fd(sirl.representation().net().params(), i, () -> sirl.lossAndGradient(ts, null)), g[i], 1e-8);
        }
    }

    /** The game-testing claim: shown a new demo of a style, the agent plays that style (in every state, for every style). */
    @Test
    void imitationConditionedOnADemoReproducesItsStyle() {
        Random rng = new Random(2);
        List<SegmentData> demos = new ArrayList<>();
        int[] styles = new int[160];
        for (int i = 0; i < styles.length; i++) {
            styles[i] = i % 4;
            demos.add(demo(styles[i], 8, rng));
        }
        var c = new ConditionedImitation.Config(2, 16, 1500, 16, 3e-3);
        ConditionedImitation ci = new ConditionedImitation(rng, 3, 4, c);
        ci.train(demos, styles, c, rng);
        int correct = 0;
        for (int k = 0; k < 4; k++) {
            double[] z = ci.encoder().encode(demo(k, 8, rng));
            for (int s = 0; s < 3; s++) {
                correct += ci.act(S[s], z) == (k + s) % 4 ? 1 : 0;
            }
        }
        // a policy that ignores the demo can match at most 3 of the 12 (style, state) cells
        assertEquals(12, correct, "conditioned on a demo of style k the greedy action is (k + s) mod 4");
    }

    /**
     * OPPO's claim: from offline trajectories of mixed quality and preferences alone (no reward model), pi(. | s, z*)
     * acts like the preferred behaviour: here the best style (reward 1 per step) in every state, while the data's
     * mean reward per step is about 0.5.
     */
    @Test
    void oppoFindsThePreferredBehaviourWithoutAReward() {
        Random rng = new Random(3);
        List<SegmentData> data = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            data.add(demo(i % 4, 8, rng));
        }
        List<Cpl.Pair> pairs = new ArrayList<>();
        Teacher t = Teacher.parse("mistake:0.1");
        for (int i = 0; i < 200; i++) {
            SegmentData a = data.get(rng.nextInt(data.size()));
            SegmentData b = data.get(rng.nextInt(data.size()));
            Label l = t.label(a.reward(0), b.reward(0), rng);
            if (l != Label.SKIP) {
                pairs.add(new Cpl.Pair(a, b, l.firstProbability()));
            }
        }
        var c = new Oppo.Config(2, 16, 1.0, 1.0, 1500, 16, 3e-3);
        Oppo oppo = new Oppo(rng, 3, 4, c);
        oppo.train(data, pairs, c, rng);
        double dataReward = data.stream().mapToDouble(d -> sum(d.reward(0)) / d.length()).average().orElseThrow();
        assertTrue(dataReward < 0.6, "mixed-quality data: " + dataReward);
        for (int s = 0; s < 3; s++) {
            assertEquals((3 + s) % 4, oppo.act(S[s]), "state " + s + ": the best style's action");
        }
    }

    /** 8-D trajectories of which a person attends to two coordinates (f = mean of obs dims 0 and 1). */
    static SegmentData blob(Random rng, int dims) {
        double[] mu = rng.doubles(dims).map(x -> rng.nextGaussian()).toArray();
        double[][] o = new double[4][dims];
        for (int t = 0; t < 4; t++) {
            for (int d = 0; d < dims; d++) {
                o[t][d] = mu[d] + 0.2 * rng.nextGaussian();
            }
        }
        return new SegmentData(o, new int[4], new double[4][1]);
    }

    static double[] f(SegmentData s) {
        double[] m = new double[2];
        for (double[] o : s.obs()) {
            m[0] += o[0] / s.length();
            m[1] += o[1] / s.length();
        }
        return m;
    }

    static double dist(double[] a, double[] b) {
        return Math.hypot(a[0] - b[0], a[1] - b[1]);
    }

    /**
     * SIRL's claim: a representation learned from similarity queries (which two of three are most alike, judged on the
     * person's features) makes reward learning from few preferences generalise better than the raw inputs do.
     */
    @Test
    void sirlRepresentationMakesFewPreferencesGoFurther() {
        int dims = 12;
        double sirlAcc = 0;
        double rawAcc = 0;
        for (int seed = 0; seed < 3; seed++) {
            Random rng = new Random(40 + seed);
            List<Sirl.Triplet> ts = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                SegmentData a = blob(rng, dims);
                SegmentData b = blob(rng, dims);
                SegmentData c = blob(rng, dims);
                double[] d = {dist(f(b), f(c)), dist(f(a), f(c)), dist(f(a), f(b))};   // pair k leaves out item k
                int odd = d[0] <= d[1] && d[0] <= d[2] ? 0 : d[1] <= d[2] ? 1 : 2;
                ts.add(new Sirl.Triplet(a, b, c, odd));
            }
            Sirl sirl = new Sirl(rng, dims, 0, 16, 2);
            sirl.train(ts, 800, 16, 3e-3, rng);
            // 8 preference labels from the true reward r = f0 - 0.5 f1
            List<double[][]> phiPairs = new ArrayList<>();
            List<double[][]> rawPairs = new ArrayList<>();
            double[] y = new double[8];
            for (int i = 0; i < y.length; i++) {
                SegmentData a = blob(rng, dims);
                SegmentData b = blob(rng, dims);
                y[i] = reward(a) > reward(b) ? 1 : 0;
                phiPairs.add(new double[][] {sirl.representation().encode(a), sirl.representation().encode(b)});
                rawPairs.add(new double[][] {sirl.representation().pooled(a), sirl.representation().pooled(b)});
            }
            double[] wPhi = Sirl.fitReward(phiPairs, y, 500, 0.05, 1e-3);
            double[] wRaw = Sirl.fitReward(rawPairs, y, 500, 0.05, 1e-3);
            int n = 500;
            for (int i = 0; i < n; i++) {
                SegmentData a = blob(rng, dims);
                SegmentData b = blob(rng, dims);
                boolean truth = reward(a) > reward(b);
                sirlAcc += (dot(wPhi, sirl.representation().encode(a)) > dot(wPhi, sirl.representation().encode(b))) == truth ? 1.0 / (3 * n) : 0;
                rawAcc += (dot(wRaw, sirl.representation().pooled(a)) > dot(wRaw, sirl.representation().pooled(b))) == truth ? 1.0 / (3 * n) : 0;
            }
        }
        assertTrue(sirlAcc > 0.85, "held-out preference accuracy on the SIRL representation: " + sirlAcc);
        assertTrue(sirlAcc > rawAcc + 0.05, "SIRL " + sirlAcc + " vs raw inputs " + rawAcc);
    }

    static double reward(SegmentData s) {
        double[] m = f(s);
        return m[0] - 0.5 * m[1];
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
