package dev.prefer.reward.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scores the K completions of one prompt together, so that group-relative methods (GRPO, RLOO), pairwise judges
 * and Pref-GRPO's win rates all fit one shape. The online trainers and {@code prefer score --reward} call it.
 * Implementations: {@link VerifierSource} (the built-in verifiers), {@link ModelSource} (reward models with a
 * per-response reward: MiniLM heads and LM score heads), {@link PairwiseModelSource} (pairwise preference
 * models turned into within-group win rates), {@link JudgeSource} (an LLM judge over an OpenAI-compatible
 * endpoint) and {@link WeightedSum} (TRL's {@code reward_funcs} with {@code reward_weights}).
 * {@link RewardSources#open} builds any of them from a spec string.
 *
 * <pre>{@code
 * try (RewardSource r = RewardSources.open(List.of("verifier:arithmetic", "0.5*model:runs/rm"), null, RewardSources.Options.defaults())) {
 *     double[] rewards = r.score("12+35=", List.of("47", "46", "47 and more"), Map.of());
 * }
 * }</pre>
 */
public interface RewardSource extends AutoCloseable {

    /** The source's name in metrics: its spec without a weight, e.g. {@code verifier:arithmetic}. */
    String name();

    /** Scores one group. */
    GroupScores score(Group group);

    /**
     * Scores many groups; sources that run a model or call an endpoint override it to batch or overlap the work
     * across groups. The result is in input order.
     */
    default List<GroupScores> scoreAll(List<Group> groups) {
        List<GroupScores> out = new ArrayList<>(groups.size());
        for (Group g : groups) out.add(score(g));
        return out;
    }

    /** One reward per completion (the trainers' call). */
    default double[] score(String prompt, List<String> completions, Map<String, Object> rowFields) {
        return score(new Group(prompt, completions, rowFields)).rewards();
    }

    /**
     * Running counts of what the source did (an LLM judge: requests, cache hits, retries, malformed answers),
     * each named {@code name/counter}; empty for sources without any.
     */
    default Map<String, Long> counters() {
        return Map.of();
    }

    @Override
    default void close() {}
}
