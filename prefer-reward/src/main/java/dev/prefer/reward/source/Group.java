package dev.prefer.reward.source;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One prompt and the K completions sampled for it, scored together, with the other fields of its data row (TRL
 * passes a dataset's extra columns to its reward functions as keyword arguments; a rubric can use them as
 * {@code {field}} placeholders).
 *
 * @param prompt      the prompt text the completions continue
 * @param completions the K completions (K >= 1), without the prompt
 * @param fields      the row's other fields (never null; may be empty)
 */
public record Group(String prompt, List<String> completions, Map<String, Object> fields) {
    public Group {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(completions, "completions");
        if (completions.isEmpty()) throw new IllegalArgumentException("a group needs at least one completion");
        for (String c : completions) Objects.requireNonNull(c, "completion");
        completions = List.copyOf(completions);
        fields = fields == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public Group(String prompt, List<String> completions) {
        this(prompt, completions, Map.of());
    }

    /** K, the number of completions. */
    public int size() {
        return completions.size();
    }
}
