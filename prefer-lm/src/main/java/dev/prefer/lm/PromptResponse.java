package dev.prefer.lm;

import java.util.Objects;

/** A prompt and one response to it, as text. */
public record PromptResponse(String prompt, String response) {
    public PromptResponse {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(response, "response");
    }
}
