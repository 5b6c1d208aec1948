package dev.prefer.reward;

import dev.prefer.reward.eval.PairMetrics;
import dev.prefer.train.RewardTrainer;
import dev.prefer.train.TrainConfig;
import dev.prefer.train.Trainer;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The library entry point behind {@code prefer train reward --backbone DIR}: prefer-train's {@link RewardTrainer}
 * (Task.REWARD: the preference trainer's loop, AdamW, schedules, LoRA, checkpoints and exact resume, metrics.jsonl,
 * manifest) with this module's {@link PairMetrics} on the evaluation split: besides the trainer's
 * {@code eval/accuracy}, {@code eval/log_likelihood} and {@code eval/loss}, the expected calibration error
 * {@code eval/ece} (10 bins).
 *
 * <pre>{@code
 * TrainConfig c = TrainConfig.defaults(TrainConfig.Task.REWARD, Path.of("models/rm"), Path.of("pairs.jsonl"), Path.of("runs/rm"))
 *         .withReward(RewardLoss.fromParams(Map.of("center_rewards_coefficient", 0.01))).withLearningRate(1e-5).withEval(null, 0.1)
 *         .withLora(TrainConfig.LoraConfig.defaults());
 * Trainer.TrainResult r = LmRewardTraining.train(c, System.out);
 * try (LmRewardModel rm = LmRewardModel.load(r.out())) { ... }
 * }</pre>
 */
public final class LmRewardTraining {
    private LmRewardTraining() {}

    public static Trainer.TrainResult train(TrainConfig config, PrintStream console) {
        return RewardTrainer.run(config, console, LmRewardTraining::calibration);
    }

    /** ECE of held-out logits, as {@link PairMetrics} computes it (its accuracy and log-likelihood equal the trainer's). */
    static Map<String, Double> calibration(double[] logits) {
        PairMetrics m = PairMetrics.fromLogits(logits, null);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("eval/ece", m.ece());
        return out;
    }
}
