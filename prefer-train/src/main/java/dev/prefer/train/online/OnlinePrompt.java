package dev.prefer.train.online;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One prompt of an online run: the text the policy continues and the row's other fields, which reward functions
 * read (e.g. a reference answer).
 */
public record OnlinePrompt(String prompt, Map<String, Object> fields) {
    public OnlinePrompt {
        Objects.requireNonNull(prompt, "prompt");
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields == null ? Map.of() : fields));
    }

    public static OnlinePrompt of(String prompt) {
        return new OnlinePrompt(prompt, Map.of());
    }
}
