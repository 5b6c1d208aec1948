package dev.prefer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.prefer.objectives.Num;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Bradley–Terry loss of a reward model with a scalar head (Ouyang et al. 2022, Eq. 1; TRL's
 * {@code RewardTrainer}), per pair i with rewards r_c (chosen) and r_r (rejected):
 *
 * <pre>
 *   u_i = r_c − r_r − m_i                                         (m_i: the pair's margin, Llama 2 §3.2.2; 0 when off or absent)
 *   ℓ_i = −(1−ε) log σ(u_i) − ε log σ(−u_i) + η (r_c + r_r)²
 *   L   = Σ_i w_i ℓ_i / Σ_i w_i                                    (w_i: the pair's weight, 1 by default)
 * </pre>
 *
 * ε is label smoothing for noisy labels (Secrets of RLHF II, Wang et al. 2024, arXiv 2401.06080; the cDPO form:
 * minimised at u = log((1−ε)/ε), so rewards stay finite), η is TRL's {@code center_rewards_coefficient}
 * (Eisenstein et al. 2023: rewards centred at zero). With ε = η = 0 and no margins this is TRL's loss
 * {@code -logsigmoid(r_c - r_r).mean()} exactly. As a {@link StepLoss}, the trainer's "sums" are the (B·2) rewards,
 * chosen then rejected per pair.
 *
 * <p>Options travel in {@link TrainConfig#reward()} (the CLI's {@code --objective-params} for reward models): {@code margin} (1 = subtract each pair's margin, 0 =
 * ignore margins; default 1, as TRL does when the data has a margin column), {@code center_rewards_coefficient}
 * (η, default 0), {@code label_smoothing} (ε in [0, 0.5), default 0).
 *
 * @param useMargin                subtract each pair's margin
 * @param centerRewardsCoefficient η ≥ 0
 * @param labelSmoothing           ε in [0, 0.5)
 */
public record RewardLoss(boolean useMargin, double centerRewardsCoefficient, double labelSmoothing) implements StepLoss {
    /** The parameter names {@link #fromParams} accepts. */
    public static final Set<String> PARAMS = Set.of("margin", "center_rewards_coefficient", "label_smoothing");

    public RewardLoss {
        if (!(centerRewardsCoefficient >= 0) || !Double.isFinite(centerRewardsCoefficient)) {
            throw new IllegalArgumentException("center_rewards_coefficient must be >= 0");
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) throw new IllegalArgumentException("label_smoothing must be in [0, 0.5)");
    }

    public static final RewardLoss DEFAULT = new RewardLoss(true, 0, 0);

    /** From trainer parameters (see the class comment); unknown names fail with the list of known ones. */
    public static RewardLoss fromParams(Map<String, Double> params) {
        for (String k : params.keySet()) {
            if (!PARAMS.contains(k)) throw new IllegalArgumentException("unknown reward-loss parameter '" + k + "'; expected one of " + new java.util.TreeSet<>(PARAMS));
        }
        double m = params.getOrDefault("margin", 1.0);
        if (m != 0 && m != 1) throw new IllegalArgumentException("margin must be 0 or 1 (subtract each pair's margin)");
        return new RewardLoss(m == 1, params.getOrDefault("center_rewards_coefficient", 0.0), params.getOrDefault("label_smoothing", 0.0));
    }

    /** The parameters {@link #fromParams} reads back to this loss. */
    public Map<String, Double> toParams() {
        Map<String, Double> m = new TreeMap<>();
        m.put("margin", useMargin ? 1.0 : 0.0);
        m.put("center_rewards_coefficient", centerRewardsCoefficient);
        m.put("label_smoothing", labelSmoothing);
        return m;
    }

    private double margin(TrainExample e) {
        return marginOf(e.margin());
    }

    @Override
    public double normaliser(List<TrainExample> groups) {
        double s = 0;
        for (TrainExample e : groups) s += e.weight();
        return s;
    }

    /** One pair's ℓ_i in double precision (the twin of the tensor form). */
    public double pairLoss(double chosen, double rejected, double margin) {
        return pairLoss(chosen, rejected, margin, null);
    }

    /**
     * One pair's ℓ_i in double precision, and when {@code d} is not null its derivatives ∂ℓ/∂r_c into {@code d[0]} and
     * ∂ℓ/∂r_r into {@code d[1]}: with ∂ℓ/∂u = −(1−ε) σ(−u) + ε σ(u), ∂ℓ/∂r_c = ∂ℓ/∂u + 2η(r_c + r_r) and
     * ∂ℓ/∂r_r = −∂ℓ/∂u + 2η(r_c + r_r). The hand-written backward of the embedding reward heads (prefer-reward) starts here.
     */
    public double pairLoss(double chosen, double rejected, double margin, double[] d) {
        double u = chosen - rejected - margin;
        double sum = chosen + rejected;
        if (d != null) {
            double du = -(1 - labelSmoothing) * Num.sigmoid(-u) + labelSmoothing * Num.sigmoid(u);
            d[0] = du + 2 * centerRewardsCoefficient * sum;
            d[1] = -du + 2 * centerRewardsCoefficient * sum;
        }
        return -(1 - labelSmoothing) * Num.logSigmoid(u) - labelSmoothing * Num.logSigmoid(-u) + centerRewardsCoefficient * sum * sum;
    }

    /** The margin of a pair as this loss uses it: the pair's own when {@link #useMargin} and present, else 0. */
    public double marginOf(Double pairMargin) {
        return useMargin && pairMargin != null ? pairMargin : 0.0;
    }

    /**
     * The loss on a preference logit s alone (a model without per-response rewards, e.g. a pairwise head: no
     * centering term): −(1−ε) log σ(s−m) − ε log σ(−(s−m)); {@code d[0]} = ∂ℓ/∂s when d is not null.
     */
    public double logitLoss(double s, double margin, double[] d) {
        double u = s - margin;
        if (d != null) d[0] = -(1 - labelSmoothing) * Num.sigmoid(-u) + labelSmoothing * Num.sigmoid(u);
        return -(1 - labelSmoothing) * Num.logSigmoid(u) - labelSmoothing * Num.logSigmoid(-u);
    }

    @Override
    public Out compute(NDManager step, NDArray sums, NDArray tokens, List<TrainExample> groups, List<double[]> ref, DataType type) {
        int b = groups.size();
        for (TrainExample e : groups) {
            if (e.k() != 2) throw new IllegalArgumentException("a reward model trains on pairs (got a group of " + e.k() + " responses)");
        }
        double[] w = new double[b], m = new double[b];
        for (int g = 0; g < b; g++) {
            w[g] = groups.get(g).weight();
            m[g] = margin(groups.get(g));
        }
        NDArray r = sums.reshape(b, 2); // (B, 2): chosen, rejected
        NDArray rc = r.get(":, 0"), rr = r.get(":, 1"); // (B)
        NDArray wa = step.create(w, new Shape(b)).toType(r.getDataType(), false); // (B)
        NDArray ma = step.create(m, new Shape(b)).toType(r.getDataType(), false); // (B)
        NDArray u = rc.sub(rr).sub(ma); // (B)
        NDArray l = Num.logSigmoid(u).mul(Num.scalar(u, -(1 - labelSmoothing))); // (B); engine-owned operands: Num.scalar
        if (labelSmoothing > 0) l = l.sub(Num.logSigmoid(u.neg()).mul(Num.scalar(u, labelSmoothing)));
        if (centerRewardsCoefficient > 0) l = l.add(rc.add(rr).square().mul(Num.scalar(u, centerRewardsCoefficient)));
        NDArray loss = l.mul(wa).sum().div(Num.scalar(l, normaliser(groups)));
        return new Out(loss, () -> metrics(r.stopGradient().toType(DataType.FLOAT64, false).toDoubleArray()));
    }

    /**
     * TRL's reward metrics of a batch from its rewards (chosen, rejected interleaved): accuracy = share with
     * r_c &gt; r_r, the mean margin r_c − r_r, the mean reward over both responses, and the means of each side.
     */
    static Map<String, Double> metrics(double[] interleaved) {
        int b = interleaved.length / 2;
        double acc = 0, margin = 0, c = 0, rj = 0;
        for (int g = 0; g < b; g++) {
            double rc = interleaved[2 * g], rr = interleaved[2 * g + 1];
            acc += rc > rr ? 1 : 0;
            margin += rc - rr;
            c += rc;
            rj += rr;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("rewards/accuracies", acc / b);
        out.put("rewards/margins", margin / b);
        out.put("rewards/mean", (c + rj) / (2 * b));
        out.put("rewards/chosen", c / b);
        out.put("rewards/rejected", rj / b);
        return out;
    }

    @Override
    public double hostLoss(List<TrainExample> groups, List<double[]> policy, List<double[]> ref) {
        double num = 0;
        for (int g = 0; g < groups.size(); g++) {
            TrainExample e = groups.get(g);
            num += e.weight() * pairLoss(policy.get(g)[0], policy.get(g)[1], margin(e));
        }
        return num / normaliser(groups);
    }
}
