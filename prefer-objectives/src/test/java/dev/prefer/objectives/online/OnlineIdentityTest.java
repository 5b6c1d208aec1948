package dev.prefer.objectives.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.prefer.objectives.online.Advantages.ScaleRewards;
import dev.prefer.objectives.online.GrpoLoss.Aggregation;
import dev.prefer.objectives.online.GrpoLoss.RatioLevel;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exact identities of the online losses and advantages, derived by hand (no reference numbers needed), plus seeded
 * random batches on which the tensor forms equal the double twins and autograd equals finite differences.
 */
class OnlineIdentityTest {
    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = OnlineFixtures.manager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** B completions × T positions with random lengths (≥ 1), policy/old/ref log-probs and advantages. */
    static OnlineBatch random(Random r, int b, int t, boolean tokenAdvantages) {
        double[] lp = new double[b * t], old = new double[b * t], ref = new double[b * t], mask = new double[b * t];
        for (int i = 0; i < b; i++) {
            int len = 1 + r.nextInt(t);
            for (int j = 0; j < t; j++) {
                int k = i * t + j;
                lp[k] = -0.05 - 3 * r.nextDouble();
                old[k] = lp[k] + 0.4 * r.nextGaussian();
                ref[k] = lp[k] + 0.5 * r.nextGaussian();
                mask[k] = j < len ? 1 : 0;
            }
        }
        double[] adv = new double[tokenAdvantages ? b * t : b];
        for (int i = 0; i < adv.length; i++) adv[i] = r.nextGaussian();
        double[] scores = new double[b];
        for (int i = 0; i < b; i++) scores[i] = r.nextDouble();
        return OnlineBatch.of(b, t, lp, mask).withOldLogps(old).withRefLogps(ref).withAdvantages(adv).withScores(scores);
    }

    @Test
    void firstIterationRatioIsOneSoNothingClipsAndTheLossIsMinusTheMeanAdvantage() {
        OnlineBatch h = random(new Random(1), 6, 7, false);
        OnlineBatch first = OnlineBatch.of(h.b(), h.t(), h.logps(), h.mask()).withAdvantages(h.advantages());
        for (Aggregation agg : Aggregation.values()) {
            for (RatioLevel level : RatioLevel.values()) {
                GrpoLoss loss = new GrpoLoss(agg, level, 0.2, 0.28, Double.NaN, 0.0, 7, true);
                OnlineLoss.Value v = loss.loss(first);
                // w = 1 everywhere: l_t = −A_i, so GRPO = −mean A; BNPO = −Σ|y_i| A_i / Σ|y_i| (and DAPO with its default N).
                double expected = 0, tokens = 0, perSeq = 0;
                for (int i = 0; i < h.b(); i++) {
                    double len = 0;
                    for (int j = 0; j < h.t(); j++) len += h.mask()[i * h.t() + j];
                    expected -= len * h.advantages()[i];
                    perSeq -= h.advantages()[i];
                    tokens += len;
                }
                double want = switch (agg) {
                    case GRPO -> perSeq / h.b();
                    case BNPO, DAPO -> expected / tokens;
                    case DR_GRPO -> expected / (h.b() * 7.0);
                };
                assertEquals(want, v.value(), 1e-12, agg + " " + level);
                assertEquals(0.0, v.metrics().get("clip_ratio/region_mean"), agg + " " + level);
                assertEquals(want, OnlineFixtures.tensorLoss(manager, loss, first, DataType.FLOAT64), 1e-12, agg + " " + level + " tensor");
                // The gradient is the REINFORCE one: −A_i m_t / normaliser (sequence level: the same, spread by 1/|y|·|y|).
                double[] g = OnlineFixtures.autograd(manager, loss, first, DataType.FLOAT64);
                double[] fd = OnlineFixtures.finiteDifferences(loss, first);
                for (int k = 0; k < g.length; k++) assertEquals(fd[k], g[k], 1e-7, agg + " " + level + " grad " + k);
            }
        }
    }

