package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * MODPO (multi-objective DPO). Zhou et al. 2024, "Beyond One-Preference-Fits-All Alignment: Multi-Objective
 * Direct Preference Optimization", arXiv 2310.03708 (formula as the authors' {@code modpo_trainer.py}):
 * objective 1 is learned from the preference labels, objectives 2..n come as reward scores r_k in the data,
 * <pre>  L = −log σ( (1/w_1) [ β h − Σ_{k≥2} w_k (r_k(y_w) − r_k(y_l)) ] )</pre>
 * The batch supplies, per pair, the score differences d_k = r_k(y_w) − r_k(y_l) as attributes in the order of
 * {@link Requirements#attributes()} (the data reader turns {@code chosen_scores}/{@code rejected_scores} into
 * exactly these differences). Rewards for metrics: β ρ / w_1.
 */
public final class Modpo extends PairObjective {
    private final double beta;
    private final double[] weights;
    private final List<String> scoreNames;

    /**
     * @param weights    w_1..w_n, positive w_1, summing to 1
     * @param scoreNames names of the n − 1 reward scores, matched to w_2..w_n
     */
    public Modpo(double beta, double[] weights, List<String> scoreNames) {
        requirePositive("beta", beta);
        if (weights.length < 2) throw new IllegalArgumentException("MODPO needs at least two objectives (weights w_1..w_n)");
        if (scoreNames.size() != weights.length - 1) {
            throw new IllegalArgumentException(weights.length + " weights need " + (weights.length - 1) + " score names, got " + scoreNames);
        }
        double sum = 0;
        for (double w : weights) {
            if (!(w >= 0)) throw new IllegalArgumentException("MODPO weights must be >= 0: " + Arrays.toString(weights));
            sum += w;
        }
        if (!(weights[0] > 0)) throw new IllegalArgumentException("w_1 (the preference objective's weight) must be > 0");
        if (Math.abs(sum - 1) > 1e-9) throw new IllegalArgumentException("MODPO weights must sum to 1: " + Arrays.toString(weights));
        this.beta = beta;
        this.weights = weights.clone();
        this.scoreNames = List.copyOf(scoreNames);
    }

    @Override public String name() { return "modpo"; }
    @Override public Requirements requirements() { return new Requirements(true, Layout.PAIRS, false, false, scoreNames); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta / weights[0]); }

    private void check(Batch b) {
        if (b.attributeCount() != scoreNames.size()) {
            throw new IllegalArgumentException("modpo needs " + scoreNames.size() + " score differences per pair " + scoreNames
                    + " (Batch.withAttributes), got " + b.attributeCount());
        }
    }

    @Override
    protected double pairLoss(Batch b, int g) {
        check(b);
        double margin = 0;
        for (int s = 0; s < scoreNames.size(); s++) margin += weights[s + 1] * b.attribute(g, s);
        return -Num.logSigmoid((beta * logit(b, g) - margin) / weights[0]);
    }

    @Override
    protected NDArray pairLosses(TensorBatch t) {
        check(t.host());
        NDArray d = t.attributes(); // (B, S)
        NDArray w = d.getManager().create(Arrays.copyOfRange(weights, 1, weights.length), new Shape(1, scoreNames.size()))
                .toType(d.getDataType(), false);
        NDArray margin = d.mul(w).sum(new int[] {1}); // (B)
        return Num.logSigmoid(logit(t).mul(Num.scalar(margin, beta)).sub(margin).div(Num.scalar(margin, weights[0]))).neg();
    }
}
