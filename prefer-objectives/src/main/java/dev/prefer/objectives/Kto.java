package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * KTO on unpaired data. Ethayarajh et al. 2024, "KTO: Model Alignment as Prospect Theoretic Optimization",
 * arXiv 2402.01306 (the KTO loss of its Section 4; formula as TRL's KTO trainer, equation number not re-checked):
 * <pre>  z = max(0, mean over the batch of [ℓ_θ(y'|x) − ℓ_ref(y'|x)])   (mismatched pairs; no gradient)
 *   desirable y:    L = λ_D (1 − σ(β (ρ(y) − z)))
 *   undesirable y:  L = λ_U (1 − σ(β (z − ρ(y))))</pre>
 * Without KL samples in the batch z = 0 (TRL's {@code calculate_KL=False}).
 */
public final class Kto implements Objective {
    private final double beta;
    private final double desirableWeight;
    private final double undesirableWeight;

    /** @param desirableWeight λ_D (default 1); @param undesirableWeight λ_U (default 1) */
    public Kto(double beta, double desirableWeight, double undesirableWeight) {
        PairObjective.requirePositive("beta", beta);
        PairObjective.requirePositive("desirable weight", desirableWeight);
        PairObjective.requirePositive("undesirable weight", undesirableWeight);
        this.beta = beta;
        this.desirableWeight = desirableWeight;
        this.undesirableWeight = undesirableWeight;
    }

    @Override public String name() { return "kto"; }
    @Override public Requirements requirements() { return new Requirements(true, Layout.UNPAIRED, true, false, java.util.List.of()); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    /** The KL estimate z of a batch (double). */
    public static double klEstimate(Batch b) {
        if (!b.hasKlSamples()) return 0;
        double s = 0;
        for (int g = 0; g < b.groups(); g++) s += b.klPolicy(g) - b.klReference(g);
        return Math.max(0, s / b.groups());
    }

    @Override
    public double[] groupLosses(Batch b) {
        b.require(name(), Layout.UNPAIRED, true);
        double z = klEstimate(b);
        double[] out = new double[b.groups()];
        for (int g = 0; g < out.length; g++) {
            double rho = b.logRatio(g, 0);
            out[g] = b.label(g, 0) == 1
                    ? desirableWeight * (1 - Num.sigmoid(beta * (rho - z)))
                    : undesirableWeight * (1 - Num.sigmoid(beta * (z - rho)));
        }
        return out;
    }

    @Override
    public NDArray groupLosses(TensorBatch t) {
        t.host().require(name(), Layout.UNPAIRED, true);
        NDArray rho = TensorBatch.col(t.logRatio(), 0); // (B)
        NDArray z;
        if (t.klPolicy() != null) {
            z = t.klPolicy().stopGradient().sub(t.klReference()).mean().maximum(0); // ()
        } else {
            z = rho.zerosLike().sum();
        }
        NDArray desirable = TensorBatch.col(t.labels(), 0); // (B) 1/0
        NDArray chosen = Num.sigmoid(rho.sub(z).mul(Num.scalar(rho, beta))).neg().add(1).mul(Num.scalar(rho, desirableWeight));
        NDArray rejected = Num.sigmoid(rho.neg().add(z).mul(Num.scalar(rho, beta))).neg().add(1).mul(Num.scalar(rho, undesirableWeight));
        return chosen.mul(desirable).add(rejected.mul(desirable.neg().add(1)));
    }
}
