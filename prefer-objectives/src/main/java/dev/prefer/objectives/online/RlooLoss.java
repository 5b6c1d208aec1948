package dev.prefer.objectives.online;

import ai.djl.ndarray.NDArray;
import dev.prefer.objectives.Num;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RLOO's policy loss on sequence log-probs. Ahmadian et al. 2024, "Back to Basics: Revisiting REINFORCE Style
 * Optimization for Learning from Human Feedback in LLMs", arXiv 2402.14740 (the REINFORCE leave-one-out estimator),
 * in TRL's form ({@code rloo_trainer.py _compute_loss}, huggingface/trl @f2cd577 L1683-1696):
 * <pre>
 *   ℓ(y) = Σ_t m_t ℓ_t,   w = exp(ℓ(y) − ℓ_old(y))
 *   L = mean_i −min( w_i A_i, clip(w_i, 1 − ε_low, 1 + ε_high) A_i )
 * </pre>
 * with the leave-one-out advantages of {@link Advantages#rloo} (the KL penalty is in the reward there, not in the
 * loss). {@code clip = false} gives the plain importance-weighted REINFORCE loss −w A (at w = 1 the gradient is
 * −A ∇ℓ(y), the REINFORCE estimator). Metrics: {@code entropy}, {@code clip_ratio/low_mean|high_mean|region_mean}
 * (means over completions).
 *
 * @param epsilonLow  ε_low in [0, 1) (TRL default 0.2)
 * @param epsilonHigh ε_high ≥ 0 (TRL default: ε_low)
 * @param clip        false: no clipping
 */
public record RlooLoss(double epsilonLow, double epsilonHigh, boolean clip) implements OnlineLoss {

    public RlooLoss {
        if (!(epsilonLow >= 0 && epsilonLow < 1)) throw new IllegalArgumentException("epsilonLow must be in [0, 1), got " + epsilonLow);
        if (!(epsilonHigh >= 0) || Double.isInfinite(epsilonHigh)) throw new IllegalArgumentException("epsilonHigh must be finite and >= 0, got " + epsilonHigh);
    }

    /** TRL's defaults: ε = 0.2 both sides, clipped. */
    public static RlooLoss defaults() {
        return new RlooLoss(0.2, 0.2, true);
    }

    @Override public String name() { return clip ? "rloo" : "rloo-plain"; }
    @Override public boolean needsReference() { return false; }

    @Override
    public Value loss(OnlineBatch h) {
        if (h.tokenAdvantages()) throw new IllegalArgumentException("rloo needs one advantage per completion, got per-token advantages");
        int b = h.b();
        double sum = 0, low = 0, high = 0, region = 0, ent = 0;
        for (int i = 0; i < b; i++) {
            double lp = 0, old = 0;
            for (int j = 0; j < h.t(); j++) {
                lp += h.m(i, j) * h.logp(i, j);
                old += h.m(i, j) * h.old(i, j);
                if (h.hasEntropies()) ent += h.m(i, j) * h.entropy(i, j);
            }
            double w = Math.exp(lp - old);
            double a = h.advantage(i, 0);
            double w2 = clip ? Math.min(Math.max(w, 1 - epsilonLow), 1 + epsilonHigh) : w;
            sum += -Math.min(w * a, w2 * a);
            double lo = w < 1 - epsilonLow && a < 0 ? 1 : 0, hi = w > 1 + epsilonHigh && a > 0 ? 1 : 0;
            low += lo;
            high += hi;
            region += Math.max(lo, hi);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        if (h.hasEntropies()) m.put("entropy", ent / Math.max(h.maskSum(), 1));
        if (clip) {
            m.put("clip_ratio/low_mean", low / b);
            m.put("clip_ratio/high_mean", high / b);
            m.put("clip_ratio/region_mean", region / b);
        }
        return new Value(sum / b, m);
    }

    @Override
    public Tensor loss(OnlineTensorBatch tb) {
        if (tb.advantages() == null || tb.advantages().getShape().dimension() != 1)
            throw new IllegalArgumentException("rloo needs advantages of shape (B)");
        NDArray mask = tb.mask();                                              // (B, T)
        NDArray lp = tb.logps().mul(mask).sum(new int[] {1});                  // (B)
        NDArray old = tb.oldOrDetached().mul(mask).sum(new int[] {1});         // (B)
        NDArray w = lp.sub(old).exp();                                         // (B)
        NDArray a = tb.advantages();                                           // (B)
        NDArray w2 = clip ? w.maximum(Num.scalar(w, 1 - epsilonLow)).minimum(Num.scalar(w, 1 + epsilonHigh)) : w;
        NDArray loss = w.mul(a).minimum(w2.mul(a)).neg().mean();
        return new Tensor(loss, () -> loss(tb.host()).metrics());
    }
}
