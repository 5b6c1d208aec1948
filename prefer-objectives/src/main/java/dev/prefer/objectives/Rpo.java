package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * RPO: DPO plus the SFT loss on the chosen response. Liu et al. 2024, "Provably Mitigating Overoptimization in
 * RLHF: Your SFT Loss is Implicitly an Adversarial Regularizer", arXiv 2405.16436 (its practical objective; TRL
 * {@code loss_type=["sigmoid","sft"], loss_weights=[1, η]}):
 * <pre>  L = −log σ(β h) + η · (−ℓ_θ(y_w)/|y_w|)</pre>
 * The SFT term here is the per-sequence mean token NLL (TRL's {@code rpo_alpha} averages over the batch's tokens).
 * Whether the paper also scales the SFT term by β is left open in METHODS.md; this form does not.
 */
public final class Rpo implements Objective {
    private final Dpo dpo;
    private final ChosenNll nll = new ChosenNll();
    private final double eta;

    /** @param eta SFT weight η (paper's recipe: 0.005 with β = 0.01) */
    public Rpo(double beta, double eta) {
        if (!(eta >= 0) || Double.isInfinite(eta)) throw new IllegalArgumentException("eta must be finite and >= 0, got " + eta);
        this.dpo = new Dpo(beta);
        this.eta = eta;
    }

    @Override public String name() { return "rpo"; }
    @Override public Requirements requirements() { return Requirements.pairs(true); }
    @Override public RewardForm rewardForm() { return dpo.rewardForm(); }

    @Override
    public double[] groupLosses(Batch b) {
        double[] l = dpo.groupLosses(b);
        double[] s = nll.groupLosses(b);
        for (int g = 0; g < l.length; g++) l[g] += eta * s[g];
        return l;
    }

    @Override
    public NDArray groupLosses(TensorBatch t) {
        return dpo.groupLosses(t).add(nll.groupLosses(t).mul(Num.scalar(t.policy(), eta)));
    }
}
