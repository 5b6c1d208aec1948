package dev.prefer.objectives.online;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Advantages of the online methods, in double precision (they carry no gradient; a trainer computes them once per
 * generation batch). Rewards are flattened group-major: the G completions of prompt p are rows p·G … p·G + G − 1.
 * A NaN reward marks a completion its reward source could not score; as in TRL it is left out of means and standard
 * deviations and gets advantage 0. Standard deviations are Bessel-corrected, as TRL's {@code nanstd}.
 */
public final class Advantages {
    private Advantages() {}

    /** GRPO's {@code scale_rewards}: the standard deviation advantages are divided by. */
    public enum ScaleRewards {
        /** std within each group (GRPO, DeepSeekMath arXiv 2402.03300). */
        GROUP,
        /** std over the whole batch (TRL's "batch"). */
        BATCH,
        /** no division: Dr. GRPO (Liu et al. 2025, arXiv 2503.20783) */
        NONE
    }

    /** The order in which several weighted reward functions are combined (TRL {@code multi_objective_aggregation}). */
    public enum Aggregation {
        /** r = Σ_k w_k r_k, then group normalisation with {@link ScaleRewards}. */
        SUM_THEN_NORMALIZE,
        /** GDPO: each r_k normalised within its group, weighted sum, then normalised over the batch. */
        NORMALIZE_THEN_SUM
    }

    /**
     * Advantages with TRL's logged metrics.
     *
     * @param advantages one per completion
     * @param metrics    {@code reward}, {@code reward_std}, {@code rewards/NAME/mean}, {@code rewards/NAME/std},
     *                   {@code frac_reward_zero_std}
     */
    public record Result(double[] advantages, Map<String, Double> metrics) {
        public Result {
            advantages = advantages.clone();
            metrics = Map.copyOf(metrics);
        }
    }

    /**
     * GRPO's group-relative advantages of one reward per completion (TRL grpo_trainer.py @f2cd577 L2681-2708):
     * <pre>  A_i = (r_i − mean_group(r)) / (std(r) + 1e-4)</pre>
     * with std over the group, over the batch, or no division ({@link ScaleRewards#NONE}: A_i = r_i − mean_group).
     */
    public static Result grpo(double[] rewards, int groupSize, ScaleRewards scale) {
        double[][] perFunc = new double[rewards.length][];
        for (int i = 0; i < rewards.length; i++) perFunc[i] = new double[] {rewards[i]};
        return grpo(perFunc, List.of("reward"), new double[] {1.0}, groupSize, scale, Aggregation.SUM_THEN_NORMALIZE);
    }

