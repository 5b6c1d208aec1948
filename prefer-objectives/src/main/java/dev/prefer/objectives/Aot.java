package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;

/**
 * AOT (alignment via optimal transport, distributional). Melnyk et al. 2024, "Distributional Preference Alignment
 * of LLMs via Optimal Transport", arXiv 2406.05882 (formula as TRL's {@code aot} and {@code aot_pair}; equation
 * number not re-checked): first-order stochastic dominance of chosen over rejected, enforced by sorting across the
 * batch and applying the DPO loss quantile by quantile,
 * <pre>  paired:   Δ_(i) = sort(ℓ_θ(y_w) − ℓ_θ(y_l))_(i) − sort(ℓ_ref(y_w) − ℓ_ref(y_l))_(i)
 *   unpaired: Δ_(i) = sort(ρ_w)_(i) − sort(ρ_l)_(i)
 *   L_(i) = −(1 − ε) log σ(β Δ_(i)) − ε log σ(−β Δ_(i))</pre>
 * The group losses are per sorted position, so they belong to no single row: per-row weights are refused.
 */
public final class Aot implements Objective {
    private final double beta;
    private final double epsilon;
    private final boolean paired;

    /** @param paired true: TRL {@code aot} (sort the pair log-ratio differences); false: {@code aot_pair} */
    public Aot(double beta, double epsilon, boolean paired) {
        PairObjective.requirePositive("beta", beta);
        PairObjective.requireProbability("epsilon", epsilon, 0.5);
        this.beta = beta;
        this.epsilon = epsilon;
        this.paired = paired;
    }

    @Override public String name() { return paired ? "aot" : "aot-unpaired"; }
    @Override public Requirements requirements() { return Requirements.pairs(true); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    private void check(Batch b) {
        b.require(name(), Layout.PAIRS, true);
        if (b.hasWeights()) throw new IllegalArgumentException(name() + " sorts across the batch: per-row weights do not apply");
    }

    @Override
    public double[] groupLosses(Batch b) {
        check(b);
        int n = b.groups();
        double[] x = new double[n];
        double[] y = new double[n];
        for (int g = 0; g < n; g++) {
            if (paired) {
                x[g] = b.policy(g, 0) - b.policy(g, 1);
                y[g] = b.reference(g, 0) - b.reference(g, 1);
            } else {
                x[g] = b.logRatio(g, 0);
                y[g] = b.logRatio(g, 1);
            }
        }
        Arrays.sort(x);
        Arrays.sort(y);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double z = beta * (x[i] - y[i]);
            out[i] = -(1 - epsilon) * Num.logSigmoid(z) - epsilon * Num.logSigmoid(-z);
        }
        return out;
    }

    @Override
    public NDArray groupLosses(TensorBatch t) {
        check(t.host());
        NDArray x, y; // (B)
        if (paired) {
            x = TensorBatch.col(t.policy(), 0).sub(TensorBatch.col(t.policy(), 1));
            y = TensorBatch.col(t.reference(), 0).sub(TensorBatch.col(t.reference(), 1));
        } else {
            NDArray rho = t.logRatio();
            x = TensorBatch.col(rho, 0);
            y = TensorBatch.col(rho, 1);
        }
        NDArray z = x.sort(0).sub(y.sort(0)).mul(Num.scalar(x, beta));
        return Num.logSigmoid(z).mul(Num.scalar(z, -(1 - epsilon))).sub(Num.logSigmoid(z.neg()).mul(Num.scalar(z, epsilon)));
    }
}
