package dev.prefer.data.pref;

import dev.prefer.data.Source;
import java.util.Map;
import java.util.Objects;

/**
 * One response judged on its own (TRL's unpaired preference format, used by KTO and BCO): {@code label} true
 * means desirable.
 */
public record UnpairedExample(String prompt, String completion, boolean label, double weight, String annotator,
                              Map<String, Double> attributes, Source source) {
    public UnpairedExample {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(completion, "completion");
        if (!(weight >= 0) || Double.isInfinite(weight)) throw new IllegalArgumentException("weight must be finite and >= 0: " + weight);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        source = source == null ? Source.MEMORY : source;
    }

    public static UnpairedExample of(String prompt, String completion, boolean label) {
        return new UnpairedExample(prompt, completion, label, 1.0, null, Map.of(), Source.MEMORY);
    }
}
