package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * LiPO-λ (listwise). Liu et al. 2024, "LiPO: Listwise Preference Optimization through Learning-to-Rank",
 * arXiv 2402.01878 (the LiPO-λ loss, LambdaLoss weights of Wang et al. 2018): with scores s_i = β ρ(y_i) and labels ψ_i,
 * <pre>  L = Σ_{i,j: ψ_i > ψ_j} Δ_ij · log(1 + e^{−(s_i − s_j)})
 *   Δ_ij = |G_i − G_j| · |1/D(τ(i)) − 1/D(τ(j))|,   G_i = 2^{ψ_i} − 1,   D(τ) = log₂(1 + τ)</pre>
 * τ(i) is the 1-based rank of y_i when sorting by s (descending; ties by index); Δ carries no gradient. With
 * {@code lambdaWeights = false} every Δ is 1 (LiPO's pair-logistic baseline, DPO summed over all ordered pairs):
 * for K = 2 that is exactly DPO. METHODS.md marks the exact constants UNCONFIRMED; they are the standard
 * NDCG-LambdaLoss ones named in the paper.
 */
public final class LipoLambda implements Objective {
    private final double beta;
    private final boolean lambdaWeights;

    public LipoLambda(double beta, boolean lambdaWeights) {
        PairObjective.requirePositive("beta", beta);
        this.beta = beta;
        this.lambdaWeights = lambdaWeights;
    }

    @Override public String name() { return lambdaWeights ? "lipo-lambda" : "lipo-pair-logistic"; }
    @Override public Requirements requirements() { return Requirements.lists(); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    /** 1-based ranks by descending score, ties by index. */
    static int[] ranks(double[] s) {
        int[] tau = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            int r = 1;
            for (int j = 0; j < s.length; j++) if (s[j] > s[i] || (s[j] == s[i] && j < i)) r++;
            tau[i] = r;
        }
        return tau;
    }

    @Override
    public double[] groupLosses(Batch b) {
        b.require(name(), Layout.LISTS, true);
        int k = b.k();
        double[] out = new double[b.groups()];
        double ln2 = Math.log(2);
        for (int g = 0; g < out.length; g++) {
            double[] s = new double[k];
            for (int j = 0; j < k; j++) s[j] = beta * b.logRatio(g, j);
            int[] tau = ranks(s);
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    double pi = b.label(g, i), pj = b.label(g, j);
                    if (!(pi > pj)) continue;
                    double delta = 1;
                    if (lambdaWeights) {
                        double gain = Math.abs(Math.pow(2, pi) - Math.pow(2, pj));
                        double disc = Math.abs(ln2 / Math.log1p(tau[i]) - ln2 / Math.log1p(tau[j]));
                        delta = gain * disc;
                    }
                    out[g] += delta * Num.softplus(-(s[i] - s[j]));
                }
            }
        }
        return out;
    }

    @Override
    public NDArray groupLosses(TensorBatch t) {
        t.host().require(name(), Layout.LISTS, true);
        NDArray s = t.logRatio().mul(Num.scalar(t.policy(), beta));               // (B, K)
        NDArray psi = t.labels();                          // (B, K)
        NDArray diff = s.expandDims(2).sub(s.expandDims(1)); // (B, K, K): s_i − s_j
        NDArray mask = psi.expandDims(2).gt(psi.expandDims(1)).toType(s.getDataType(), false); // ψ_i > ψ_j
        NDArray pairs = Num.softplus(diff.neg()).mul(mask);
        if (lambdaWeights) {
            // τ_i = 1 + #{j : s_j > s_i, or s_j = s_i and j < i}, from comparisons (no sort needed).
            int k = t.k();
            NDArray sd = s.stopGradient();
            NDArray above = sd.expandDims(1).gt(sd.expandDims(2));                  // [b, i, j] = s_j > s_i
            double[] before = new double[k * k];
            for (int i = 0; i < k; i++) for (int j = 0; j < i; j++) before[i * k + j] = 1;
            NDArray earlier = s.getManager().create(before, new ai.djl.ndarray.types.Shape(1, k, k)).gt(0); // j < i
            NDArray tied = sd.expandDims(1).eq(sd.expandDims(2)).logicalAnd(earlier.broadcast(above.getShape()));
            NDArray tau = above.logicalOr(tied).toType(s.getDataType(), false).sum(new int[] {2}).add(1); // (B, K)
            NDArray invD = tau.add(1).log().pow(-1).mul(Math.log(2)); // 1 / log2(1 + τ)
            NDArray gain = psi.mul(Math.log(2)).exp();                 // 2^ψ (the −1 cancels in differences)
            NDArray delta = gain.expandDims(2).sub(gain.expandDims(1)).abs()
                    .mul(invD.expandDims(2).sub(invD.expandDims(1)).abs()); // (B, K, K)
            pairs = pairs.mul(delta);
        }
        return pairs.sum(new int[] {1, 2});
    }
}
