package dev.prefer.objectives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Exact identities between objectives, and values derived by hand (written next to each check). */
class IdentityTest {
    static NDManager manager;
    static final double LN2 = Math.log(2);

    @BeforeAll
    static void open() {
        manager = Fixtures.manager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static Batch randomPairs(Random r, int n) {
        double[] pc = new double[n], pr = new double[n], rc = new double[n], rr = new double[n];
        int[] nc = new int[n], nr = new int[n];
        for (int i = 0; i < n; i++) {
            pc[i] = -5 - 30 * r.nextDouble();
            pr[i] = -5 - 30 * r.nextDouble();
            rc[i] = pc[i] + r.nextGaussian() * 3;
            rr[i] = pr[i] + r.nextGaussian() * 3;
            nc[i] = 1 + r.nextInt(20);
            nr[i] = 1 + r.nextInt(20);
        }
        return Batch.pairs(pc, pr, rc, rr).withPairTokens(nc, nr);
    }

    /** Same pairs as lists of K = 2 with labels (1, 0). */
    static Batch asLists(Batch pairs) {
        return Batch.lists(2, pairs.policy(), pairs.reference(), pairs.labels()).withTokens(pairs.tokens());
    }

    @Test
    void policyEqualToReferenceGivesLn2() {
        Batch b = Batch.pairs(new double[] {-3, -40, -7}, new double[] {-9, -2, -7}, new double[] {-3, -40, -7}, new double[] {-9, -2, -7});
        assertEquals(LN2, new Dpo(0.1).loss(b).value(), 1e-15);
        assertEquals(LN2, new Dpo(5).loss(b).value(), 1e-15);
        assertEquals(LN2, Fixtures.tensorLoss(manager, new Dpo(0.1), b, DataType.FLOAT64), 1e-15);
        assertEquals(LN2, Fixtures.tensorLoss(manager, new Dpo(0.1), b, DataType.FLOAT32), 1e-7);
        // cDPO and rDPO at h = 0: −(1−ε) log ½ − ε log ½ = ln 2; [(1−ε) ln 2 − ε ln 2]/(1−2ε) = ln 2.
        assertEquals(LN2, new ConservativeDpo(0.1, 0.3).loss(b).value(), 1e-15);
        assertEquals(LN2, new RobustDpo(0.1, 0.3).loss(b).value(), 1e-15);
        // Listwise at s = 0, K = 2: every form reduces to −log σ(0) = ln 2.
        assertEquals(LN2, new PlackettLuce(0.1).loss(asLists(b)).value(), 1e-15);
        assertEquals(LN2, new SoftmaxListwise(0.1).loss(asLists(b)).value(), 1e-15);
        // IPO at h = 0: (0 − 1/(2τ))² = 25 for τ = 0.1. Hinge: max(0, 1 − 0) = 1.
        assertEquals(25, new Ipo(0.1).loss(b).value(), 1e-12);
        assertEquals(1, new Hinge(0.1).loss(b).value(), 1e-15);
        // EXO at h = 0: ½(log ½ − log(1−ε)) + ½(log ½ − log ε) = −ln 2 − ½ log(ε(1−ε)).
        double eps = 1e-3;
        assertEquals(-LN2 - 0.5 * Math.log(eps * (1 - eps)), new Exo(0.1, eps).loss(b).value(), 1e-12);
        // NCA at ρ = 0: −log ½ − ½ log ½ − ½ log ½ = 2 ln 2. APO-zero: ½ + ½ = 1. APO-down: ½ + ½ = 1.
        assertEquals(2 * LN2, new Nca(0.1).loss(b).value(), 1e-15);
        assertEquals(1, new ApoZero(0.1).loss(b).value(), 1e-15);
        assertEquals(1, new ApoDown(0.1).loss(b).value(), 1e-15);
        // SPPO-hard at ρ = 0: 2 · (1/(2β))² = 2 · 25 = 50 for β = 0.1.
        assertEquals(50, new SppoHard(0.1).loss(b).value(), 1e-12);
    }

    @Test
    void reductionsToDpo() {
        Random r = new Random(7);
        for (int trial = 0; trial < 20; trial++) {
            Batch b = randomPairs(r, 5);
            double beta = 0.05 + r.nextDouble();
            double dpo = new Dpo(beta).loss(b).value();
            double tol = 1e-12 * Math.max(1, dpo);
            assertEquals(dpo, new ConservativeDpo(beta, 0).loss(b).value(), tol, "cDPO with ε = 0");
            assertEquals(dpo, new RobustDpo(beta, 0).loss(b).value(), tol, "rDPO with ε = 0");
            assertEquals(dpo, new Rpo(beta, 0).loss(b).value(), tol, "RPO with η = 0");
            assertEquals(dpo, new Dove(beta, false).loss(b).value(), tol, "DOVE on conditional ratios");
            assertEquals(dpo, new LipoLambda(beta, false).loss(asLists(b)).value(), tol, "LiPO, unit weights, K = 2");
            assertEquals(dpo, new PlackettLuce(beta).loss(asLists(b)).value(), tol, "Plackett–Luce, K = 2");
            assertEquals(dpo, new SoftmaxListwise(beta).loss(asLists(b)).value(), tol, "softmax listwise, K = 2, labels (1, 0)");
            assertEquals(dpo, WeightedSum.of(1, new Dpo(beta), 0, new ChosenNll()).loss(b).value(), tol, "1·DPO + 0·SFT");
            // MODPO with w = (1, 0): no margin from the other objective.
            Batch withScores = b.withAttributes(1, new double[] {0.3, -1, 2, 0.5, 7});
            assertEquals(dpo, new Modpo(beta, new double[] {1, 0}, List.of("s")).loss(withScores).value(), tol, "MODPO, w = (1, 0)");
            // Length normalisation with |y| = 1 everywhere changes nothing.
            Batch ones = b.withTokens(fill(b.size(), 1));
            assertEquals(dpo, new LengthNormalized(new Dpo(beta)).loss(ones).value(), tol, "LN with |y| = 1");
            // RPO = DPO + η · SFT, term by term.
            assertEquals(dpo + 0.3 * new ChosenNll().loss(b).value(), new Rpo(beta, 0.3).loss(b).value(), tol);
            // DPO with a margin m = β h shifts the logit to 0: ln 2.
            double[] m = new double[b.groups()];
            for (int g = 0; g < m.length; g++) m[g] = beta * (b.logRatio(g, 0) - b.logRatio(g, 1));
            assertEquals(LN2, new Dpo(beta).loss(b.withMargins(m)).value(), 1e-12, "DPO with m = βh");
        }
        // AOT over a single pair has nothing to sort: DPO.
        Batch one = randomPairs(r, 1);
        assertEquals(new Dpo(0.1).loss(one).value(), new Aot(0.1, 0, true).loss(one).value(), 1e-14);
        // LiPO-λ with K = 2, labels (1, 0): Δ = (2¹ − 2⁰)·|1/log₂2 − 1/log₂3| = 1 − 1/log₂3 times DPO.
        Batch two = randomPairs(r, 1);
        double lambda = 1 - Math.log(2) / Math.log(3);
        assertEquals(lambda * new Dpo(0.1).loss(two).value(), new LipoLambda(0.1, true).loss(asLists(two)).value(), 1e-14);
    }

    static double[] fill(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    @Test
    void twoItemListwiseEqualsPairwiseInTensorFormToo() {
        Batch b = randomPairs(new Random(3), 6);
        double dpo = new Dpo(0.2).loss(b).value();
        assertEquals(dpo, Fixtures.tensorLoss(manager, new PlackettLuce(0.2), asLists(b), DataType.FLOAT64), 1e-12);
        assertEquals(dpo, Fixtures.tensorLoss(manager, new SoftmaxListwise(0.2), asLists(b), DataType.FLOAT64), 1e-12);
        assertEquals(dpo, Fixtures.tensorLoss(manager, new LipoLambda(0.2, false), asLists(b), DataType.FLOAT64), 1e-12);
    }

    @Test
    void stableAtLogitsOfPlusMinus100() {
        // βh = +100: loss = softplus(−100) = e^{−100} (to double precision); βh = −100: loss = 100 + e^{−100}.
        Batch b = Batch.pairs(new double[] {500, -500}, new double[] {-500, 500}, new double[] {0, 0}, new double[] {0, 0});
        double[] l = new Dpo(0.1).groupLosses(b);
        assertEquals(Math.exp(-100), l[0], 1e-50);
        assertEquals(100, l[1], 1e-12);
        for (DataType type : List.of(DataType.FLOAT64, DataType.FLOAT32)) {
            double t = Fixtures.tensorLoss(manager, new Dpo(0.1), b, type);
            assertEquals(50, t, 1e-4, type.toString());
        }
        // Every catalog objective stays finite at these logits, in both forms.
        Batch lists = Batch.lists(2, b.policy(), b.reference(), b.labels()).withTokens(fill(4, 1));
        Batch unpaired = Batch.unpaired(new double[] {1000, -1000}, new double[] {0, 0}, new boolean[] {true, false});
        for (ObjectiveCatalog.Entry e : ObjectiveCatalog.entries()) {
            Objective o = e.create(ObjectiveCatalog.defaultsFor(e));
            Batch in = switch (o.requirements().layout()) {
                case PAIRS -> b.withTokens(fill(4, 1)).withAttributes(o.requirements().attributes().size(),
                        fill(2 * o.requirements().attributes().size(), 1));
                case LISTS -> lists;
                case UNPAIRED -> unpaired;
            };
            if (e.name().equals("orpo") || e.name().equals("simpo") || e.name().equals("sft")) {
                // Reference-free objectives read ℓ_θ/|y| as a mean token log-prob, which must be < 0.
                in = Batch.pairs(new double[] {-1e-40, -1000}, new double[] {-1000, -1e-40}, null, null).withTokens(fill(4, 1));
            }
            double d = o.loss(in).value();
            double t32 = Fixtures.tensorLoss(manager, o, in, DataType.FLOAT32);
            assertTrue(Double.isFinite(d), e.name() + " double: " + d);
            assertTrue(Double.isFinite(t32), e.name() + " float32: " + t32);
        }
    }

    @Test
    void weightsAndValidation() {
        Batch b = randomPairs(new Random(11), 3);
        double[] l = new Dpo(0.1).groupLosses(b);
        // Weighted mean: weights (2, 0, 1) → (2 l0 + l2)/3.
        assertEquals((2 * l[0] + l[2]) / 3, new Dpo(0.1).loss(b.withWeights(new double[] {2, 0, 1})).value(), 1e-15);
        assertEquals((2 * l[0] + l[2]) / 3, Fixtures.tensorLoss(manager, new Dpo(0.1), b.withWeights(new double[] {2, 0, 1}), DataType.FLOAT64), 1e-14);
        assertThrows(IllegalArgumentException.class, () -> b.withWeights(new double[] {0, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> new Dpo(0));
        assertThrows(IllegalArgumentException.class, () -> new RobustDpo(0.1, 0.5));
        Batch three = Batch.lists(3, new double[] {-1, -2, -3}, new double[] {-1, -2, -3}, new double[] {2, 1, 0});
        var e = assertThrows(IllegalArgumentException.class, () -> new Dpo(0.1).loss(three));
        assertEquals("dpo needs pairs (K = 2), got K = 3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PlackettLuce(0.1).loss(Batch.unpaired(new double[] {1}, new double[] {1}, new boolean[] {true})));
        assertThrows(IllegalArgumentException.class, () -> new Aot(0.1, 0, true).loss(b.withWeights(new double[] {1, 2, 3})));
        assertThrows(IllegalArgumentException.class, () -> new Dpo(0.1).loss(Batch.pairs(new double[] {1}, new double[] {1}, null, null)));
        assertThrows(IllegalArgumentException.class, () -> WeightedSum.of(1, new Dpo(0.1), 1, new PlackettLuce(0.1)));
    }

    @Test
    void referenceFreeObjectivesSaySo() {
        assertEquals(false, new SimPo(2, 0.5).requirements().reference());
        assertEquals(false, new Orpo(0.1).requirements().reference());
        assertEquals(false, new ChosenNll().requirements().reference());
        assertEquals(true, new Dpo(0.1).requirements().reference());
        assertEquals(true, WeightedSum.of(1, new SimPo(2, 0.5), 1, new Dpo(0.1)).requirements().reference());
        assertEquals(true, new Kto(0.1, 1, 1).requirements().klSamples());
        assertEquals(true, new Dove(0.1, true).requirements().scorePromptTokens());
        // SimPO needs no reference: a batch without one works.
        Batch b = Batch.pairs(new double[] {-3}, new double[] {-8}, null, null).withPairTokens(new int[] {3}, new int[] {4});
        // −log σ(2·(−1 − (−2)) − 0.5) = softplus(−1.5), by hand.
        assertEquals(Math.log1p(Math.exp(-1.5)), new SimPo(2, 0.5).loss(b).value(), 1e-15);
    }
}