    @Test
    void betaZeroHasNoKlTermAndNeedsNoReference() {
        OnlineBatch h = random(new Random(2), 5, 6, false);
        GrpoLoss noKl = GrpoLoss.of(Aggregation.DAPO, 6);
        assertFalse(noKl.needsReference());
        OnlineBatch withoutRef = OnlineBatch.of(h.b(), h.t(), h.logps(), h.mask()).withOldLogps(h.oldLogps()).withAdvantages(h.advantages());
        assertEquals(noKl.loss(h).value(), noKl.loss(withoutRef).value(), 0.0);
        assertEquals(noKl.loss(h).value(), OnlineFixtures.tensorLoss(manager, noKl, withoutRef, DataType.FLOAT64), 1e-12);
        assertFalse(noKl.loss(h).metrics().containsKey("kl"));
        GrpoLoss kl = noKl.withBeta(0.1);
        assertTrue(kl.needsReference());
        assertThrows(IllegalArgumentException.class, () -> kl.loss(withoutRef));
        // β KL is additive: L(β) − L(0) = β · Σ m KL / N for the token-sum aggregations.
        double[] lp = h.logps(), rf = h.refLogps(), m = h.mask();
        double klSum = 0, n = 0;
        for (int k = 0; k < lp.length; k++) {
            double d = rf[k] - lp[k];
            klSum += m[k] * (Math.exp(d) - d - 1);
            n += m[k];
        }
        assertEquals(0.1 * klSum / n, kl.loss(h).value() - noKl.loss(h).value(), 1e-12);
        assertEquals(klSum / n, kl.loss(h).metrics().get("kl"), 1e-12);
    }

    @Test
    void policyEqualToReferenceHasZeroKl() {
        OnlineBatch h = random(new Random(3), 4, 5, false);
        OnlineBatch same = h.withRefLogps(h.logps());
        assertEquals(0.0, GrpoLoss.of(Aggregation.GRPO, 5).withBeta(0.5).loss(same).metrics().get("kl"), 0.0);
    }

    /**
     * GSPO's claim for GSPO-token: with one advantage per sequence its value and gradient equal GSPO's (each token's
     * gradient is w·A·∇ℓ_t/|y| either way); with per-token advantages the values agree but the gradients do not.
     */
    @Test
    void sequenceTokenLevelEqualsSequenceLevelUnlessAdvantagesVaryWithinASequence() {
        for (Aggregation agg : Aggregation.values()) {
            GrpoLoss seq = new GrpoLoss(agg, RatioLevel.SEQUENCE, 0.05, 0.05, Double.NaN, 0.0, 5, true);
            GrpoLoss tok = seq.withLevel(RatioLevel.SEQUENCE_TOKEN);
            OnlineBatch h = random(new Random(4), 6, 5, false);
            assertEquals(seq.loss(h).value(), tok.loss(h).value(), 1e-14, agg.name());
            double[] gs = OnlineFixtures.autograd(manager, seq, h, DataType.FLOAT64);
            double[] gt = OnlineFixtures.autograd(manager, tok, h, DataType.FLOAT64);
            for (int k = 0; k < gs.length; k++) assertEquals(gs[k], gt[k], 1e-14, agg + " grad " + k);
            OnlineBatch perToken = random(new Random(5), 6, 5, true);
            assertEquals(seq.loss(perToken).value(), tok.loss(perToken).value(), 1e-14, agg.name());
            gs = OnlineFixtures.autograd(manager, seq, perToken, DataType.FLOAT64);
            gt = OnlineFixtures.autograd(manager, tok, perToken, DataType.FLOAT64);
            boolean differ = false;
            for (int k = 0; k < gs.length; k++) differ |= Math.abs(gs[k] - gt[k]) > 1e-9;
            assertTrue(differ, agg + ": per-token advantages separate the two levels");
        }
    }

    @Test
    void maskingTruncatedCompletionsRemovesThemFromTheTokenSums() {
        OnlineBatch h = random(new Random(5), 4, 6, false);
        boolean[] truncated = {false, true, false, false};
        OnlineBatch masked = h.maskTruncated(truncated);
        GrpoLoss bnpo = GrpoLoss.of(Aggregation.BNPO, 6).withBeta(0.05);
        // Same as dropping row 1 for the token-level mean.
        double[] lp = new double[3 * 6], old = new double[3 * 6], rf = new double[3 * 6], m = new double[3 * 6], a = new double[3];
        int[] keep = {0, 2, 3};
        for (int r = 0; r < 3; r++) {
            System.arraycopy(h.logps(), keep[r] * 6, lp, r * 6, 6);
            System.arraycopy(h.oldLogps(), keep[r] * 6, old, r * 6, 6);
            System.arraycopy(h.refLogps(), keep[r] * 6, rf, r * 6, 6);
            System.arraycopy(h.mask(), keep[r] * 6, m, r * 6, 6);
            a[r] = h.advantages()[keep[r]];
        }
        OnlineBatch dropped = OnlineBatch.of(3, 6, lp, m).withOldLogps(old).withRefLogps(rf).withAdvantages(a);
        assertEquals(bnpo.loss(dropped).value(), bnpo.loss(masked).value(), 1e-12);
        // The per-sequence GRPO mean still counts the masked row (as TRL does): 3/4 of the dropped-row mean.
        GrpoLoss grpo = GrpoLoss.of(Aggregation.GRPO, 6);
        assertEquals(0.75 * grpo.loss(dropped).value(), grpo.loss(masked).value(), 1e-12);
    }

