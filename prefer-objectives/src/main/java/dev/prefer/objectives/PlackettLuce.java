package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * ListMLE / DPO under the Plackett–Luce model (listwise). Rafailov et al. 2023, arXiv 2305.18290, Appendix A.3
 * (the Plackett–Luce DPO objective); Xia et al. 2008, "Listwise Approach to Learning to Rank" (ListMLE); named
 * DPO_PL in LiPO (arXiv 2402.01878). With s_i = β ρ(y_i) and π* the order of the labels (best first, ties by index):
 * <pre>  L = −Σ_{k=1}^{K} log [ exp(s_{π*(k)}) / Σ_{m ≥ k} exp(s_{π*(m)}) ]</pre>
 * For K = 2 this is the DPO loss.
 */
public final class PlackettLuce implements Objective {
    private final double beta;

    public PlackettLuce(double beta) {
        PairObjective.requirePositive("beta", beta);
        this.beta = beta;
    }

    @Override public String name() { return "plackett-luce"; }
    @Override public Requirements requirements() { return Requirements.lists(); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    /** Whether response j comes at or after response i in the label order (ψ_j &lt; ψ_i, or tied and j ≥ i). */
    static boolean atOrAfter(double psiI, double psiJ, int i, int j) {
        return psiJ < psiI || (psiJ == psiI && j >= i);
    }

    @Override
    public double[] groupLosses(Batch b) {
        b.require(name(), Layout.LISTS, true);
        int k = b.k();
        double[] out = new double[b.groups()];
        for (int g = 0; g < out.length; g++) {
            for (int i = 0; i < k; i++) {
                double[] rest = new double[k];
                int n = 0;
                for (int j = 0; j < k; j++) {
                    if (atOrAfter(b.label(g, i), b.label(g, j), i, j)) rest[n++] = beta * b.logRatio(g, j);
                }
                out[g] += Num.logSumExp(java.util.Arrays.copyOf(rest, n)) - beta * b.logRatio(g, i);
            }
        }
        return out;
    }

    @Override
    public NDArray groupLosses(TensorBatch t) {
        Batch h = t.host();
        h.require(name(), Layout.LISTS, true);
        int k = h.k();
        double[] mask = new double[h.groups() * k * k]; // (B, K, K): 0 where j is at or after i, else −1e30
        for (int g = 0; g < h.groups(); g++) {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    mask[(g * k + i) * k + j] = atOrAfter(h.label(g, i), h.label(g, j), i, j) ? 0 : -1e30;
                }
            }
        }
        NDArray s = t.logRatio().mul(Num.scalar(t.policy(), beta)); // (B, K)
        NDManager m = s.getManager();
        NDArray masked = s.expandDims(1).add(m.create(mask, new Shape(h.groups(), k, k)).toType(s.getDataType(), false)); // (B, K, K)
        NDArray lse = Num.logSumExp(masked, 2); // (B, K)
        return lse.sub(s).sum(new int[] {1});
    }
}
