package dev.prefer.reward.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.reward.eval.PairMetrics;
import dev.prefer.reward.HeadTrainer;
import dev.prefer.train.TrainConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the heads can and cannot represent, on generated data whose structure is known. */
class BehaviourTest {
    static final TrainConfig FAST = HeadTrainer.defaults().toBuilder().epochs(150).patience(15).learningRate(0.03).build();

    static PreferenceHead train(HeadConfig cfg, int d, int dc, List<String> annotators, List<EncodedPair> train, List<EncodedPair> val) {
        PreferenceHead h = Heads.create(cfg, d, dc, annotators, 1);
        HeadTrainer.fit(h, train, val, FAST, null);
        return h;
    }

    // ---- A preference cycle: A ≻ B, B ≻ C, C ≻ A -------------------------------------------------------------

    /**
     * Three items, each seen through noisy copies of its own vector, with the cyclic preference A≻B≻C≻A.
     * Derivation of the BT bound: a scalar reward would need r_A &gt; r_B &gt; r_C &gt; r_A, impossible, so at least one
     * of the three (equally frequent) edge types is predicted wrongly: accuracy ≤ 2/3 (+ noise).
     */
    static List<EncodedPair> cycle(Random rnd, int perEdge) {
        int d = 6;
        double[][] items = {Synthetic.gaussian(new Random(100), d, 1), Synthetic.gaussian(new Random(101), d, 1),
                Synthetic.gaussian(new Random(102), d, 1)};
        List<EncodedPair> out = new ArrayList<>();
        for (int i = 0; i < perEdge; i++) {
            for (int e = 0; e < 3; e++) {
                double[] w = noisy(rnd, items[e]);
                double[] l = noisy(rnd, items[(e + 1) % 3]);
                out.add(EncodedPair.of(w, l));
            }
        }
        return out;
    }

    static double[] noisy(Random rnd, double[] x) {
        double[] y = x.clone();
        for (int i = 0; i < y.length; i++) y[i] += 0.05 * rnd.nextGaussian();
        return y;
    }

    @Test
    void gpmFitsACycleThatBradleyTerryCannot() {
        List<EncodedPair> train = cycle(new Random(1), 100);
        List<EncodedPair> test = cycle(new Random(2), 50);
        PreferenceHead gpm = train(HeadConfig.defaults("gpm").withLatent(2), 6, 0, List.of(), train, List.of());
        PreferenceHead bt = train(HeadConfig.defaults("bt"), 6, 0, List.of(), train, List.of());
        double gpmAcc = PairMetrics.of(gpm, test).accuracy();
        double btAcc = PairMetrics.of(bt, test).accuracy();
        System.out.printf("cycle: GPM %.4f, BT %.4f%n", gpmAcc, btAcc);
        assertTrue(gpmAcc > 0.98, "GPM held-out accuracy on the cycle: " + gpmAcc);
        assertTrue(btAcc <= 2.0 / 3 + 0.02, "BT cannot exceed 2/3 on a 3-cycle: " + btAcc);
        // GPM is skew-symmetric by construction: logit(a,b) = −logit(b,a)
        EncodedPair p = test.get(0);
        assertEquals(gpm.logit(p.context(), p.chosen(), p.rejected(), null), -gpm.logit(p.context(), p.rejected(), p.chosen(), null), 1e-12);
    }

    // ---- Two annotator populations with opposite tastes --------------------------------------------------------

    static final int D = 8;

    record Populations(List<EncodedPair> train, List<EncodedPair> test, List<String> annotators, List<String> groupA) {}