    @Test
    void groupAdvantageIdentities() {
        double[] r = {1, 1, 1, 0, 1, 0.5};
        Advantages.Result res = Advantages.grpo(r, 3, ScaleRewards.GROUP);
        assertEquals(0, res.advantages()[0], 0);
        assertEquals(0, res.advantages()[1], 0);
        assertEquals(0.5, res.metrics().get("frac_reward_zero_std"), 0);
        // Within a group the GRPO and RLOO advantages sum to zero; RLOO = G/(G−1) · (r − mean).
        double[] none = Advantages.grpo(r, 3, ScaleRewards.NONE).advantages();
        double[] rloo = Advantages.rloo(r, 3, false);
        for (int i = 0; i < 6; i++) assertEquals(1.5 * none[i], rloo[i], 1e-15);
        assertEquals(0, rloo[3] + rloo[4] + rloo[5], 1e-15);
        // One reward function, both aggregation orders, batch scale: normalise-then-sum is GRPO on group-normalised rewards.
        double[][] one = {{1}, {1}, {1}, {0}, {1}, {0.5}};
        double[] a = Advantages.grpo(one, java.util.List.of("x"), new double[] {2}, 3, ScaleRewards.GROUP, Advantages.Aggregation.SUM_THEN_NORMALIZE).advantages();
        double[] scaled = {2, 2, 2, 0, 2, 1};
        double[] b = Advantages.grpo(scaled, 3, ScaleRewards.GROUP).advantages();
        for (int i = 0; i < 6; i++) assertEquals(b[i], a[i], 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Advantages.grpo(new double[] {1, 2, 3}, 2, ScaleRewards.GROUP));
    }

    @Test
    void winRateIdentities() {
        // Two samples: win rate against the other is P itself; SPPO's (with the diagonal ½) is (P + ½)/2.
        double p = 0.8;
        double[] m = {0.5, p, 1 - p, 0.5};
        double[] w = WinRates.againstOthers(m, 2);
        assertEquals(p, w[0], 1e-15);
        assertEquals(1 - p, w[1], 1e-15);
        assertEquals((p + 0.5) / 2, WinRates.sppo(m, 2)[0], 1e-15);
        // Constant-sum: with P + Pᵀ = 1 the average win rate against others is ½.
        Random r = new Random(6);
        int k = 5;
        double[] q = new double[k * k];
        for (int i = 0; i < k; i++) {
            q[i * k + i] = 0.5;
            for (int j = i + 1; j < k; j++) {
                q[i * k + j] = r.nextDouble();
                q[j * k + i] = 1 - q[i * k + j];
            }
        }
        double mean = 0;
        for (double v : WinRates.againstOthers(q, k)) mean += v / k;
        assertEquals(0.5, mean, 1e-15);
    }

    @Test
    void sppoAndNashMdAreZeroAtTheirFixedPoints() {
        OnlineBatch h = random(new Random(7), 4, 5, false);
        double[] half = {0.5, 0.5, 0.5, 0.5};
        OnlineBatch atRef = h.withRefLogps(h.logps()).withScores(half);
        assertEquals(0.0, new SppoLoss(3).loss(atRef).value(), 0.0);
        assertEquals(0.0, new NashMdLoss(0.1).loss(atRef).value(), 0.0);
        // SPPO at P̂ = 1 pulls the log-ratio to η/2: loss (ρ − η/2)² with ρ = 0.
        double[] one = {1, 1, 1, 1};
        assertEquals(9.0 / 4, new SppoLoss(3).loss(h.withRefLogps(h.logps()).withScores(one)).value(), 1e-15);
    }

