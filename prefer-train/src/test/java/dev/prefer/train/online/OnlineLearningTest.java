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
 * Each online method learns a trivially learnable reward (the share of the letter e in the completion) on the
 * hf-tiny Llama fixture, in memory, within a few seconds: the mean reward of the last five steps exceeds that of
 * the first five by a clear margin. Every row carries TRL's metric names.
 */
class OnlineLearningTest {

    @ParameterizedTest
    @EnumSource(value = OnlineConfig.Method.class, names = {"GRPO", "RLOO", "REINFORCE_PP", "ONLINE_DPO"}) // the rest: SelfPlayLearningTest
    void rewardRises(OnlineConfig.Method method) {
        try (CausalLM policy = CausalLM.load(OnlineFixtures.llama("policy"));
             CausalLM reference = CausalLM.load(OnlineFixtures.llama("policy"))) {
            int steps = 30;
            TrainConfig c = TrainConfig.builder(TrainConfig.Task.PREFERENCE).objective("dpo", Map.of("beta", 0.1)).learningRate(3e-3)
                    .schedule(TrainConfig.Schedule.CONSTANT, 0).batchSize(4).maxSteps(steps).seed(5).build();
            OnlineConfig o = OnlineConfig.builder(method).numGenerations(8).maxCompletionLength(6).build();
            Trainer.TrainResult r = OnlineTrainer.train(policy, method == OnlineConfig.Method.ONLINE_DPO ? reference : null, c, o,
                    OnlineFixtures.prompts(12), List.of(), List.of(OnlineFixtures.letterE()), null);
            List<Map<String, Object>> h = r.history();
            assertEquals(steps, h.size());
            double first = 0, last = 0;
            for (int i = 0; i < 5; i++) {
                first += ((Number) h.get(i).get("reward")).doubleValue() / 5;
                last += ((Number) h.get(steps - 5 + i).get("reward")).doubleValue() / 5;
            }
            System.out.printf("%s: reward %.4f -> %.4f%n", method, first, last);
            for (String k : List.of("loss", "reward", "reward_std", "rewards/letter_e/mean", "frac_reward_zero_std", "completions/mean_length",
                    "completions/clipped_ratio", "num_tokens", "step_time", "grad_norm")) {
                assertTrue(h.get(0).containsKey(k), k + " missing: " + h.get(0));
            }
            assertTrue(last > first + 0.05 && last > 2 * first, method + ": reward " + first + " -> " + last);
        }
    }
}
