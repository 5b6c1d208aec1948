package dev.prefer.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.pref.LengthConfig;
import dev.prefer.train.RewardLoss;
import dev.prefer.train.TrainConfig;
import dev.prefer.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backbone (b) end to end on real data, slow tier: LoRA (+ score head) on the fixture's tiny random Llama reward
 * model (2 layers, d 64, 128 positions, byte-level BPE of 420 tokens) over hh-rlhf harmless with a seeded 10%
 * evaluation split, prompts cut to their last 64 tokens and prompt + response to 128. The model is random and tiny,
 * so held-out accuracy near chance (0.5 ± 0.046 for 116 pairs) is the expected outcome; the test checks the
 * pipeline (1,156 pairs read, the split, every metric finite, the adapter and the merged model load and give the same
 * score) and prints the numbers, it does not ask for learning.
 */
@Tag("slow")
class HhRlhfLmRewardTest {
    @Test
    void loraOnTinyLlamaRewardModelEndToEnd(@TempDir Path tmp) {
        Path data = Path.of(System.getProperty("prefer.shared"), "data", "hh-rlhf-harmless", "dev.jsonl.gz");
        Path model = Path.of(System.getProperty("prefer.shared"), "fixtures", "hf-tiny-rm", "llama-rm");
        assertTrue(Files.exists(data) && Files.isDirectory(model), "missing fixture " + data + " or " + model);
        Path out = tmp.resolve("rm");
        TrainConfig c = TrainConfig.defaults(TrainConfig.Task.REWARD, model, data, out).withReward(RewardLoss.fromParams(Map.of()))
                .withLearningRate(1e-3).withBatch(8, 1).withSteps(0, 1).withEval(null, 0.1).withEvery(20, 0, 0)
                .withLength(LengthConfig.truncate(64, 128)).withLora(TrainConfig.LoraConfig.defaults());
        long t0 = System.nanoTime();
        Trainer.TrainResult r = LmRewardTraining.train(c, System.out);
        System.out.printf("hh-rlhf LoRA on llama-rm: %d steps in %.1f s; held out %s%n", r.steps(), (System.nanoTime() - t0) / 1e9, r.evalMetrics());
        assertEquals(130, r.steps(), "1,040 training pairs / 8 per step"); // 1,156 pairs, 116 held out
        for (String k : List.of("eval/loss", "eval/accuracy", "eval/log_likelihood", "eval/ece")) {
            double v = ((Number) r.evalMetrics().get(k)).doubleValue();
            assertTrue(Double.isFinite(v), k + " = " + v);
        }
        double acc = ((Number) r.evalMetrics().get("eval/accuracy")).doubleValue();
        assertTrue(acc >= 0 && acc <= 1);
        assertTrue(Files.exists(out.resolve("adapter_model.safetensors")) && Files.exists(out.resolve("merged/model.safetensors")));
        try (LmRewardModel a = LmRewardModel.load(out); LmRewardModel m = LmRewardModel.load(out.resolve("merged"))) {
            double sa = a.score("\n\nHuman: How do I bake bread?\n\nAssistant:", " Mix flour, water, yeast and salt.");
            double sm = m.score("\n\nHuman: How do I bake bread?\n\nAssistant:", " Mix flour, water, yeast and salt.");
            assertEquals(sm, sa, 1e-4);
        }
    }
}
