package dev.prefer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.prefer.data.Manifest;
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
        try (RewardModel rm = RewardModel.load(config.models().model(), config.precision())) {
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
            return new Run(config, loss, rm, train, eval, console, extra, loaded).go();
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

    private static final class Run {
        final TrainConfig c;
        final RewardLoss task;
        final RewardModel rm;
        final List<TrainExample> train, eval;
        final PrintStream console;
        final PairEval extra;
        final TrainData.Loaded loaded;
        final DataType type;
        Lora lora;
        Map<String, NDArray> trainable;

        Run(TrainConfig c, RewardLoss task, RewardModel rm, List<TrainExample> train, List<TrainExample> eval, PrintStream console,
            PairEval extra, TrainData.Loaded loaded) {
            this.c = c;
            this.task = task;
            this.rm = rm;
            this.train = train;
            this.eval = eval;
            this.console = console;
            this.extra = extra;
            this.loaded = loaded;
            this.type = rm.model().dtype();
        }

        Trainer.TrainResult go() {
            if (c.lora() != null) {
                rm.setTrainable(false);
                lora = c.lora().init() == null ? Lora.create(rm, c.lora(), c.seed()) : Lora.startFrom(rm, c.lora());
                lora.setTrainable(true);
                trainable = lora.parameters();
            } else {
                rm.setTrainable(true);
                trainable = rm.parameters();
            }
            int total = Trainer.totalSteps(c, train.size());
            Trainer.Order order = new Trainer.Order(train.size(), c.seed());
            Map<String, Object> configMap = c.toMap();
            try (NDManager optManager = Torch.newManager(); AdamW opt = new AdamW(optManager, c.optimizer().beta1(), c.optimizer().beta2(), c.optimizer().epsilon(), c.optimizer().weightDecay())) {
                int start = c.loop().resume() ? restore(opt, configMap) : 0;
                StepMechanics.LoopResult r = StepMechanics.loop(c, console, start, total, !eval.isEmpty(), new StepMechanics.Steps() {
                    @Override
                    public Map<String, Object> train(int step, double lr) {
                        return trainStep(step, order, opt, lr);
                    }

                    @Override
                    public Map<String, Object> evaluate() {
                        return Run.this.evaluate();
                    }

                    @Override
                    public void checkpoint(int stepsDone) {
                        Checkpoints.write(c.out(), stepsDone, trainable, opt, configMap);
                    }
                });
                writeOutput(configMap, total);
                return new Trainer.TrainResult(c.out(), total, r.last(), r.evalMetrics(), false, r.history());
            } finally {
                if (lora != null) lora.close();
            }
        }

        private int restore(AdamW opt, Map<String, Object> configMap) {
            Checkpoints.State s = StepMechanics.restore(c.out(), configMap, trainable, opt);
            if (s == null) return 0;
            if (console != null) console.println("resumed from " + s.dir() + " at step " + s.step());
            return s.step();
        }

        private Map<String, Object> trainStep(int step, Trainer.Order order, AdamW opt, double lr) {
            long t0 = System.nanoTime();
            TrainConfig.Loop lp = c.loop();
            int per = lp.batchSize() * lp.gradAccumulation();
            List<List<TrainExample>> micro = new ArrayList<>();
            double totalNorm = 0;
            for (int mb = 0; mb < lp.gradAccumulation(); mb++) {
                List<TrainExample> g = new ArrayList<>();
                for (int i = 0; i < lp.batchSize(); i++) g.add(train.get(order.at((long) step * per + (long) mb * lp.batchSize() + i)));
                micro.add(g);
                totalNorm += task.normaliser(g);
            }
            if (!(totalNorm > 0)) throw new TrainingException("step " + step + ": the batch has zero total weight");
            StepMechanics.zeroGradients(trainable);
            double loss = 0, tokens = 0;
            Map<String, Double> metrics = new LinkedHashMap<>();
            int groupsSeen = 0;
            for (int mb = 0; mb < micro.size(); mb++) {
                List<TrainExample> g = micro.get(mb);
                double share = task.normaliser(g) / totalNorm;
                final int mbIndex = mb;
                if (lora != null) lora.setTraining(true, () -> (c.seed() * 1_000_003L + step) * 131 + mbIndex);
                try (NDManager s = rm.model().parameters().values().iterator().next().getManager().newSubManager();
                     GradientCollector gc = Torch.init().newGradientCollector()) {
                    NDArray rewards = rm.scores(s, sequences(g)).reshape(2L * g.size()); // (B*2): chosen, rejected per pair
                    StepLoss.Out out = task.compute(s, rewards, null, g, null, type);
                    gc.backward(out.loss().mul(dev.prefer.objectives.Num.scalar(out.loss(), share))); // engine-owned operand: Num.scalar
                    double l = out.loss().toType(DataType.FLOAT64, true).getDouble();
                    if (!Double.isFinite(l)) throw new TrainingException(StepMechanics.stopped(c.out(), "loss", l, step));
                    loss += share * l;
                    for (Map.Entry<String, Double> e : out.metrics().get().entrySet()) metrics.merge(e.getKey(), e.getValue() * g.size(), Double::sum);
                    groupsSeen += g.size();
                    for (TrainExample e : g) tokens += e.tokens();
                }
            }
            if (lora != null) lora.setTraining(false, () -> 0L);
            double gradNorm = StepMechanics.clipAndUpdate(trainable, opt, c.optimizer().maxGradNorm(), lr, type, c.out(), step);
            double secs = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("step", step + 1);
            row.put("epoch", (double) (step + 1) * per / train.size());
            row.put("loss", loss);
            for (Map.Entry<String, Double> e : metrics.entrySet()) row.put(e.getKey(), e.getValue() / groupsSeen);
            row.put("grad_norm", gradNorm);
            row.put("learning_rate", lr);
            row.put("tokens_per_second", tokens / secs);
            return row;
        }

        Map<String, Object> evaluate() {
            if (lora != null) lora.setTraining(false, () -> 0L);
            List<double[]> r = rewards(rm, eval);
            return evalMetrics(task, eval, r, extra);
        }

        private void writeOutput(Map<String, Object> configMap, int total) {
            StepMechanics.writeOutput("reward-model", c, configMap, train, eval, loaded, total, lora, rm, null);
        }
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
