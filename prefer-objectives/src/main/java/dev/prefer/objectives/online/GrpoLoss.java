package dev.prefer.objectives.online;

import ai.djl.ndarray.NDArray;
import dev.prefer.objectives.Num;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The clipped policy-gradient loss of the GRPO family on per-token log-probs (also REINFORCE++'s loss, with per-token
 * advantages). Shao et al. 2024, "DeepSeekMath", arXiv 2402.03300 (the GRPO objective; equation numbers of the papers cited here
 * were not re-checked in this change, the code lines were), with the variants TRL
 * implements in {@code grpo_trainer.py _compute_loss} (huggingface/trl @f2cd577, L3054-3146):
 * <pre>
 *   w_t   = exp(ℓ_t − ℓ_old,t)                                   (level TOKEN)
 *         = exp( Σ_t m_t (ℓ_t − ℓ_old,t) / |y| )                 (level SEQUENCE: GSPO, Zheng et al. 2025, arXiv 2507.18071)
 *         = exp(ℓ_t − sg(ℓ_t) + sg(Σ_t m_t (ℓ_t − ℓ_old,t) / |y|))  (level SEQUENCE_TOKEN: GSPO-token; same value,
 *                                                                   each token gets the whole sequence weight as gradient)
 *   l_t   = −min( min(w_t, δ) A,  clip(w_t, 1 − ε_low, 1 + ε_high) A ) + β KL_t
 *   KL_t  = exp(ℓ_ref,t − ℓ_t) − (ℓ_ref,t − ℓ_t) − 1                (k3 estimator, Schulman 2020, as in DeepSeekMath)
 * </pre>
 * and the aggregation over the mask m:
 * <ul>
 *   <li>{@code GRPO}: mean over completions of Σ_t m_t l_t / max(|y|, 1) (DeepSeekMath's 1/|o_i| sum);</li>
 *   <li>{@code BNPO}: Σ m l / Σ m over the batch;</li>
 *   <li>{@code DR_GRPO}: Σ m l / (B · max_completion_length) (Liu et al. 2025, "Understanding R1-Zero-Like Training",
 *       arXiv 2503.20783, Dr. GRPO);</li>
 *   <li>{@code DAPO}: Σ m l / N with N the active tokens of the whole accumulated generation batch (Yu et al. 2025,
 *       "DAPO", arXiv 2503.14476, token-level policy-gradient loss).</li>
 * </ul>
 * ε_high &gt; ε_low is DAPO's clip-higher; δ is TRL's {@code delta}, the upper bound of the unclipped ratio
 * from "INTELLECT-2" (two-sided clipping, grpo_trainer.py L3086-3087); {@code clip = false} gives the plain
 * importance-weighted policy gradient. On the first iteration (no {@code oldLogps}) w = 1 and nothing is clipped;
 * with β = 0 there is no KL term and no reference model is needed.
 *
 * <p>Metrics (TRL names, L3224-3252): {@code kl} (masked mean of KL_t, when β ≠ 0), {@code entropy} (masked mean of
 * the given per-token entropies), {@code clip_ratio/low_mean} (w &lt; 1 − ε_low with A &lt; 0),
 * {@code clip_ratio/high_mean} (w &gt; 1 + ε_high with A &gt; 0), {@code clip_ratio/region_mean} (either); at level
 * SEQUENCE the clip ratios are means over completions, as in TRL.
 *
 * @param aggregation         how token losses are averaged
 * @param level               token, sequence (GSPO) or sequence-token (GSPO-token) importance ratios
 * @param epsilonLow          ε_low ≥ 0 (TRL default 0.2)
 * @param epsilonHigh         ε_high ≥ 0 (TRL default: ε_low; DAPO 0.28)
 * @param delta               upper bound of the unclipped ratio (TRL recommends &gt; 1 + ε_high), NaN for none (TRL default)
 * @param beta                KL strength β ≥ 0 (TRL default 0)
 * @param maxCompletionLength DR_GRPO's constant divisor (≥ 1; ignored otherwise)
 * @param clip                false: no ratio clipping (plain importance-weighted policy gradient)
 */
public record GrpoLoss(Aggregation aggregation, RatioLevel level, double epsilonLow, double epsilonHigh, double delta,
                       double beta, int maxCompletionLength, boolean clip) implements OnlineLoss {

    /** How the per-token losses become one number. */
    public enum Aggregation { GRPO, BNPO, DR_GRPO, DAPO }

    /** Where importance ratios are taken. */
    public enum RatioLevel { TOKEN, SEQUENCE, SEQUENCE_TOKEN }

    public GrpoLoss {
        if (aggregation == null || level == null) throw new IllegalArgumentException("aggregation and level are required");
        if (!(epsilonLow >= 0 && epsilonLow < 1)) throw new IllegalArgumentException("epsilonLow must be in [0, 1), got " + epsilonLow);
        if (!(epsilonHigh >= 0) || Double.isInfinite(epsilonHigh)) throw new IllegalArgumentException("epsilonHigh must be finite and >= 0, got " + epsilonHigh);
        if (!Double.isNaN(delta) && !(delta > 0 && delta < Double.POSITIVE_INFINITY))
            throw new IllegalArgumentException("delta must be finite and > 0 (TRL recommends > 1 + epsilonHigh), or NaN for none, got " + delta);
        if (!(beta >= 0) || Double.isInfinite(beta)) throw new IllegalArgumentException("beta must be finite and >= 0, got " + beta);
        if (maxCompletionLength < 1) throw new IllegalArgumentException("maxCompletionLength must be >= 1, got " + maxCompletionLength);
    }

    /** TRL's GRPOConfig defaults for a loss type: ε = 0.2 both sides, β = 0, token ratios, no δ. */
    public static GrpoLoss of(Aggregation aggregation, int maxCompletionLength) {
        return new GrpoLoss(aggregation, RatioLevel.TOKEN, 0.2, 0.2, Double.NaN, 0.0, maxCompletionLength, true);
    }

    /**
     * REINFORCE++'s policy loss (OpenRLHF {@code PolicyLoss}, openrlhf/models/loss.py @3c3be62 L166-193 with
     * {@code aggregate_loss} L29-32): token-level PPO clip on per-token advantages from
     * {@link Advantages#reinforcePlusPlus}, averaged over the batch's active tokens, KL in the reward (β = 0 here).
     * OpenRLHF also clamps the log-ratio to ±20 before exp, which this form does not (it only matters past e^20).
     */
    public static GrpoLoss reinforcePlusPlus(double epsilonLow, double epsilonHigh) {
        return new GrpoLoss(Aggregation.BNPO, RatioLevel.TOKEN, epsilonLow, epsilonHigh, Double.NaN, 0.0, 1, true);
    }

    public GrpoLoss withEpsilon(double low, double high) {
        return new GrpoLoss(aggregation, level, low, high, delta, beta, maxCompletionLength, clip);
    }

    public GrpoLoss withBeta(double b) {
        return new GrpoLoss(aggregation, level, epsilonLow, epsilonHigh, delta, b, maxCompletionLength, clip);
    }

    public GrpoLoss withLevel(RatioLevel l) {
        return new GrpoLoss(aggregation, l, epsilonLow, epsilonHigh, delta, beta, maxCompletionLength, clip);
    }

    public GrpoLoss withDelta(double d) {
        return new GrpoLoss(aggregation, level, epsilonLow, epsilonHigh, d, beta, maxCompletionLength, clip);
    }

    public GrpoLoss withClip(boolean c) {
        return new GrpoLoss(aggregation, level, epsilonLow, epsilonHigh, delta, beta, maxCompletionLength, c);
    }

    @Override
    public String name() {
        return aggregation.name().toLowerCase(java.util.Locale.ROOT) + (level == RatioLevel.TOKEN ? "" : "-" + level.name().toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    public boolean needsReference() { return beta != 0; }

    // ---------------------------------------------------------------- double twin

    /** log w of row i, position j (live in ℓ, with the batch's stop-gradient values for sg(·)). */
    private double logWeight(OnlineBatch h, int i, int j, double seqLive, double seqDetached) {
        return switch (level) {
            case TOKEN -> h.logp(i, j) - h.old(i, j);
            case SEQUENCE -> seqLive;
            case SEQUENCE_TOKEN -> h.logp(i, j) - h.sg(i, j) + seqDetached;
        };
    }

    @Override
    public Value loss(OnlineBatch h) {
        int b = h.b(), t = h.t();
        if (beta != 0 && !h.hasRefLogps()) throw new IllegalArgumentException(name() + " with beta != 0 needs refLogps");
        double total = 0;           // Σ_i Σ_t m l  (BNPO, DR_GRPO, DAPO)
        double perSeq = 0;          // Σ_i (Σ_t m l / max(|y|, 1))  (GRPO)
        double klSum = 0, entSum = 0, lowSum = 0, highSum = 0, regionSum = 0;
        double maskSum = h.maskSum();
        boolean seqMetrics = level == RatioLevel.SEQUENCE && !h.tokenAdvantages();
        for (int i = 0; i < b; i++) {
            double len = h.rowTokens(i);
            double live = 0, det = 0;
            for (int j = 0; j < t; j++) {
                live += h.m(i, j) * (h.logp(i, j) - h.old(i, j));
                det += h.m(i, j) * (h.sg(i, j) - h.old(i, j));
            }
            live /= Math.max(len, 1);
            det /= Math.max(len, 1);
            double row = 0;
            for (int j = 0; j < t; j++) {
                double a = h.advantage(i, j);
                double w = Math.exp(logWeight(h, i, j, live, det));
                double l = -Math.min(clippedAbove(w) * a, clipped(w) * a);
                if (beta != 0) {
                    double d = h.ref(i, j) - h.logp(i, j);
                    double kl = Math.exp(d) - d - 1;
                    l += beta * kl;
                    klSum += h.m(i, j) * kl;
                }
                row += h.m(i, j) * l;
                if (!seqMetrics) {
                    double low = lowClipped(w, a), high = highClipped(w, a);
                    lowSum += h.m(i, j) * low;
                    highSum += h.m(i, j) * high;
                    regionSum += h.m(i, j) * Math.max(low, high);
                }
                if (h.hasEntropies()) entSum += h.m(i, j) * h.entropy(i, j);
            }
            if (seqMetrics) {
                double w = Math.exp(live);
                double a = h.advantage(i, 0);
                lowSum += lowClipped(w, a);
                highSum += highClipped(w, a);
                regionSum += Math.max(lowClipped(w, a), highClipped(w, a));
            }
            total += row;
            perSeq += row / Math.max(len, 1);
        }
        double value = switch (aggregation) {
            case GRPO -> perSeq / b;
            case BNPO -> total / Math.max(maskSum, 1);
            case DR_GRPO -> total / ((double) b * maxCompletionLength);
            case DAPO -> total / Math.max(h.tokensInBatch(), 1);
        };
        Map<String, Double> m = new LinkedHashMap<>();
        double tokens = Math.max(maskSum, 1);
        if (beta != 0) m.put("kl", klSum / tokens);
        if (h.hasEntropies()) m.put("entropy", entSum / tokens);
        double clipCount = seqMetrics ? Math.max(b, 1) : tokens;
        m.put("clip_ratio/low_mean", lowSum / clipCount);
        m.put("clip_ratio/high_mean", highSum / clipCount);
        m.put("clip_ratio/region_mean", regionSum / clipCount);
        return new Value(value, m);
    }

    private double clipped(double w) {
        return clip ? Math.min(Math.max(w, 1 - epsilonLow), 1 + epsilonHigh) : w;
    }

    private double clippedAbove(double w) {
        return Double.isNaN(delta) ? w : Math.min(w, delta);
    }

    private double lowClipped(double w, double a) {
        return clip && w < 1 - epsilonLow && a < 0 ? 1 : 0;
    }

    private double highClipped(double w, double a) {
        return clip && w > 1 + epsilonHigh && a > 0 ? 1 : 0;
    }

    // ---------------------------------------------------------------- tensor form

    @Override
    public Tensor loss(OnlineTensorBatch tb) {
        NDArray logp = tb.logps();                          // (B, T)
        NDArray mask = tb.mask();                           // (B, T)
        NDArray a = tb.advantagesBt();                      // (B, 1) or (B, T)
        NDArray one = Num.scalar(logp, 1.0);
        NDArray len = mask.sum(new int[] {1}, true).maximum(one); // (B, 1)
        NDArray logRatio = logp.sub(tb.oldOrDetached());    // (B, T)
        NDArray logW = switch (level) {
            case TOKEN -> logRatio;
            case SEQUENCE -> logRatio.mul(mask).sum(new int[] {1}, true).div(len); // (B, 1)
            case SEQUENCE_TOKEN -> logp.sub(logp.stopGradient())
                    .add(logRatio.mul(mask).sum(new int[] {1}, true).div(len).stopGradient()); // (B, T)
        };
        NDArray w = logW.exp();
        NDArray w2 = clip ? w.maximum(Num.scalar(logp, 1 - epsilonLow)).minimum(Num.scalar(logp, 1 + epsilonHigh)) : w;
        NDArray w1 = Double.isNaN(delta) ? w : w.minimum(Num.scalar(logp, delta));
        NDArray perToken = w1.mul(a).minimum(w2.mul(a)).neg(); // (B, 1) or (B, T)
        if (beta != 0) {
            NDArray d = tb.requireRef().sub(logp);             // (B, T)
            NDArray kl = d.exp().sub(d).sub(one);
            perToken = perToken.add(kl.mul(Num.scalar(logp, beta)));
        }
        NDArray masked = perToken.mul(mask);                    // (B, T)
        NDArray loss = switch (aggregation) {
            case GRPO -> masked.sum(new int[] {1}, true).div(len).mean();
            case BNPO -> masked.sum().div(mask.sum().maximum(one));
            case DR_GRPO -> masked.sum().div(Num.scalar(logp, (double) tb.b() * maxCompletionLength));
            case DAPO -> Double.isNaN(tb.tokensInBatch())
                    ? masked.sum().div(mask.sum().maximum(one))
                    : masked.sum().div(Num.scalar(logp, Math.max(tb.tokensInBatch(), 1)));
        };
        return new Tensor(loss, () -> loss(tb.host()).metrics());
    }
}
