package dev.prefer.train.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.lm.CausalLM;
import dev.prefer.train.TrainConfig;
import dev.prefer.train.Trainer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Nash and self-play methods learn a trivially learnable preference on the hf-tiny Llama fixture, in memory: a
 * pairwise judge that prefers the completion with the larger share of the letter e (P = 1, 0 or ½ on ties: the win
 * matrix path of a pairwise source). The mean reward of the last five steps exceeds that of
 * the first five by a clear margin, and every row carries the method's metric names.
 */
class SelfPlayLearningTest {

    /** The letter-e share as a pairwise judge: its K x K win matrix, and the shares as rewards for metrics. */
    static RewardFunction letterEJudge() {
        RewardFunction share = OnlineFixtures.letterE();
        return new RewardFunction() {
            @Override public String name() { return "letter_e_judge"; }

            @Override
            public double[] score(String prompt, List<String> completions, Map<String, Object> fields) {
                return share.score(prompt, completions, fields);
            }

            @Override
            public Scored scoreGroup(String prompt, List<String> completions, Map<String, Object> fields) {
                double[] r = score(prompt, completions, fields);
                double[][] p = new double[r.length][r.length];
                for (int i = 0; i < r.length; i++)
                    for (int j = 0; j < r.length; j++) p[i][j] = r[i] > r[j] ? 1 : r[i] < r[j] ? 0 : 0.5;
                return new Scored(r, p);
            }
        };
    }

    @ParameterizedTest
    @EnumSource(value = OnlineConfig.Method.class, names = {"NASH_MD", "SPPO", "DNO", "INPO"})
    void rewardRises(OnlineConfig.Method method) {
        try (CausalLM policy = CausalLM.load(OnlineFixtures.llama("policy"));
             CausalLM reference = CausalLM.load(OnlineFixtures.llama("policy"))) {
            int steps = Integer.getInteger("sp.steps", 24);
            TrainConfig c = TrainConfig.builder(TrainConfig.Task.PREFERENCE).objective("dpo", Map.of("beta", 0.1))
                    .learningRate(method == OnlineConfig.Method.NASH_MD || method == OnlineConfig.Method.INPO ? 6e-3 : 3e-3)
                    .schedule(TrainConfig.Schedule.CONSTANT, 0).batchSize(4).maxSteps(steps).seed(5).build();
            OnlineConfig.Builder b = OnlineConfig.builder(method).numGenerations(8).maxCompletionLength(6);
            switch (method) {
                case NASH_MD -> b.beta(0.02).mixtureCoef(0.5);
                case SPPO -> b.eta(8);
                case DNO -> b.roundBatches(2).margin(0.1);
                case INPO -> b.eta(10).tau(0.05).roundBatches(2);
                default -> throw new IllegalStateException();
            }
            OnlineConfig o = b.build();
            RewardFunction reward = letterEJudge();
            Trainer.TrainResult r = OnlineTrainer.train(policy, o.needsReference(c.objective()) ? reference : null, c, o,
                    OnlineFixtures.prompts(12), List.of(), List.of(reward), null);
            List<Map<String, Object>> h = r.history();
            assertEquals(steps, h.size());
            double first = 0, last = 0;
            for (int i = 0; i < 5; i++) {
                first += ((Number) h.get(i).get("reward")).doubleValue() / 5;
                last += ((Number) h.get(steps - 5 + i).get("reward")).doubleValue() / 5;
            }
            double st = 0;
            for (Map<String, Object> row : h) st += ((Number) row.get("step_time")).doubleValue() / h.size();
            System.out.printf("%s: reward %.4f -> %.4f (mean step %.3f s)%n", method, first, last, st);
            List<String> keys = switch (method) {
                case NASH_MD -> List.of("loss/score", "loss/kl", "rewards/probabilities", "mixture_coef", "entropy");
                case SPPO -> List.of("win_rate/mean", "logratio/mean", "entropy");
                case DNO -> List.of("pairs", "win_rate/mean", "entropy");
                default -> List.of("pairs", "h/mean", "entropy");
            };
            for (String k : keys) assertTrue(h.get(h.size() - 1).containsKey(k), k + " missing: " + h.get(h.size() - 1));
            for (String k : List.of("loss", "reward", "completions/mean_length", "num_tokens", "step_time", "grad_norm"))
                assertTrue(h.get(0).containsKey(k), k + " missing: " + h.get(0));
            assertTrue(last > first + 0.05 && last > 1.5 * first, method + ": reward " + first + " -> " + last);
        }
    }
}
