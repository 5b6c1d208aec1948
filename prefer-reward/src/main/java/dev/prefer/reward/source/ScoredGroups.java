package dev.prefer.reward.source;

import dev.prefer.eval.tasks.ScoredResponses;
import java.util.ArrayList;
import java.util.List;

/**
 * Reward-source scores as on-policy preference data: one {@link ScoredResponses} per group, the form the
 * quickstart's rounds hand to {@link dev.prefer.eval.tasks.PairBuilder} (best-vs-worst or all pairs, margin = reward
 * gap) and to ranked lists. With it, a quickstart-style round samples K completions per prompt, scores them with
 * any source (verifier, reward model, pairwise win rates, LLM judge, weighted sum) and builds pairs the same way.
 * Completions whose reward is NaN (a source declined them) are left out.
 */
public final class ScoredGroups {
    private ScoredGroups() {}

    /** Scores all groups with one {@link RewardSource#scoreAll} call. */
    public static List<ScoredResponses> of(RewardSource source, List<Group> groups) {
        List<GroupScores> s = source.scoreAll(groups);
        List<ScoredResponses> out = new ArrayList<>(groups.size());
        for (int i = 0; i < groups.size(); i++) out.add(of(groups.get(i), s.get(i)));
        return out;
    }

    /** One group with its scores. */
    public static ScoredResponses of(Group group, GroupScores scores) {
        if (scores.size() != group.size()) throw new IllegalArgumentException(scores.size() + " rewards for " + group.size() + " completions");
        List<String> responses = new ArrayList<>();
        List<Double> rewards = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            double r = scores.rewards()[i];
            if (Double.isNaN(r)) continue;
            responses.add(group.completions().get(i));
            rewards.add(r);
        }
        return new ScoredResponses(group.prompt(), responses, rewards);
    }
}
