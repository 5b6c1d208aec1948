package dev.prefer.reward.train;

import java.util.Map;

/**
 * How a head is trained: AdamW (Loshchilov &amp; Hutter 2019, decoupled weight decay) on mini-batches, early stopping
 * on the validation loss.
 *
 * @param seed              shuffling and initialisation seed (default 42)
 * @param epochs            maximum passes over the training pairs (default 200)
 * @param batchSize         pairs per step (default 32)
 * @param learningRate      AdamW step size (default 0.01)
 * @param weightDecay       decoupled weight decay λ: θ ← θ − lr·λ·θ each step (default 0.0001)
 * @param validationFraction share of pairs held out for early stopping when no validation set is given (default 0.1)
 * @param patience          epochs without a better validation loss before stopping (default 10)
 */
public record TrainConfig(long seed, int epochs, int batchSize, double learningRate, double weightDecay,
                          double validationFraction, int patience) {
    public static final TrainConfig DEFAULTS = new TrainConfig(42, 200, 32, 0.01, 1e-4, 0.1, 10);

    public TrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1: " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1: " + batchSize);
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) throw new IllegalArgumentException("learning rate must be > 0: " + learningRate);
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw new IllegalArgumentException("weight decay must be >= 0: " + weightDecay);
        if (!(validationFraction >= 0 && validationFraction < 1)) throw new IllegalArgumentException("validation fraction must be in [0, 1): " + validationFraction);
        if (patience < 1) throw new IllegalArgumentException("patience must be >= 1: " + patience);
    }

    public TrainConfig withSeed(long s) { return new TrainConfig(s, epochs, batchSize, learningRate, weightDecay, validationFraction, patience); }
    public TrainConfig withEpochs(int e) { return new TrainConfig(seed, e, batchSize, learningRate, weightDecay, validationFraction, patience); }
    public TrainConfig withLearningRate(double lr) { return new TrainConfig(seed, epochs, batchSize, lr, weightDecay, validationFraction, patience); }
    public TrainConfig withWeightDecay(double wd) { return new TrainConfig(seed, epochs, batchSize, learningRate, wd, validationFraction, patience); }
    public TrainConfig withBatchSize(int b) { return new TrainConfig(seed, epochs, b, learningRate, weightDecay, validationFraction, patience); }
    public TrainConfig withPatience(int p) { return new TrainConfig(seed, epochs, batchSize, learningRate, weightDecay, validationFraction, p); }
    public TrainConfig withValidationFraction(double f) { return new TrainConfig(seed, epochs, batchSize, learningRate, weightDecay, f, patience); }

    public Map<String, Object> toMap() {
        return Map.of("seed", seed, "epochs", epochs, "batchSize", batchSize, "learningRate", learningRate,
                "weightDecay", weightDecay, "validationFraction", validationFraction, "patience", patience);
    }
}
