package dev.prefer.train.online;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One prompt of an online run: the text the policy continues, the row's other fields, which reward functions read
 * (e.g. a reference answer), and optionally its token ids (null: the policy's tokenizer encodes the text; given: used
 * as they are, e.g. for a model without a tokenizer in benchmarks).
 */
public record OnlinePrompt(String prompt, Map<String, Object> fields, long[] promptIds) {
    public OnlinePrompt {
        Objects.requireNonNull(prompt, "prompt");
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields == null ? Map.of() : fields));
        if (promptIds != null) {
            if (promptIds.length == 0) throw new IllegalArgumentException("prompt ids must not be empty");
            promptIds = promptIds.clone();
        }
    }

    /** A text prompt with fields. */
    public OnlinePrompt(String prompt, Map<String, Object> fields) {
        this(prompt, fields, null);
    }

    public static OnlinePrompt of(String prompt) {
        return new OnlinePrompt(prompt, Map.of(), null);
    }

    /** A prompt given as token ids (its text is empty for the reward functions). */
    public static OnlinePrompt ofIds(long[] ids) {
        return new OnlinePrompt("", Map.of(), ids);
    }

    @Override
    public long[] promptIds() {
        return promptIds == null ? null : promptIds.clone();
    }
}
