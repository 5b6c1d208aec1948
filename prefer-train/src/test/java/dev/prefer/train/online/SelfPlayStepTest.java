package dev.prefer.train.online;

import static dev.prefer.train.online.OnlineStepTest.perToken;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Generation;
import dev.prefer.lm.TokenizedSequence;
import dev.prefer.objectives.online.InpoLoss;
import dev.prefer.objectives.online.OnlineBatch;
import dev.prefer.objectives.online.SppoLoss;
import dev.prefer.train.TrainConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One SPPO and one INPO step on the hf-tiny Llama fixture: the loss the trainer back-propagates on the second step of
 * a round (after one update, so π_θ ≠ π_t) equals the objectives' double twin on inputs rebuilt here independently:
 * log-probs from the host path {@code CausalLM.logpsOfIds} (π_t before the first update, π_θ after it, π_ref from
 * the reference), the judge's win matrix recomputed from the completions' text, SPPO's win rates P̂ = row sum / K
 * and INPO's best-versus-worst pairs (by win rate against the other samples, ties dropped) written out by hand.
 */
class SelfPlayStepTest {

    @ParameterizedTest
    @EnumSource(value = OnlineConfig.Method.class, names = {"SPPO", "INPO"})
    void secondStepOfARoundEqualsTheTwin(OnlineConfig.Method method) {
        try (CausalLM policy = CausalLM.load(OnlineFixtures.llama("policy"));
             CausalLM reference = CausalLM.load(OnlineFixtures.llama("reference"))) {
            int b = 3, k = 4;
            double lr = 3e-3, eta = 3, tau = 0.2;
            TrainConfig c = TrainConfig.builder(TrainConfig.Task.PREFERENCE).learningRate(lr).schedule(TrainConfig.Schedule.CONSTANT, 0)
                    .batchSize(b).maxSteps(2).seed(17).maxGradNorm(0).build();
            OnlineConfig o = OnlineConfig.builder(method).numGenerations(k).maxCompletionLength(5).numIterations(2).eta(eta).tau(tau).build();
            RewardFunction judge = SelfPlayLearningTest.letterEJudge();
            try (OnlineTrainer.Run run = new OnlineTrainer.Run(policy, method == OnlineConfig.Method.INPO ? reference : null, c, o,
                    OnlineFixtures.prompts(6), List.of(), List.of(judge), null)) {
                run.gb = run.batchAt(0);
                List<Generation> gens = run.gb.generations();
                int n = gens.size(), t = run.gb.t();
                List<TokenizedSequence> all = new ArrayList<>();
                double[] share = new double[n];
                for (int i = 0; i < n; i++) {
                    all.add(new TokenizedSequence(gens.get(i).promptIds(), gens.get(i).newIds()));
                    String s = gens.get(i).text();
                    share[i] = s.isEmpty() ? 0 : (double) s.chars().filter(ch -> ch == 'e').count() / s.length();
                }
                // P[i][j] = 1, 0 or ½ within each prompt's K samples
                double[][] p = new double[n][k];
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < k; j++) {
                        double other = share[(i / k) * k + j];
                        p[i][j] = share[i] > other ? 1 : share[i] < other ? 0 : 0.5;
                    }
                List<TokenizedSequence> rows = new ArrayList<>();
                double[] scores = null;
                if (method == OnlineConfig.Method.SPPO) {
                    rows = all;
                    scores = new double[n];
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < k; j++) scores[i] += p[i][j];
                        scores[i] /= k;
                    }
                } else {
                    for (int q = 0; q < b; q++) {
                        int best = -1, worst = -1;
                        double[] w = new double[k];
                        for (int i = 0; i < k; i++) {
                            for (int j = 0; j < k; j++) if (j != i) w[i] += p[q * k + i][j] / (k - 1);
                            if (best < 0 || w[i] > w[best]) best = i;
                            if (worst < 0 || w[i] <= w[worst]) worst = i;
                        }
                        if (w[best] == w[worst]) continue; // all tied: no preference
                        rows.add(all.get(q * k + best));
                        rows.add(all.get(q * k + worst));
                    }
                    assertTrue(rows.size() >= 2, "every prompt tied; pick another seed");
                }
                int m = rows.size();
                double[] piT = perToken(policy.logpsOfIds(rows, 16), t);
                double[] ref = perToken(reference.logpsOfIds(rows, 16), t);
                double[] mask = new double[m * t];
                for (int i = 0; i < m; i++) for (int j = 0; j < rows.get(i).responseIds().length; j++) mask[i * t + j] = 1;

                run.trainStep(0, lr); // the first update of the round
                double[] now = perToken(policy.logpsOfIds(rows, 16), t);
                OnlineBatch h = OnlineBatch.of(m, t, now, mask);
                double expected = method == OnlineConfig.Method.SPPO
                        ? new SppoLoss(eta).loss(h.withRefLogps(piT).withScores(scores)).value()
                        : new InpoLoss(eta, tau).loss(h.withOldLogps(piT).withRefLogps(ref)).value();
                Map<String, Object> row = run.trainStep(1, lr);
                double got = ((Number) row.get("loss")).doubleValue();
                System.out.printf("%s: loss %.6f, twin %.6f%n", method, got, expected);
                assertEquals(expected, got, 1e-5 * Math.max(1, Math.abs(expected)), "trainer loss vs twin " + row);
            }
        }
    }
}
