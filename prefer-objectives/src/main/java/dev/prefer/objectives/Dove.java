package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * DOVE (joint preference optimization over instruction–response pairs). Bansal et al. 2024, "Comparing Bad
 * Apples to Good Oranges: Aligning Large Language Models via Joint Preference Optimization", arXiv 2404.00530:
 * pairs (x_w, y_w) ≻ (x_l, y_l) whose prompts may differ,
 * <pre>  L = −log σ( β [log π_θ(x_w,y_w)/π_ref(x_w,y_w)] − β [log π_θ(x_l,y_l)/π_ref(x_l,y_l)] )</pre>
 * With {@code joint = false} (the authors' code default) the prompt is not modelled and the joint ratio equals the
 * conditional one: the DPO formula on pairs with different prompts. With {@code joint = true} the trainer also
 * scores the prompt tokens ({@link Requirements#scorePromptTokens()}), i.e. ℓ = log π(x, y).
 */
public final class Dove extends PairObjective {
    private final double beta;
    private final boolean joint;

    public Dove(double beta, boolean joint) {
        requirePositive("beta", beta);
        this.beta = beta;
        this.joint = joint;
    }

    @Override public String name() { return "dove"; }
    @Override public Requirements requirements() { return new Requirements(true, Layout.PAIRS, false, joint, java.util.List.of()); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    @Override
    protected double pairLoss(Batch b, int g) {
        return -Num.logSigmoid(beta * logit(b, g));
    }

    @Override
    protected NDArray pairLosses(TensorBatch t) {
        return Num.logSigmoid(logit(t).mul(Num.scalar(t.policy(), beta))).neg();
    }
}
