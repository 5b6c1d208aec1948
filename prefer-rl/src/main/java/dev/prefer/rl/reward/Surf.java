package dev.prefer.rl.reward;

import dev.prefer.rl.policy.SegmentData;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * SURF (Park et al. 2022, "SURF: Semi-supervised Reward Learning with Data Augmentation for Feedback-efficient
 * Preference-based RL"), as alinlab/SURF {@code reward_model_semi_dataaug.py}: segments are drawn {@code window}
 * steps longer on each side than the labelled length H, and the teacher labels the central H steps
 * ({@code get_label}, {@code dataaug_window}); every feedback round also stores {@code invLabelRatio} times as many
 * unlabelled pairs ({@code put_unlabeled_queries}); each reward-training step adds, per member, the cross-entropy on
 * {@code mu} times the labelled batch of unlabelled pairs with the member's own confident predictions as targets
 * (pseudo-labels from the central H steps, kept when max(P, 1 - P) >= {@code threshold}, the loss averaged over the
 * whole unlabelled batch and weighted by {@code lambdaU}: {@code semi_train_reward}); labelled and unlabelled pairs
 * are both seen through temporal crops, a length H' uniform in [H - cropRange, H + cropRange] at independent start
 * offsets in the two segments ({@code get_cropping_mask}).
 */
public record Surf(int window, int cropRange, double threshold, double lambdaU, int invLabelRatio, int mu) {
    public Surf {
        if (window < 0 || cropRange < 0 || cropRange > 2 * window || !(threshold >= 0.5 && threshold <= 1) || lambdaU < 0 || invLabelRatio < 0 || mu < 1) {
            throw new IllegalArgumentException("SURF: bad config window " + window + ", crop range " + cropRange + ", threshold " + threshold
                    + ", lambda_u " + lambdaU + ", ratio " + invLabelRatio + ", mu " + mu);
        }
    }

    /**
     * The reference's defaults (threshold 0.95, lambda_u 1, mu 1, 10 unlabelled pairs per label) with the window and
     * crop range scaled from its 5 steps to this module's short segments (2 steps).
     */
    public static Surf defaults() {
        return new Surf(2, 2, 0.95, 1.0, 10, 1);
    }

    /** The central {@code h} steps of an extended segment (what the teacher sees). */
    public SegmentData center(SegmentData s, int h) {
        return crop(s, (s.length() - h) / 2, h);
    }

    public static SegmentData crop(SegmentData s, int start, int len) {
        if (start < 0 || start + len > s.length()) {
            throw new IllegalArgumentException("SURF: crop [" + start + ", " + (start + len) + ") of a segment of length " + s.length());
        }
        double[][] o = new double[len][];
        int[] a = new int[len];
        double[][] r = new double[len][];
        for (int t = 0; t < len; t++) {
            o[t] = s.obs()[start + t];
            a[t] = s.actions()[start + t];
            r[t] = s.rewards()[start + t];
        }
        return new SegmentData(o, a, r);
    }

    /** The pair seen through one random temporal crop: the same length H' in both, independent offsets. */
    RewardEnsemble.Pair cropped(SegmentData a, SegmentData b, double y, int h, Random rng) {
        int len = h - cropRange + rng.nextInt(2 * cropRange + 1);
        len = Math.max(1, Math.min(len, Math.min(a.length(), b.length())));
        return new RewardEnsemble.Pair(crop(a, rng.nextInt(a.length() - len + 1), len), crop(b, rng.nextInt(b.length() - len + 1), len), y);
    }

    /**
     * One member's SURF loss on a labelled and an unlabelled minibatch of extended segments (labelled length h), adding
     * its gradient into grad (may be null): mean CE on cropped labelled pairs + lambdaU * (sum over confident unlabelled
     * pairs of CE on their crops with the pseudo-label) / (unlabelled batch size). Crops are drawn from rng; the
     * pseudo-labels are constants (no gradient through them), as the reference's {@code torch.no_grad()}.
     */
    public double lossAndGradient(RewardEnsemble model, int member, List<RewardEnsemble.Pair> labelled, List<SegmentData[]> unlabelled, int h,
                                  double[] grad, Random rng) {
        List<RewardEnsemble.Pair> l = new ArrayList<>(labelled.size());
        for (RewardEnsemble.Pair p : labelled) {
            l.add(cropped(p.first(), p.second(), p.y(), h, rng));
        }
        double loss = l.isEmpty() ? 0 : model.lossAndGradient(member, l, grad);
        if (unlabelled.isEmpty() || lambdaU == 0) {
            return loss;
        }
        List<RewardEnsemble.Pair> u = new ArrayList<>();
        for (SegmentData[] pair : unlabelled) {
            double p = model.probability(member, center(pair[0], h), center(pair[1], h));
            RewardEnsemble.Pair c = cropped(pair[0], pair[1], p >= 0.5 ? 1 : 0, h, rng);     // crops drawn for every pair, as the reference
            if (Math.max(p, 1 - p) >= threshold) {
                u.add(c);
            }
        }
        if (u.isEmpty()) {
            return loss;
        }
        double scale = lambdaU * u.size() / unlabelled.size();
        double[] g = grad == null ? null : new double[grad.length];
        loss += scale * model.lossAndGradient(member, u, g);
        if (grad != null) {
            for (int i = 0; i < grad.length; i++) {
                grad[i] += scale * g[i];
            }
        }
        return loss;
    }
}
