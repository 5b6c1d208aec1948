package dev.prefer.data;

import java.util.Map;
import java.util.Objects;

/**
 * One pairwise preference: for {@code prompt}, {@code chosen} was preferred over {@code rejected}
 * (TRL's standard format). Conversational rows are rendered to these strings with the checkpoint's chat template
 * before they get here.
 *
 * @param margin     optional preference strength (e.g. a score difference), null when absent
 * @param weight     per-row weight, 1 by default, finite and non-negative
 * @param annotator  who judged it, null when unknown
 * @param attributes optional named attribute scores (e.g. helpfulness), empty when absent
 * @param source     file and line of the row
 */
public record PreferencePair(String prompt, String chosen, String rejected, Double margin, double weight,
                             String annotator, Map<String, Double> attributes, Source source) {
    public PreferencePair {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
        if (!(weight >= 0) || Double.isInfinite(weight)) throw new IllegalArgumentException("weight must be finite and >= 0: " + weight);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        source = source == null ? Source.MEMORY : source;
    }

    /** A plain pair with weight 1 and no extras. */
    public static PreferencePair of(String prompt, String chosen, String rejected) {
        return new PreferencePair(prompt, chosen, rejected, null, 1.0, null, Map.of(), Source.MEMORY);
    }
}