    /** 12 annotators in group A (prefer high u·y), 12 in group B (prefer low u·y); 50 pairs each, 80/20 split per annotator. */
    static Populations populations(long seed) {
        Random rnd = new Random(seed);
        double[] u = Synthetic.unit(new Random(5), D);
        List<EncodedPair> train = new ArrayList<>();
        List<EncodedPair> test = new ArrayList<>();
        List<String> ann = new ArrayList<>();
        List<String> groupA = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String name = (i % 2 == 0 ? "a" : "b") + i;
            ann.add(name);
            if (i % 2 == 0) groupA.add(name);
            List<EncodedPair> ps = Synthetic.population(rnd, name, u, i % 2 == 0 ? 1 : -1, 50, D, 4.0, null);
            train.addAll(ps.subList(0, 40));
            test.addAll(ps.subList(40, 50));
        }
        return new Populations(train, test, ann, groupA);
    }

    @Test
    void palAndMicroBeatASingleBradleyTerryOnTwoPopulations() {
        Populations data = populations(3);
        double bt = PairMetrics.of(train(HeadConfig.defaults("bt"), D, 0, data.annotators(), data.train(), List.of()), data.test()).accuracy();
        double pal = PairMetrics.of(train(HeadConfig.defaults("pal"), D, 0, data.annotators(), data.train(), List.of()), data.test()).accuracy();
        double micro = PairMetrics.of(train(HeadConfig.defaults("micro"), D, 0, data.annotators(), data.train(), List.of()), data.test()).accuracy();
        System.out.printf("two populations: BT %.4f, PAL %.4f, MiCRo %.4f%n", bt, pal, micro);
        // A single BT model sees two opposite halves: the best single direction is right for one half only (~0.5).
        assertTrue(bt < 0.62, "single BT on opposite populations: " + bt);
        assertTrue(pal > 0.80 && pal > bt + 0.2, "PAL " + pal + " vs BT " + bt);
        assertTrue(micro > 0.80 && micro > bt + 0.2, "MiCRo " + micro + " vs BT " + bt);
    }

    /** A new annotator from group A (or B) is placed with group A (or B) from 10 of their pairs. */
    @Test
    void newAnnotatorIsPlacedFromTenPairs() {
        Populations data = populations(4);
        PalHead pal = (PalHead) train(HeadConfig.defaults("pal"), D, 0, data.annotators(), data.train(), List.of());
        MicroHead micro = (MicroHead) train(HeadConfig.defaults("micro"), D, 0, data.annotators(), data.train(), List.of());
        double[] u = Synthetic.unit(new Random(5), D);
        for (int sign : new int[] {1, -1}) {
            String group = sign == 1 ? "a0" : "b1";                                 // a known member of the same group
            List<EncodedPair> ten = Synthetic.population(new Random(40 + sign), "new", u, sign, 10, D, 4.0, null);
            List<EncodedPair> later = Synthetic.population(new Random(50 + sign), "new", u, sign, 200, D, 4.0, null);

            PalHead p = pal.withNewAnnotator("new");
            HeadTrainer.fit(p, ten, List.of(), FAST.toBuilder().weightDecay(0).build(), null);
            int palGroup = argmax(p.mixtureWeights(group));
            assertEquals(palGroup, argmax(p.mixtureWeights("new")), "PAL places the new annotator with their group");
            double palAcc = PairMetrics.of(p, later).accuracy();
            System.out.printf("new annotator (group %s): PAL weights %s acc %.4f%n", group, java.util.Arrays.toString(p.mixtureWeights("new")), palAcc);
            assertTrue(palAcc > 0.8, "PAL accuracy on the new annotator's later pairs: " + palAcc);

            MicroHead m = micro.withNewAnnotator("new");
            HeadTrainer.fit(m, ten, List.of(), FAST.toBuilder().weightDecay(0).build(), null);
            assertEquals(argmax(m.routing(new double[0], group)), argmax(m.routing(new double[0], "new")), "MiCRo routes the new annotator with their group");
            double microAcc = PairMetrics.of(m, later).accuracy();
            System.out.printf("new annotator (group %s): MiCRo routing %s acc %.4f%n", group, java.util.Arrays.toString(m.routing(new double[0], "new")), microAcc);
            assertTrue(microAcc > 0.8, "MiCRo accuracy on the new annotator's later pairs: " + microAcc);
        }
    }

    /** A criterion string's embedding as context: the contextual BT head and MiCRo's router both use it. */
    @Test
    void contextConditionedRewardFollowsTheCriterion() {
        Random rnd = new Random(6);
        double[] u = Synthetic.unit(new Random(5), D);
        double[] ctxA = Synthetic.gaussian(new Random(60), D, 1);
        double[] ctxB = Synthetic.gaussian(new Random(61), D, 1);
        List<EncodedPair> train = new ArrayList<>();
        List<EncodedPair> test = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            List<EncodedPair> ps = Synthetic.population(rnd, null, u, i == 0 ? 1 : -1, 500, D, 4.0, i == 0 ? ctxA : ctxB);
            train.addAll(ps.subList(0, 400));
            test.addAll(ps.subList(400, 500));
        }
        double plain = PairMetrics.of(train(HeadConfig.defaults("bt"), D, D, List.of(), train, List.of()), test).accuracy();
        double ctx = PairMetrics.of(train(HeadConfig.defaults("bt").withContextual(true), D, D, List.of(), train, List.of()), test).accuracy();
        double micro = PairMetrics.of(train(HeadConfig.defaults("micro"), D, D, List.of(), train, List.of()), test).accuracy();
        System.out.printf("context: BT %.4f, contextual BT %.4f, MiCRo %.4f%n", plain, ctx, micro);
        assertTrue(plain < 0.62, "BT without context: " + plain);
        assertTrue(ctx > 0.8, "context-conditioned BT: " + ctx);
        assertTrue(micro > 0.8, "MiCRo routing on context: " + micro);
    }

    /** DPA: attribute heads regress their labels; a user's direction v ranks by vᵀr. */
    @Test
    void multiAttributeHeadFollowsTheUsersDirection() {
        Random rnd = new Random(8);
        double[] wHelp = Synthetic.gaussian(new Random(80), D, 1);
        double[] wVerb = Synthetic.gaussian(new Random(81), D, 1);
        List<EncodedPair> train = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            double[] a = Synthetic.gaussian(rnd, D, 1);
            double[] b = Synthetic.gaussian(rnd, D, 1);
            train.add(new EncodedPair(new double[0], a, b, null, null, 1.0,
                    Map.of("chosen.helpfulness", Synthetic.dot(wHelp, a), "rejected.helpfulness", Synthetic.dot(wHelp, b),
                            "chosen.verbosity", Synthetic.dot(wVerb, a), "rejected.verbosity", Synthetic.dot(wVerb, b))));
        }
        MultiAttributeHead h = (MultiAttributeHead) train(HeadConfig.defaults("multi").withAttributes(List.of("helpfulness", "verbosity")),
                D, 0, List.of(), train, List.of());
        double theta = Math.toRadians(-30);   // "helpful, less verbose"
        h.setDirection(Map.of("helpfulness", Math.cos(theta), "verbosity", Math.sin(theta)));
        int agree = 0;
        Random t = new Random(9);
        for (int i = 0; i < 200; i++) {
            double[] a = Synthetic.gaussian(t, D, 1);
            double[] b = Synthetic.gaussian(t, D, 1);
            double truth = Math.cos(theta) * (Synthetic.dot(wHelp, a) - Synthetic.dot(wHelp, b))
                    + Math.sin(theta) * (Synthetic.dot(wVerb, a) - Synthetic.dot(wVerb, b));
            if (Math.signum(truth) == Math.signum(h.logit(new double[0], a, b, null))) agree++;
        }
        System.out.println("DPA agreement " + agree + "/200");
        assertTrue(agree >= 196, "direction-weighted ranking agrees with the true vᵀr: " + agree + "/200");
    }

    static int argmax(double[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
        return b;
    }
}