    /**
     * GRPO's advantages of several reward functions ({@code rewardsPerFunc[i][k]}, NaN where function k does not
     * score completion i) with weights w_k, in either aggregation order (TRL grpo_trainer.py L2681-2728):
     * <ul>
     *   <li>{@link Aggregation#SUM_THEN_NORMALIZE}: r_i = Σ_k w_k r_ik (NaN terms skipped; NaN when every term is
     *       NaN), then {@link #grpo(double[], int, ScaleRewards)}'s normalisation;</li>
     *   <li>{@link Aggregation#NORMALIZE_THEN_SUM}: r̃_ik = (r_ik − mean_group r_k)/(std_group r_k + 1e-4),
     *       r_i = Σ_k w_k r̃_ik, A_i = (r_i − mean_batch r)/(std_batch r + 1e-4) ({@code scale} is not used).</li>
     * </ul>
     */
    public static Result grpo(double[][] rewardsPerFunc, List<String> names, double[] weights, int groupSize,
                              ScaleRewards scale, Aggregation aggregation) {
        int n = rewardsPerFunc.length;
        int f = weights.length;
        checkGroups(n, groupSize);
        if (names.size() != f) throw new IllegalArgumentException(names.size() + " reward names for " + f + " weights");
        for (int i = 0; i < n; i++)
            if (rewardsPerFunc[i].length != f) throw new IllegalArgumentException("rewardsPerFunc[" + i + "] has " + rewardsPerFunc[i].length + " values, expected " + f);
        boolean[] unscorable = new boolean[n];
        double[] summed = new double[n];
        for (int i = 0; i < n; i++) {
            boolean any = false;
            for (int k = 0; k < f; k++) {
                if (!Double.isNaN(rewardsPerFunc[i][k])) {
                    summed[i] += weights[k] * rewardsPerFunc[i][k];
                    any = true;
                }
            }
            unscorable[i] = !any;
            if (!any) summed[i] = Double.NaN;
        }
        double[] adv = new double[n];
        double[] std = new double[n];
        if (aggregation == Aggregation.SUM_THEN_NORMALIZE) {
            double batchStd = scale == ScaleRewards.BATCH ? (n > 1 ? nanStd(summed, 0, n) : 0) : 0;
            for (int g = 0; g < n / groupSize; g++) {
                int from = g * groupSize, to = from + groupSize;
                double mean = nanMean(summed, from, to);
                double s = scale == ScaleRewards.BATCH ? batchStd : (groupSize > 1 ? nanStd(summed, from, to) : 0);
                for (int i = from; i < to; i++) {
                    std[i] = s;
                    adv[i] = summed[i] - mean;
                    if (scale != ScaleRewards.NONE) adv[i] /= s + 1e-4;
                }
            }
        } else {
            double[] combined = new double[n];
            double[] column = new double[n];
            for (int k = 0; k < f; k++) {
                for (int i = 0; i < n; i++) column[i] = rewardsPerFunc[i][k];
                for (int g = 0; g < n / groupSize; g++) {
                    int from = g * groupSize, to = from + groupSize;
                    double mean = nanMean(column, from, to);
                    double s = groupSize > 1 ? nanStd(column, from, to) : 0;
                    for (int i = from; i < to; i++) {
                        double term = weights[k] * (column[i] - mean) / (s + 1e-4);
                        if (!Double.isNaN(term)) combined[i] += term; // nansum over functions
                    }
                }
            }
            for (int i = 0; i < n; i++) if (unscorable[i]) combined[i] = Double.NaN;
            double mean = nanMean(combined, 0, n);
            double s = n > 1 ? nanStd(combined, 0, n) : 0;
            for (int i = 0; i < n; i++) {
                std[i] = s;
                adv[i] = (combined[i] - mean) / (s + 1e-4);
            }
        }
        int zero = 0;
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(adv[i])) adv[i] = 0; // unscorable completions carry no signal
            if (Math.abs(std[i]) <= 1e-8) zero++; // torch.isclose(std, 0): |std| <= atol 1e-8
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("reward", nanMean(summed, 0, n));
        m.put("reward_std", nanStd(summed, 0, n));
        double[] column = new double[n];
        for (int k = 0; k < f; k++) {
            for (int i = 0; i < n; i++) column[i] = rewardsPerFunc[i][k];
            m.put("rewards/" + names.get(k) + "/mean", nanMean(column, 0, n));
            m.put("rewards/" + names.get(k) + "/std", nanStd(column, 0, n));
        }
        m.put("frac_reward_zero_std", (double) zero / n);
        return new Result(adv, m);
    }

    /**
     * RLOO's leave-one-out advantages (Ahmadian et al. 2024, arXiv 2402.14740; TRL rloo_trainer.py @f2cd577
     * L1537-1560): <pre>  A_i = r_i − (1/(G−1)) Σ_{j≠i, same group} r_j</pre> then, with {@code normalize}, over the
     * batch: (A − mean A)/(std A + 1e-4). Needs G ≥ 2. NaN rewards are left out of the baselines (divisor: scorable
     * siblings) and get advantage 0. For TRL's KL-in-the-reward, pass {@link #klShapedRewards} as rewards.
     */
    public static double[] rloo(double[] rewards, int groupSize, boolean normalize) {
        checkGroups(rewards.length, groupSize);
        if (groupSize < 2) throw new IllegalArgumentException("RLOO needs at least 2 completions per prompt, got " + groupSize);
        int n = rewards.length;
        double[] adv = new double[n];
        for (int g = 0; g < n / groupSize; g++) {
            int from = g * groupSize, to = from + groupSize;
            double sum = 0;
            int count = 0;
            for (int i = from; i < to; i++) if (!Double.isNaN(rewards[i])) {
                sum += rewards[i];
                count++;
            }
            for (int i = from; i < to; i++) adv[i] = rewards[i] - (sum - rewards[i]) / (count - 1);
        }
        if (normalize) {
            double mean = nanMean(adv, 0, n), s = nanStd(adv, 0, n);
            for (int i = 0; i < n; i++) adv[i] = (adv[i] - mean) / (s + 1e-4);
        }
        for (int i = 0; i < n; i++) if (!Double.isFinite(adv[i])) adv[i] = 0;
        return adv;
    }

    /**
     * TRL RLOO's KL penalty in the reward (rloo_trainer.py L1526-1535): r_i − β Σ_t m_t (ℓ_old,t − ℓ_ref,t), with the
     * first-order (k1) per-token estimate of the sampling policy's log-probs, (B, T) row-major.
     */
    public static double[] klShapedRewards(double[] rewards, double[] oldLogps, double[] refLogps, double[] mask, int t, double beta) {
        int b = rewards.length;
        checkBt(b, t, oldLogps, refLogps, mask);
        double[] out = new double[b];
        for (int i = 0; i < b; i++) {
            double kl = 0;
            for (int j = 0; j < t; j++) kl += mask[i * t + j] * (oldLogps[i * t + j] - refLogps[i * t + j]);
            out[i] = rewards[i] - beta * kl;
        }
        return out;
    }

    /** The per-token KL estimator of REINFORCE++'s reward (OpenRLHF {@code compute_approx_kl}). */
    public enum KlEstimator {
        /** log π_old/π_ref */
        K1,
        /** (log π_old/π_ref)² / 2 */
        K2,
        /** π_ref/π_old − 1 − log π_ref/π_old */
        K3
    }

    /**
     * REINFORCE++ per-token advantages (Hu et al. 2025, "REINFORCE++", arXiv 2501.03262), as OpenRLHF computes them
     * (openrlhf/trainer/ppo_utils/experience_maker.py @3c3be62 L264-327 with models/utils.py L64-126):
     * <ol>
     *   <li>with {@code baseline} ("REINFORCE++-baseline", {@code reinforce_baseline}): r_i ← r_i − mean_group r;</li>
     *   <li>per-token reward: the sequence reward at the last active token, minus klCoef · KL_t at every token, with
     *       KL_t the chosen estimator of log π_old,t − log π_ref,t clamped to [−10, 10];</li>
     *   <li>returns G_t = Σ_{s≥t} reward_s (γ = 1);</li>
     *   <li>whitening over every active token of the batch: A_t = (G_t − mean)/sqrt(max(var, 1e-8)), population
     *       variance.</li>
     * </ol>
     * Returns (B, T) row-major; masked positions are 0. Use with {@link GrpoLoss#reinforcePlusPlus}.
     */
    public static double[] reinforcePlusPlus(double[] rewards, double[] oldLogps, double[] refLogps, double[] mask, int t,
                                             int groupSize, double klCoef, KlEstimator estimator, boolean baseline) {
        int b = rewards.length;
        checkBt(b, t, oldLogps, refLogps, mask);
        double[] r = rewards.clone();
        if (baseline) {
            checkGroups(b, groupSize);
            for (int g = 0; g < b / groupSize; g++) {
                double mean = 0;
                for (int i = g * groupSize; i < (g + 1) * groupSize; i++) mean += rewards[i];
                mean /= groupSize;
                for (int i = g * groupSize; i < (g + 1) * groupSize; i++) r[i] = rewards[i] - mean;
            }
        }
        double kc = Math.max(klCoef, 0);
        double[] ret = new double[b * t];
        double sum = 0, count = 0;
        for (int i = 0; i < b; i++) {
            int last = -1;
            for (int j = 0; j < t; j++) if (mask[i * t + j] > 0.5) last = j;
            double c = 0;
            for (int j = t - 1; j >= 0; j--) {
                double m = mask[i * t + j];
                double lr = oldLogps[i * t + j] - refLogps[i * t + j];
                double kl = switch (estimator) {
                    case K1 -> lr;
                    case K2 -> lr * lr / 2;
                    case K3 -> Math.exp(-lr) - 1 + lr;
                };
                kl = Math.max(-10, Math.min(10, kl));
                double reward = ((j == last ? r[i] : 0) - kc * kl) * m;
                c += reward;
                ret[i * t + j] = c;
                sum += m * c;
                count += m;
            }
        }
        if (count == 0) throw new IllegalArgumentException("REINFORCE++ needs at least one active token");
        double mean = sum / count, var = 0;
        for (int i = 0; i < b * t; i++) var += mask[i] * (ret[i] - mean) * (ret[i] - mean);
        var /= count;
        double rstd = 1 / Math.sqrt(Math.max(var, 1e-8));
        double[] adv = new double[b * t];
        for (int i = 0; i < b * t; i++) adv[i] = mask[i] * (ret[i] - mean) * rstd;
        return adv;
    }

    // ---------------------------------------------------------------- helpers

    static void checkGroups(int n, int groupSize) {
        if (groupSize < 1) throw new IllegalArgumentException("group size must be >= 1, got " + groupSize);
        if (n == 0 || n % groupSize != 0) throw new IllegalArgumentException(n + " completions are not whole groups of " + groupSize);
    }

    private static void checkBt(int b, int t, double[]... arrays) {
        for (double[] a : arrays)
            if (a.length != b * t) throw new IllegalArgumentException("per-token arrays must have B*T = " + b * t + " values, got " + a.length);
    }

    static double nanMean(double[] x, int from, int to) {
        double s = 0;
        int c = 0;
        for (int i = from; i < to; i++) if (!Double.isNaN(x[i])) {
            s += x[i];
            c++;
        }
        return c == 0 ? Double.NaN : s / c;
    }

    /** Bessel-corrected std ignoring NaNs; NaN with fewer than 2 values (TRL nanstd). */
    static double nanStd(double[] x, int from, int to) {
        double mean = nanMean(x, from, to);
        double s = 0;
        int c = 0;
        for (int i = from; i < to; i++) if (!Double.isNaN(x[i])) {
            s += (x[i] - mean) * (x[i] - mean);
            c++;
        }
        return c > 1 ? Math.sqrt(s / c * c / (c - 1)) : Double.NaN;
    }
}
