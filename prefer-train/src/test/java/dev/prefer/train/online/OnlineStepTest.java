package dev.prefer.train.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Generation;
import dev.prefer.lm.SequenceLogps;
import dev.prefer.lm.TokenizedSequence;
import dev.prefer.objectives.online.Advantages;
import dev.prefer.objectives.online.GrpoLoss;
import dev.prefer.objectives.online.OnlineBatch;
import dev.prefer.objectives.online.OnlineLoss;
import dev.prefer.objectives.online.RlooLoss;
import dev.prefer.train.TrainConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One online step on the hf-tiny Llama fixture: the loss the trainer back-propagates (second iteration of a
 * generation batch, so importance ratios differ from 1 and clip) equals the objectives' double twin
 * ({@link GrpoLoss#loss(OnlineBatch)}, {@link RlooLoss}) on log-probs computed independently here, with the host
 * path {@code CausalLM.logpsOfIds} (no padding, no gathering) before and after the first update, and advantages
 * recomputed from the reward. Chunks follow TRL: dapo divides by the whole batch's tokens, the other aggregations
 * average within each gradient-accumulation chunk and divide by the number of chunks.
 */
class OnlineStepTest {

    @ParameterizedTest
    @CsvSource({"GRPO,GRPO,TOKEN,0.05", "GRPO,BNPO,TOKEN,0.0", "GRPO,DR_GRPO,TOKEN,0.05", "GRPO,DAPO,TOKEN,0.05",
            "GRPO,DAPO,SEQUENCE,0.0", "RLOO,GRPO,TOKEN,0.0", "REINFORCE_PP,GRPO,TOKEN,0.0"})
    void secondIterationLossEqualsTheTwin(OnlineConfig.Method method, GrpoLoss.Aggregation agg, GrpoLoss.RatioLevel level, double beta) {
        try (CausalLM policy = CausalLM.load(OnlineFixtures.llama("policy"));
             CausalLM reference = CausalLM.load(OnlineFixtures.llama("reference"))) {
            int b = 4, g = 4, maxLen = 6, chunks = 2;
            double lr = 2e-2;
            TrainConfig c = TrainConfig.builder(TrainConfig.Task.PREFERENCE).learningRate(lr).schedule(TrainConfig.Schedule.CONSTANT, 0)
                    .batchSize(b).gradAccumulation(chunks).maxSteps(2).seed(11).maxGradNorm(0).build();
            OnlineConfig o = OnlineConfig.builder(method).numGenerations(g).maxCompletionLength(maxLen).numIterations(2).lossType(agg)
                    .importanceSamplingLevel(level).epsilon(0.02, 0.03).beta(beta).maskTruncatedCompletions(false)
                    .build();
            RewardFunction reward = OnlineFixtures.letterE();
            try (OnlineTrainer.Run run = new OnlineTrainer.Run(policy, beta > 0 ? reference : null, c, o, OnlineFixtures.prompts(6), List.of(),
                    List.of(reward), null)) {
                run.gb = run.generate(0);
                OnlineTrainer.GenBatch gb = run.gb;
                int n = gb.n(), t = gb.t();
                assertEquals(b * g, n);
                List<TokenizedSequence> seqs = gb.seqs();
                double[] old = perToken(policy.logpsOfIds(seqs, 16), t);
                double[] ref = beta > 0 ? perToken(reference.logpsOfIds(seqs, 16), t) : null;
                assertClose(old, gb.oldLogps(), 2e-5, "sampling policy's log-probs");

                run.trainStep(0, lr); // iteration 0: updates the weights
                double[] now = perToken(policy.logpsOfIds(seqs, 16), t);

                // rewards and advantages from the completions' text
                double[] r = new double[n];
                double[][] perFunc = new double[n][1];
                boolean[] truncated = new boolean[n];
                for (int i = 0; i < n; i++) {
                    Generation gen = gb.generations().get(i);
                    r[i] = reward.score("", List.of(gen.text()), Map.of())[0];
                    perFunc[i][0] = r[i];
                    truncated[i] = !gen.stoppedAtEos();
                }
                double[] mask = new double[n * t];
                for (int i = 0; i < n; i++) for (int j = 0; j < seqs.get(i).responseIds().length; j++) mask[i * t + j] = 1;
                OnlineLoss loss;
                double[] adv;
                boolean tokenAdv = false;
                switch (method) {
                    case GRPO -> {
                        loss = new GrpoLoss(agg, level, 0.02, 0.03, Double.NaN, beta, maxLen, true);
                        adv = Advantages.grpo(perFunc, List.of("letter_e"), new double[] {1}, g, Advantages.ScaleRewards.GROUP,
                                Advantages.Aggregation.SUM_THEN_NORMALIZE).advantages();
                    }
                    case RLOO -> {
                        loss = new RlooLoss(0.02, 0.03, true);
                        adv = Advantages.rloo(r, g, false);
                    }
                    default -> {
                        loss = GrpoLoss.reinforcePlusPlus(0.02, 0.03);
                        adv = Advantages.reinforcePlusPlus(r, new double[n * t], new double[n * t], mask, t, g, 0, Advantages.KlEstimator.K1, true);
                        tokenAdv = true;
                    }
                }
                OnlineBatch all = OnlineBatch.of(n, t, now, mask).withOldLogps(old).withAdvantages(adv);
                if (ref != null) all = all.withRefLogps(ref);
                // the random fixture rarely ends a completion: masking truncated ones would leave no loss (OnlineIdentityTest covers it)
                double active = 0;
                for (double m : all.mask()) active += m;
                // the twin chunk by chunk, as TRL accumulates
                int rows = n / chunks;
                double expected = 0;
                for (int ch = 0; ch < chunks; ch++) {
                    OnlineBatch part = slice(all, ch * rows, (ch + 1) * rows, tokenAdv).withTokensInBatch(Math.max(1, active));
                    double share = method == OnlineConfig.Method.GRPO && agg == GrpoLoss.Aggregation.DAPO ? 1.0 : 1.0 / chunks;
                    expected += share * loss.loss(part).value();
                }
                Map<String, Object> row = run.trainStep(1, lr);
                double got = ((Number) row.get("loss")).doubleValue();
                assertEquals(expected, got, 1e-5 * Math.max(1, Math.abs(expected)), "trainer loss vs twin " + row);
                assertTrue(((Number) row.get("clip_ratio/region_mean")).doubleValue() > 0, "no ratio was clipped: " + row);
                if (beta > 0) assertTrue(row.containsKey("kl"), "kl metric missing: " + row);
            }
        }
    }

    /** Host per-token log-probs (N, T), zero-padded. */
    static double[] perToken(List<SequenceLogps> lp, int t) {
        double[] out = new double[lp.size() * t];
        for (int i = 0; i < lp.size(); i++) {
            double[] v = lp.get(i).tokenLogps();
            System.arraycopy(v, 0, out, i * t, v.length);
        }
        return out;
    }

    static OnlineBatch slice(OnlineBatch h, int from, int to, boolean tokenAdv) {
        int t = h.t(), k = to - from;
        OnlineBatch s = OnlineBatch.of(k, t, range(h.logps(), from * t, to * t), range(h.mask(), from * t, to * t));
        if (h.hasOldLogps()) s = s.withOldLogps(range(h.oldLogps(), from * t, to * t));
        if (h.hasRefLogps()) s = s.withRefLogps(range(h.refLogps(), from * t, to * t));
        s = s.withAdvantages(tokenAdv ? range(h.advantages(), from * t, to * t) : range(h.advantages(), from, to));
        return s;
    }

    static double[] range(double[] a, int from, int to) {
        return java.util.Arrays.copyOfRange(a, from, to);
    }

    static void assertClose(double[] expected, double[] got, double tol, String what) {
        assertEquals(expected.length, got.length, what + " length");
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], got[i], tol, what + " [" + i + "]");
    }
}
