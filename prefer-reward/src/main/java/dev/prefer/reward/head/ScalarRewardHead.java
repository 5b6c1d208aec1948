package dev.prefer.reward.head;

/**
 * A head that gives each response one number, usable for best-of-n reranking. For the Bradley-Terry family the
 * preference logit is the reward difference; mixture heads (MiCRo) document how their score relates to their logit.
 */
public interface ScalarRewardHead extends PreferenceHead {
    double reward(double[] context, double[] y, String annotator);
}
