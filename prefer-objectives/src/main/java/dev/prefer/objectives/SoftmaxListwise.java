package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * Softmax cross-entropy listwise loss (ListNet-style; the "softmax" loss of LiPO, arXiv 2402.01878, after Cao et
 * al. 2007). With s_i = β ρ(y_i) and non-negative labels ψ_i:
 * <pre>  L = −Σ_i (ψ_i / Σ_j ψ_j) · log [ exp(s_i) / Σ_j exp(s_j) ]</pre>
 * For K = 2 with labels (1, 0) this is the DPO loss.
 */
public final class SoftmaxListwise implements Objective {
    private final double beta;

    public SoftmaxListwise(double beta) {
        PairObjective.requirePositive("beta", beta);
        this.beta = beta;
    }

    @Override public String name() { return "softmax-listwise"; }
    @Override public Requirements requirements() { return Requirements.lists(); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    private void check(Batch b) {
        b.require(name(), Layout.LISTS, true);
        for (int g = 0; g < b.groups(); g++) {
            double sum = 0;
            for (int j = 0; j < b.k(); j++) {
                if (b.label(g, j) < 0) throw new IllegalArgumentException(name() + " needs labels >= 0, got " + b.label(g, j));
                sum += b.label(g, j);
            }
            if (sum <= 0) throw new IllegalArgumentException(name() + " needs a positive label in every list (group " + g + ")");
        }
    }

    @Override
    public double[] groupLosses(Batch b) {
        check(b);
        int k = b.k();
        double[] out = new double[b.groups()];
        for (int g = 0; g < out.length; g++) {
            double[] s = new double[k];
            double total = 0;
            for (int j = 0; j < k; j++) {
                s[j] = beta * b.logRatio(g, j);
                total += b.label(g, j);
            }
            double lse = Num.logSumExp(s);
            for (int j = 0; j < k; j++) out[g] -= b.label(g, j) / total * (s[j] - lse);
        }
        return out;
    }

    @Override
    public NDArray groupLosses(TensorBatch t) {
        check(t.host());
        NDArray s = t.logRatio().mul(Num.scalar(t.policy(), beta));                              // (B, K)
        NDArray p = t.labels().div(t.labels().sum(new int[] {1}, true)); // (B, K)
        return s.logSoftmax(1).mul(p).sum(new int[] {1}).neg();
    }
}