    @Test
    void mixtureEndpointsAreThePolicyAndTheReference() {
        double[] pl = {1, 2, 3, -100}, rl = {0, 0, 5, 100};
        double[] atPolicy = GeometricMixture.logProbs(pl, rl, 4, 0);
        double[] atRef = GeometricMixture.logProbs(pl, rl, 4, 1);
        double lseP = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(-100));
        assertEquals(1 - lseP, atPolicy[0], 1e-15);
        double lseR = 100 + Math.log1p(2 * Math.exp(-100) + Math.exp(-95)); // reference logits 0, 0, 5, 100
        for (int v = 0; v < 4; v++) assertEquals(rl[v] - lseR, atRef[v], 1e-12, "alpha = 1 is the reference, token " + v);
        assertEquals(-100 - lseP, atPolicy[3], 1e-12);
        assertThrows(IllegalArgumentException.class, () -> GeometricMixture.logProbs(pl, rl, 4, 1.5));
    }

    @Test
    void randomBatchesTensorFormsMatchTwinsAndFiniteDifferences() {
        Random r = new Random(8);
        Map<String, OnlineLoss> losses = new java.util.LinkedHashMap<>();
        for (Aggregation agg : Aggregation.values())
            for (RatioLevel level : RatioLevel.values())
                losses.put(agg + "/" + level, new GrpoLoss(agg, level, 0.2, 0.28, 1.6, 0.04, 9, true));
        losses.put("grpo unclipped", GrpoLoss.of(Aggregation.GRPO, 9).withClip(false).withBeta(0.1));
        losses.put("rloo", RlooLoss.defaults());
        losses.put("sppo", new SppoLoss(1.5));
        losses.put("nash-md", new NashMdLoss(0.2));
        losses.put("inpo", new InpoLoss(0.7, 0.5));
        for (var e : losses.entrySet()) {
            for (int trial = 0; trial < 2; trial++) {
                int rows = e.getKey().equals("inpo") ? 6 : 5; // INPO takes (chosen, rejected) row pairs
                OnlineBatch h = random(r, rows, 6, false).withEntropies(new double[rows * 6]);
                double twin = e.getValue().loss(h).value();
                assertEquals(twin, OnlineFixtures.tensorLoss(manager, e.getValue(), h, DataType.FLOAT64), 1e-12 * Math.max(1, Math.abs(twin)), e.getKey());
                assertEquals(twin, OnlineFixtures.tensorLoss(manager, e.getValue(), h, DataType.FLOAT32), 1e-5 * Math.max(1, Math.abs(twin)), e.getKey());
                double[] g = OnlineFixtures.autograd(manager, e.getValue(), h, DataType.FLOAT64);
                double[] fd = OnlineFixtures.finiteDifferences(e.getValue(), h);
                for (int k = 0; k < g.length; k++) assertEquals(fd[k], g[k], 1e-7 * Math.max(1, Math.abs(fd[k])), e.getKey() + " grad " + k);
            }
        }
        // Per-token advantages (REINFORCE++).
        OnlineLoss pp = GrpoLoss.reinforcePlusPlus(0.2, 0.2);
        OnlineBatch h = random(r, 4, 6, true);
        double[] g = OnlineFixtures.autograd(manager, pp, h, DataType.FLOAT64);
        double[] fd = OnlineFixtures.finiteDifferences(pp, h);
        for (int k = 0; k < g.length; k++) assertEquals(fd[k], g[k], 1e-7, "reinforce++ grad " + k);
        assertNotEquals(0.0, pp.loss(h).value());
    }

    @Test
    void badInputIsRejectedWithTheFieldName() {
        var e = assertThrows(IllegalArgumentException.class, () -> OnlineBatch.of(2, 3, new double[5], new double[6]));
        assertTrue(e.getMessage().contains("logps"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OnlineBatch.of(1, 2, new double[] {0, Double.NaN}, new double[] {1, 1}));
        assertTrue(e.getMessage().contains("logps[1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GrpoLoss(Aggregation.GRPO, RatioLevel.TOKEN, 1.2, 0.2, Double.NaN, 0, 1, true));
        assertTrue(e.getMessage().contains("epsilonLow"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SppoLoss(1).loss(OnlineBatch.of(1, 1, new double[] {0}, new double[] {1}).withRefLogps(new double[] {0})));
        assertTrue(e.getMessage().contains("scores"), e.getMessage());
    }

    @Test
    void completionMetricsByHand() {
        Map<String, Double> m = CompletionMetrics.of(new int[] {3, 3, 4}, new int[] {5, 8, 2}, new boolean[] {false, true, false}, 100);
        assertEquals(100 + 10 + 15, m.get("num_tokens"), 0);
        assertEquals(5.0, m.get("completions/mean_length"), 0);
        assertEquals(2.0, m.get("completions/min_length"), 0);
        assertEquals(8.0, m.get("completions/max_length"), 0);
        assertEquals(1.0 / 3, m.get("completions/clipped_ratio"), 1e-15);
        assertEquals(3.5, m.get("completions/mean_terminated_length"), 0);
        assertEquals(5.0, m.get("completions/max_terminated_length"), 0);
        Map<String, Double> none = CompletionMetrics.of(new int[] {1}, new int[] {4}, new boolean[] {true}, 0);
        assertEquals(0.0, none.get("completions/mean_terminated_length"), 0);
    }
}
