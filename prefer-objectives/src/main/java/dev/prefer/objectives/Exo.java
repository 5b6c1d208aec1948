package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * EXO, pairwise form. Ji et al. 2024, "Towards Efficient Exact Optimization of Language Model Alignment",
 * arXiv 2402.00856, Eq. 16 (as cited in TRL's {@code exo_pair}): the reverse KL between the model's preference
 * distribution σ(±βh) and the (ε-smoothed) label distribution,
 * <pre>  L = σ(βh) [log σ(βh) − log(1 − ε)] + σ(−βh) [log σ(−βh) − log ε]</pre>
 * ε > 0 (TRL uses 1e-3 when label smoothing is 0). The minimum, 0, is at σ(βh) = 1 − ε.
 */
public final class Exo extends PairObjective {
    private final double beta;
    private final double epsilon;

    public Exo(double beta, double epsilon) {
        requirePositive("beta", beta);
        if (!(epsilon > 0 && epsilon < 0.5)) throw new IllegalArgumentException("epsilon must be in (0, 0.5), got " + epsilon);
        this.beta = beta;
        this.epsilon = epsilon;
    }

    @Override public String name() { return "exo"; }
    @Override public Requirements requirements() { return Requirements.pairs(true); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    @Override
    protected double pairLoss(Batch b, int g) {
        double z = beta * logit(b, g);
        return Num.sigmoid(z) * (Num.logSigmoid(z) - Math.log(1 - epsilon))
                + Num.sigmoid(-z) * (Num.logSigmoid(-z) - Math.log(epsilon));
    }

    @Override
    protected NDArray pairLosses(TensorBatch t) {
        NDArray z = logit(t).mul(Num.scalar(t.policy(), beta));
        NDArray lp = Num.logSigmoid(z);
        NDArray ln = Num.logSigmoid(z.neg());
        return lp.exp().mul(lp.sub(Math.log(1 - epsilon))).add(ln.exp().mul(ln.sub(Math.log(epsilon))));
    }
}
