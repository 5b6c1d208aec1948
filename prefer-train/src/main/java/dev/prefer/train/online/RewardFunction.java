package dev.prefer.train.online;

import java.util.List;
import java.util.Map;

/**
 * A reward source of the online trainers: scores the K completions of one prompt together (a verifier scores each
 * alone, a pairwise judge compares them). The minimal interface of the online trainer; richer reward sources
 * (reward models, judges, weighted sums) adapt to it.
 *
 * <pre>{@code
 * RewardFunction hasA = RewardFunction.of("has_a", (prompt, completion) -> completion.contains("a") ? 1 : 0);
 * }</pre>
 */
public interface RewardFunction {
    /** Short name: the metric {@code rewards/NAME/mean} is logged under it. */
    String name();

    /**
     * One score per completion (higher is better; NaN: this source cannot score that completion, which then gets
     * advantage 0 unless another source scores it).
     *
     * @param prompt      the prompt text as the model saw it
     * @param completions the K completions, decoded without special tokens
     * @param fields      the prompt row's other fields (e.g. a reference answer), never null
     */
    double[] score(String prompt, List<String> completions, Map<String, Object> fields);

    /**
     * Scores and, for a pairwise source, the K x K matrix P[i][j] = P(completion i preferred to j) that the Nash and
     * self-play methods read (null for pointwise sources: the trainer then takes σ(r_i − r_j) of the rewards).
     */
    record Scored(double[] rewards, double[][] winProbabilities) {}

    /** {@link #score} with the win matrix of a pairwise source; the default has none. */
    default Scored scoreGroup(String prompt, List<String> completions, Map<String, Object> fields) {
        return new Scored(score(prompt, completions, fields), null);
    }

    /**
     * Settings that change this source's scores beyond its name, recorded in the run's config, checkpoints and
     * manifest (e.g. {@code precision: BF16} for a reward model run in bfloat16); empty (the default) when it runs as
     * by default. A resume with other settings is refused, as for any other config change.
     */
    default Map<String, Object> provenance() {
        return Map.of();
    }

    /** A pointwise reward: each completion scored alone. */
    static RewardFunction of(String name, java.util.function.ToDoubleBiFunction<String, String> pointwise) {
        return new RewardFunction() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public double[] score(String prompt, List<String> completions, Map<String, Object> fields) {
                double[] s = new double[completions.size()];
                for (int i = 0; i < s.length; i++) s[i] = pointwise.applyAsDouble(prompt, completions.get(i));
                return s;
            }
        };
    }
}
