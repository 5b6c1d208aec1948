package dev.prefer.reward.head;

import dev.prefer.core.Scalars;

/**
 * The Bradley-Terry reward-model loss for one pair with optional margin, label smoothing and reward centering:
 *
 * <pre>
 *   u = r_w − r_l − m                                   (m = the pair's margin when useMargin, else 0; Llama 2 §3.2.1)
 *   L = −(1−ε) log σ(u) − ε log σ(−u) + η (r_w + r_l)²  (ε: label smoothing, Secrets of RLHF II §3 / cDPO;
 *                                                        η: reward centering, Eisenstein et al. 2023, TRL's
 *                                                        center_rewards_coefficient)
 * </pre>
 *
 * ε = 0, η = 0 and no margin is plain BT, {@code −log σ(r_w − r_l)}. With ε the optimum is no longer an infinite
 * margin: the loss is minimised at u = log((1−ε)/ε), which keeps rewards bounded on noisy labels.
 *
 * @param useMargin  subtract the pair's margin (pairs without one use 0)
 * @param smoothing  ε in [0, 0.5)
 * @param centering  η ≥ 0
 */
public record BtLoss(boolean useMargin, double smoothing, double centering) {
    public static final BtLoss PLAIN = new BtLoss(false, 0, 0);

    public BtLoss {
        if (!(smoothing >= 0 && smoothing < 0.5)) throw new IllegalArgumentException("label smoothing must be in [0, 0.5): " + smoothing);
        if (!(centering >= 0) || Double.isInfinite(centering)) throw new IllegalArgumentException("centering must be finite and >= 0: " + centering);
    }

    /** Loss of one pair; writes ∂L/∂r_w and ∂L/∂r_l into {@code d[0]}, {@code d[1]} when d is not null. */
    public double loss(double rw, double rl, Double margin, double[] d) {
        double m = useMargin && margin != null ? margin : 0.0;
        double u = rw - rl - m;
        double l = -(1 - smoothing) * Scalars.logSigmoid(u) - smoothing * Scalars.logSigmoid(-u);
        double c = rw + rl;
        l += centering * c * c;
        if (d != null) {
            double du = -(1 - smoothing) * Scalars.sigmoid(-u) + smoothing * Scalars.sigmoid(u);
            d[0] = du + 2 * centering * c;
            d[1] = -du + 2 * centering * c;
        }
        return l;
    }

    /** Loss on a logit alone (no rewards, so no centering): −(1−ε) log σ(s−m) − ε log σ(−(s−m)); d[0] = ∂L/∂s. */
    public double logitLoss(double s, Double margin, double[] d) {
        double m = useMargin && margin != null ? margin : 0.0;
        double u = s - m;
        if (d != null) d[0] = -(1 - smoothing) * Scalars.sigmoid(-u) + smoothing * Scalars.sigmoid(u);
        return -(1 - smoothing) * Scalars.logSigmoid(u) - smoothing * Scalars.logSigmoid(-u);
    }
}
