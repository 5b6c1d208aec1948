package dev.prefer.reward;

import dev.prefer.reward.head.EncodedPair;
import dev.prefer.reward.head.HeadConfig;
import dev.prefer.reward.head.PreferenceHead;
import dev.prefer.train.AdamW;
import dev.prefer.train.StepMechanics;
import dev.prefer.train.TrainConfig;
import dev.prefer.train.Trainer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Trains any {@link PreferenceHead} (bt, mlp, pal, micro, gpm, classifier, multi, linear over an encoder) on the one
 * training loop of prefer-train, {@link StepMechanics#loop}: its learning-rate schedule, metrics rows (returned, and
 * written to {@code metrics.jsonl} when the config names an output folder), evaluation cadence and early stopping on
 * {@code eval/loss} ({@code loop.patience}); the data order of {@link Trainer.Order} (one seeded Fisher–Yates
 * permutation per epoch); prefer-train's {@link AdamW} in its double-precision form ({@link AdamW#twin}, the formula
 * of {@code torch.optim.AdamW}); the global-norm clip of {@link StepMechanics#clipAndUpdate} when
 * {@code optimizer.maxGradNorm} &gt; 0; the split of {@code TrainData.split}. The loss is the head's own
 * ({@link PreferenceHead#loss}, weighted mean over the batch, hand-written gradient), built on prefer-train's
 * {@link dev.prefer.train.RewardLoss} for the Bradley–Terry part. The trainer never branches on the kind of head.
 *
 * <p>What the heads keep of their own: parameters are one host {@code double[]} (no tensors, no PyTorch), so the
 * step body is this class's (loss and gradient from the head, clip, AdamW twin) instead of {@code Trainer.Run}'s
 * autograd micro-batches; batches are epoch-aligned (epoch e's permutation cut into ceil(n/B) batches, the last one
 * partial) so that evaluation, logging and patience count epochs; the weights of the best evaluation are restored at
 * the end. Without a validation set the loss on the whole training set stands in for early stopping.
 */
public final class HeadTrainer {
    private HeadTrainer() {}

    /**
     * The documented defaults for heads: seed 42, at most 200 epochs of batches of 32 pairs, AdamW lr 0.01 (constant),
     * weight decay 1e-4, no clipping, 10% held out, patience 10 epochs.
     */
    public static TrainConfig defaults() {
        return TrainConfig.builder(TrainConfig.Task.REWARD).reward(HeadConfig.PLAIN_BT).seed(42).epochs(200).batchSize(32)
                .learningRate(0.01).weightDecay(1e-4).schedule(TrainConfig.Schedule.CONSTANT, 0).maxGradNorm(0)
                .eval(null, 0.1).patience(10).build();
    }

    /** The settings of a config that head training reads, for manifests and metrics. */
    public static Map<String, Object> settings(TrainConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", c.seed());
        m.put("epochs", c.loop().epochs());
        if (c.loop().maxSteps() > 0) m.put("max_steps", c.loop().maxSteps());
        m.put("batch_size", c.loop().batchSize());
        m.put("learning_rate", c.optimizer().learningRate());
        m.put("weight_decay", c.optimizer().weightDecay());
        m.put("adam_beta1", c.optimizer().beta1());
        m.put("adam_beta2", c.optimizer().beta2());
        m.put("adam_epsilon", c.optimizer().epsilon());
        m.put("schedule", c.optimizer().schedule().name());
        m.put("warmup_steps", c.optimizer().warmupSteps());
        m.put("max_grad_norm", c.optimizer().maxGradNorm());
        m.put("validation_fraction", c.data().evalFraction());
        m.put("patience", c.loop().patience());
        return m;
    }

    /** One epoch's numbers: mean training loss over its batches (weighted by batch size) and the evaluation loss. */
    public record Epoch(int epoch, double trainLoss, double validationLoss) {}

    /**
     * What training did.
     *
     * @param rows every logged metrics row (one per epoch), as the loop returned them
     */
    public record Result(int bestEpoch, double bestValidationLoss, List<Epoch> history, boolean stoppedEarly,
                         List<Map<String, Object>> rows) {}

    /** Trains in place; {@code log} receives each epoch (may be null). */
    public static Result fit(PreferenceHead head, List<EncodedPair> train, List<EncodedPair> validation, TrainConfig config,
                             Consumer<Epoch> log) {
        return fit(head, train, validation, config, log, null);
    }

    /**
     * Trains in place. {@code config}'s optimizer, seed, epochs (or maxSteps), batch size, patience and output folder
     * are used; logging and evaluation happen once per epoch (the loop's logEvery and evalEvery are set to the steps
     * of an epoch); checkpoints and resume are refused (a head trains in seconds). With patience 0 the last weights
     * are kept; otherwise those of the lowest evaluation loss.
     *
     * @param log     receives each epoch (may be null)
     * @param console the loop's progress lines (null: silent)
     */
    public static Result fit(PreferenceHead head, List<EncodedPair> train, List<EncodedPair> validation, TrainConfig config,
                             Consumer<Epoch> log, PrintStream console) {
        if (train.isEmpty()) throw new IllegalArgumentException("no training pairs");
        if (config.loop().saveEvery() > 0 || config.loop().resume()) {
            throw new IllegalArgumentException("embedding heads train without checkpoints (save every 0, no resume)");
        }
        if (config.loop().gradAccumulation() != 1) throw new IllegalArgumentException("embedding heads take gradient accumulation 1");
        int n = train.size(), b = config.loop().batchSize();
        int perEpoch = (n + b - 1) / b;
        int total = config.loop().maxSteps() > 0 ? config.loop().maxSteps() : config.loop().epochs() * perEpoch;
        TrainConfig run = config.toBuilder().every(perEpoch, 0, perEpoch).build();
        HeadSteps steps = new HeadSteps(head, train, validation, run, perEpoch, log);
        StepMechanics.LoopResult r = StepMechanics.loop(run, console, 0, total, true, steps);
        if (run.loop().patience() > 0) { // the weights of the best evaluation
            System.arraycopy(steps.best, 0, steps.theta, 0, steps.theta.length);
            return new Result(steps.bestEpoch, steps.bestLoss, List.copyOf(steps.history), r.stoppedEarly(), r.history());
        }
        return new Result(steps.history.size(), steps.lastEval, List.copyOf(steps.history), false, r.history()); // the last weights
    }

    /** The head's side of the loop: epoch-aligned batches, loss and gradient from the head, clip, AdamW twin. */
    private static final class HeadSteps implements StepMechanics.Steps {
        final PreferenceHead head;
        final List<EncodedPair> train, validation;
        final TrainConfig.Optimizer o;
        final double[] theta, grad, m, v, best;
        final int perEpoch, batch;
        final Trainer.Order order;
        final Consumer<Epoch> log;
        final List<Epoch> history = new ArrayList<>();
        double epochSum, lastEval = Double.NaN, bestLoss = Double.POSITIVE_INFINITY;
        int epochCount, bestEpoch;

        HeadSteps(PreferenceHead head, List<EncodedPair> train, List<EncodedPair> validation, TrainConfig c, int perEpoch, Consumer<Epoch> log) {
            this.head = head;
            this.train = train;
            this.validation = validation;
            this.o = c.optimizer();
            this.theta = head.parameters();
            this.grad = new double[theta.length];
            this.m = new double[theta.length];
            this.v = new double[theta.length];
            this.best = theta.clone();
            this.perEpoch = perEpoch;
            this.batch = c.loop().batchSize();
            this.order = new Trainer.Order(train.size(), c.seed());
            this.log = log;
        }

        @Override
        public Map<String, Object> train(int step, double lr) {
            int epoch = step / perEpoch, j = step % perEpoch, n = train.size();
            if (j == 0) {
                epochSum = 0;
                epochCount = 0;
            }
            List<EncodedPair> pairs = new ArrayList<>(batch);
            for (int pos = j * batch; pos < Math.min(n, (j + 1) * batch); pos++) pairs.add(train.get(order.at((long) epoch * n + pos)));
            Arrays.fill(grad, 0);
            double loss = head.loss(pairs, grad);
            if (!Double.isFinite(loss)) throw new dev.prefer.train.TrainingException("loss is " + loss + " at step " + (step + 1) + "; stopped without updating");
            boolean[] mask = head.trainable();
            double sq = 0;
            for (int i = 0; i < grad.length; i++) if (mask == null || mask[i]) sq += grad[i] * grad[i];
            double gradNorm = Math.sqrt(sq);
            if (!Double.isFinite(gradNorm)) throw new dev.prefer.train.TrainingException("gradient norm is " + gradNorm + " at step " + (step + 1) + "; stopped without updating");
            if (o.maxGradNorm() > 0) { // clip_grad_norm_, as StepMechanics.clipAndUpdate
                double coef = o.maxGradNorm() / (gradNorm + 1e-6);
                if (coef < 1) for (int i = 0; i < grad.length; i++) grad[i] *= coef;
            }
            AdamW.twin(theta, grad, m, v, step + 1, lr, o.beta1(), o.beta2(), o.epsilon(), o.weightDecay(), mask);
            epochSum += loss * pairs.size();
            epochCount += pairs.size();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("step", step + 1);
            row.put("epoch", epoch + 1);
            row.put("loss", loss);
            row.put("train/epoch_loss", epochSum / epochCount);
            row.put("grad_norm", gradNorm);
            row.put("learning_rate", lr);
            return row;
        }

        @Override
        public Map<String, Object> evaluate() {
            lastEval = validation.isEmpty() ? head.loss(train, null) : head.loss(validation, null);
            Epoch e = new Epoch(history.size() + 1, epochSum / epochCount, lastEval);
            history.add(e);
            if (log != null) log.accept(e);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("eval/loss", lastEval);
            return r;
        }

        @Override
        public void improved(int stepsDone) {
            bestLoss = lastEval;
            bestEpoch = history.size();
            System.arraycopy(theta, 0, best, 0, theta.length);
        }

        @Override
        public void checkpoint(int stepsDone) {
            throw new IllegalStateException("embedding heads do not checkpoint");
        }
    }
}
