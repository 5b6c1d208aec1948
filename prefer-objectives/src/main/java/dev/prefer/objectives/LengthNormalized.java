package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * The length-normalised variant of any objective: every sequence log-prob (policy and reference) is divided by
 * its token count before the inner objective sees it, ℓ(y) → ℓ(y)/|y|. This is how TRL computes IPO
 * ({@code ln-ipo}), and gives LN-DPO ({@code ln-dpo}, a baseline of the SimPO paper, arXiv 2405.14734) and the
 * like. Rewards for the metrics are normalised the same way.
 */
public final class LengthNormalized implements Objective {
    private final Objective inner;

    public LengthNormalized(Objective inner) {
        this.inner = inner;
    }

    public Objective inner() { return inner; }

    @Override public String name() { return "ln-" + inner.name(); }
    @Override public Requirements requirements() { return inner.requirements(); }

    @Override
    public RewardForm rewardForm() {
        RewardForm f = inner.rewardForm();
        return new RewardForm(f.scale(), f.useReference(), true);
    }

    @Override
    public double[] groupLosses(Batch b) {
        return inner.groupLosses(b.lengthNormalized());
    }

    @Override
    public NDArray groupLosses(TensorBatch t) {
        return inner.groupLosses(t.lengthNormalized());
    }
}
