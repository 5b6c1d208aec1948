package dev.prefer.reward.train;

import dev.prefer.reward.head.EncodedPair;
import dev.prefer.reward.head.PreferenceHead;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains any {@link PreferenceHead}: seeded shuffles, mini-batch AdamW on the head's own loss and gradient,
 * validation loss after every epoch, early stopping with patience, and the parameters of the best validation
 * epoch restored at the end. The trainer never branches on the kind of head: it asks the head for its loss.
 */
public final class Trainer {
    private Trainer() {}

    /** One epoch's numbers. */
    public record Epoch(int epoch, double trainLoss, double validationLoss) {}

    /** What training did. */
    public record Result(int bestEpoch, double bestValidationLoss, List<Epoch> history, boolean stoppedEarly) {}

    /** Splits pairs into (train, validation) with a seeded shuffle; validation gets round(fraction·n) pairs. */
    public static <T> List<List<T>> split(List<T> pairs, double fraction, long seed) {
        List<T> shuffled = new ArrayList<>(pairs);
        Collections.shuffle(shuffled, new Random(seed));
        int nv = (int) Math.round(fraction * shuffled.size());
        return List.of(List.copyOf(shuffled.subList(nv, shuffled.size())), List.copyOf(shuffled.subList(0, nv)));
    }

    /**
     * Trains in place. With an empty validation list the training loss stands in for early stopping.
     *
     * @param log receives each epoch (may be null)
     */
    public static Result fit(PreferenceHead head, List<EncodedPair> train, List<EncodedPair> validation, TrainConfig config,
                             Consumer<Epoch> log) {
        if (train.isEmpty()) throw new IllegalArgumentException("no training pairs");
        double[] theta = head.parameters();
        double[] grad = new double[theta.length];
        double[] best = theta.clone();
        AdamW opt = new AdamW(theta.length, config.learningRate(), config.weightDecay());
        Random rnd = new Random(config.seed());
        List<EncodedPair> order = new ArrayList<>(train);
        List<Epoch> history = new ArrayList<>();
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        int since = 0;
        boolean early = false;
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            Collections.shuffle(order, rnd);
            double sum = 0;
            int n = 0;
            for (int start = 0; start < order.size(); start += config.batchSize()) {
                List<EncodedPair> batch = order.subList(start, Math.min(order.size(), start + config.batchSize()));
                java.util.Arrays.fill(grad, 0);
                double l = head.loss(batch, grad);
                opt.step(theta, grad, head.trainable());
                sum += l * batch.size();
                n += batch.size();
            }
            double trainLoss = sum / n;
            double valLoss = validation.isEmpty() ? head.loss(train, null) : head.loss(validation, null);
            Epoch e = new Epoch(epoch, trainLoss, valLoss);
            history.add(e);
            if (log != null) log.accept(e);
            if (valLoss < bestLoss - 1e-9) {
                bestLoss = valLoss;
                bestEpoch = epoch;
                System.arraycopy(theta, 0, best, 0, theta.length);
                since = 0;
            } else if (++since >= config.patience()) {
                early = true;
                break;
            }
        }
        System.arraycopy(best, 0, theta, 0, theta.length);
        return new Result(bestEpoch, bestLoss, List.copyOf(history), early);
    }
}
