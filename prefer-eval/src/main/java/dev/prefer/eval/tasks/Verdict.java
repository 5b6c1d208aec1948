package dev.prefer.eval.tasks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a verifier says about one response.
 *
 * @param score      the scalar used to rank responses (higher is better), in [0, 1]
 * @param pass       whether the response counts as correct for verifier accuracy
 * @param components named sub-scores in [0, 1], in a stable order: one per constraint for the format task,
 *                   {@code correctness} and {@code brevity} for the two-objective task
 */
public record Verdict(double score, boolean pass, Map<String, Double> components) {
    public Verdict {
        if (!(score >= 0 && score <= 1)) throw new IllegalArgumentException("score must be in [0, 1]: " + score);
        Objects.requireNonNull(components, "components");
        components = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(components));
    }

    /** A pass/fail verdict with a single component of the given name. */
    public static Verdict binary(String name, boolean pass) {
        return new Verdict(pass ? 1 : 0, pass, Map.of(name, pass ? 1.0 : 0.0));
    }
}
