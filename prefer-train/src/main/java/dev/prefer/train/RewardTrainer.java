package dev.prefer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.prefer.data.Manifest;
import dev.prefer.lm.HfModel;
import dev.prefer.lm.RewardModel;
import dev.prefer.lm.Torch;
import dev.prefer.objectives.Num;
import dev.prefer.objectives.Requirements;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a reward model with a scalar {@code score} head on the last token's hidden state of a Hugging Face
 * causal-LM backbone (TRL's {@code RewardTrainer} setting; {@link TrainConfig.Task#REWARD}), fully or with LoRA,
 * from a sequence-classification folder ({@code XxxForSequenceClassification}, {@code num_labels = 1}) to the same
 * layout (or a PEFT {@code SEQ_CLS} adapter whose {@code modules_to_save} is the score head, plus {@code merged/}).
 *
 * <p>Everything but the forward pass is the preference trainer's: the seeded order of {@link Trainer} (epoch e is a
 * Fisher–Yates permutation; step s takes positions [s·B·A, (s+1)·B·A)), gradient accumulation with each micro-batch
 * scaled by its share of the step's weight, global-norm clipping, {@link AdamW}, {@link LrSchedule}, {@link Lora},
 * atomic {@link Checkpoints} with exact {@code --resume}, {@link MetricsLog}, the non-finite stop, the evaluation
 * split and the {@link Manifest}. The forward is {@link RewardModel#scores} over chosen and rejected of every pair
 * in one right-padded batch; the loss is {@link RewardLoss} (a {@link StepLoss} whose "sums" are the rewards).
 *
 * <p>Logged per step: {@code loss}, {@code rewards/accuracies}, {@code rewards/margins}, {@code rewards/mean},
 * {@code rewards/chosen}, {@code rewards/rejected}, {@code grad_norm}, {@code learning_rate},
 * {@code tokens_per_second}; on the evaluation split: {@code eval/loss}, {@code eval/accuracy} (ties count ½),
 * {@code eval/log_likelihood} (mean log σ(r_c − r_r)), {@code eval/margins}, {@code eval/reward_mean}, and
 * whatever the caller's {@link PairEval} adds (prefer-reward adds the expected calibration error).
 */
public final class RewardTrainer {
    private RewardTrainer() {}

    /** Extra evaluation metrics from the held-out logits r_c − r_r (e.g. calibration); keys should start with {@code eval/}. */
    @FunctionalInterface
    public interface PairEval {
        Map<String, Double> evaluate(double[] logits);
    }

    /** Runs with progress lines on standard output. */
    public static Trainer.TrainResult run(TrainConfig config) {
        return run(config, System.out, null);
    }

    /** Runs; {@code console} gets progress lines (null: silent); {@code extra} adds evaluation metrics (may be null). */
    public static Trainer.TrainResult run(TrainConfig config, PrintStream console, PairEval extra) {
        if (config.task() != TrainConfig.Task.REWARD) throw new IllegalArgumentException("RewardTrainer needs task REWARD (got " + config.task() + ")");
        RewardLoss loss = config.reward();
        Torch.init();
        try {
            Files.createDirectories(config.out());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + config.out() + ": " + e.getMessage(), e);
        }
        Requirements needs = Requirements.pairs(false);
        try (RewardModel rm = TrainPrecision.rewardModel(config.models().model(), config.precision(), config.lora() != null)) {
            TrainData.Loaded loaded = TrainData.preferences(config.data().train(), rm, needs, config.length(), config.data().skipBadRows());
            List<TrainExample> train, eval;
            if (config.data().eval() != null) {
                train = loaded.examples();
                eval = TrainData.preferences(config.data().eval(), rm, needs, config.length(), config.data().skipBadRows()).examples();
            } else {
                List<List<TrainExample>> s = TrainData.split(loaded.examples(), config.data().evalFraction(), config.seed());
                train = s.get(0);
                eval = s.get(1);
            }
            return new Trainer.Run(config, null, loss, new Reward(rm, loss, extra), train, eval, null, null, console, loaded, false).go();
        }
    }

    /** Rewards of each group's chosen and rejected response, no gradients, in batches of 16 sequences. */
    public static List<double[]> rewards(RewardModel rm, List<TrainExample> groups) {
        List<long[]> seqs = sequences(groups);
        double[] r = rm.rewardsOfIds(seqs, 16);
        List<double[]> out = new ArrayList<>(groups.size());
        for (int g = 0; g < groups.size(); g++) out.add(new double[] {r[2 * g], r[2 * g + 1]});
        return out;
    }

    /** prompt + response ids of every response of every group, group-major. */
    static List<long[]> sequences(List<TrainExample> groups) {
        List<long[]> seqs = new ArrayList<>();
        for (TrainExample e : groups) {
            for (long[] r : e.responses()) {
                long[] all = java.util.Arrays.copyOf(e.prompt(), e.prompt().length + r.length);
                System.arraycopy(r, 0, all, e.prompt().length, r.length);
                seqs.add(all);
            }
        }
        return seqs;
    }

    /** The reward-model side of the one loop: rewards of chosen and rejected, held-out pair metrics. */
    private record Reward(RewardModel rm, RewardLoss loss, PairEval extra) implements Trainer.Model {
        @Override public HfModel model() { return rm; }

        @Override
        public NDArray[] forward(NDManager s, List<TrainExample> g, TrainConfig.PrefixSharing sharing) {
            return new NDArray[] {rm.scores(s, sequences(g)).reshape(2L * g.size()), null}; // (B*2): chosen, rejected per pair
        }

        @Override
        public Map<String, Object> evaluate(List<TrainExample> eval) {
            return evalMetrics(loss, eval, rewards(rm, eval), extra);
        }

        @Override public String kind() { return "reward-model"; }
    }

    /**
     * Held-out metrics from rewards (chosen, rejected) per pair: the loss, accuracy (ties ½), mean log σ(r_c − r_r),
     * mean margin and mean reward, plus {@code extra}'s.
     */
    static Map<String, Object> evalMetrics(RewardLoss task, List<TrainExample> groups, List<double[]> r, PairEval extra) {
        int n = groups.size();
        double[] logits = new double[n];
        double acc = 0, ll = 0, margin = 0, mean = 0;
        for (int i = 0; i < n; i++) {
            double z = r.get(i)[0] - r.get(i)[1];
            logits[i] = z;
            acc += z > 0 ? 1 : z == 0 ? 0.5 : 0;
            ll += Num.logSigmoid(z);
            margin += z;
            mean += (r.get(i)[0] + r.get(i)[1]) / 2;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eval/loss", task.hostLoss(groups, r, null));
        m.put("eval/accuracy", acc / n);
        m.put("eval/log_likelihood", ll / n);
        m.put("eval/margins", margin / n);
        m.put("eval/reward_mean", mean / n);
        if (extra != null) m.putAll(extra.evaluate(logits));
        return m;
    }
}
