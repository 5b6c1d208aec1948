package dev.prefer.objectives.online;

import ai.djl.ndarray.NDArray;
import dev.prefer.objectives.Num;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Nash-MD's loss as TRL trains it. Munos et al. 2024, "Nash Learning from Human Feedback", arXiv 2312.00886
 * (Nash-MD: mirror descent against the geometric mixture of the policy and the reference); TRL
 * {@code trl/experimental/nash_md/nash_md_trainer.py _compute_losses} (huggingface/trl @f2cd577 L367-385):
 * <pre>
 *   L = mean_i [ β Σ_t m_t sg(ℓ_t − ℓ_ref,t) ℓ_t  −  (p_i − ½) Σ_t m_t ℓ_t ]
 * </pre>
 * where y_i is sampled from the policy, y'_i from the mixture ({@link GeometricMixture}), and
 * p_i = P(y_i ≻ y'_i | x) from a pairwise judge or σ(r(y_i) − r(y'_i)) from a reward model (L477); ½ is the
 * REINFORCE control variate, the first term the REINFORCE gradient of KL(π_θ ‖ π_ref). The batch's {@code scores}
 * hold p. Metrics (TRL names): {@code loss/score} = mean (p − ½) Σ m ℓ, {@code loss/kl} = mean Σ m (ℓ − ℓ_ref),
 * {@code rewards/probabilities} = mean p.
 *
 * @param beta KL strength β ≥ 0 (TRL default 0.1)
 */
public record NashMdLoss(double beta) implements OnlineLoss {

    public NashMdLoss {
        if (!(beta >= 0) || Double.isInfinite(beta)) throw new IllegalArgumentException("beta must be finite and >= 0, got " + beta);
    }

    @Override public String name() { return "nash-md"; }
    @Override public boolean needsReference() { return true; }

    @Override
    public Value loss(OnlineBatch h) {
        double sum = 0, scoreSum = 0, klSum = 0, pSum = 0;
        for (int i = 0; i < h.b(); i++) {
            double lp = 0, kl = 0, klSurrogate = 0, lpDetached = 0;
            for (int j = 0; j < h.t(); j++) {
                double m = h.m(i, j);
                double lr = h.sg(i, j) - h.ref(i, j);
                lp += m * h.logp(i, j);
                lpDetached += m * h.sg(i, j);
                klSurrogate += m * lr * h.logp(i, j);
                kl += m * lr;
            }
            double p = h.score(i);
            sum += beta * klSurrogate - (p - 0.5) * lp;
            scoreSum += (p - 0.5) * lpDetached;
            klSum += kl;
            pSum += p;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss/score", scoreSum / h.b());
        m.put("loss/kl", klSum / h.b());
        m.put("rewards/probabilities", pSum / h.b());
        return new Value(sum / h.b(), m);
    }

    @Override
    public Tensor loss(OnlineTensorBatch tb) {
        NDArray mask = tb.mask();                                              // (B, T)
        NDArray logp = tb.logps().mul(mask);                                   // (B, T)
        NDArray logRatio = tb.logps().stopGradient().sub(tb.requireRef()).mul(mask); // (B, T), constant
        NDArray kl = logRatio.mul(logp).sum(new int[] {1});                   // (B)
        NDArray score = tb.requireScores().sub(Num.scalar(logp, 0.5)).mul(logp.sum(new int[] {1})); // (B)
        NDArray loss = kl.mul(Num.scalar(logp, beta)).sub(score).mean();
        return new Tensor(loss, () -> loss(tb.host()).metrics());
    }
}
