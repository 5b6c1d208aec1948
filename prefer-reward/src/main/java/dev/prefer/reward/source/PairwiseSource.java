package dev.prefer.reward.source;

/**
 * A source that compares completions two at a time. Its reward is each completion's within-group win rate
 * (Pref-GRPO: Wang et al. 2025, "Pref-GRPO: Pairwise Preference Reward-based GRPO", the mean over the other K − 1
 * completions of P(i ≻ j)); {@link GroupScores#winProbabilities()} carries the whole K x K matrix.
 */
public interface PairwiseSource extends RewardSource {

    /** P[i][j] = P(completion i ≻ completion j), with P[i][j] + P[j][i] = 1 and 1/2 on the diagonal. */
    double[][] winProbabilities(Group group);

    @Override
    default GroupScores score(Group group) {
        double[][] p = winProbabilities(group);
        return GroupScores.of(name(), GroupScores.winRates(p), null, p);
    }
}
