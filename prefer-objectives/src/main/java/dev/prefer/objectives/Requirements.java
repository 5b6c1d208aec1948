package dev.prefer.objectives;

import java.util.List;

/**
 * What an objective needs from the trainer, so that the trainer never asks for a loss by name.
 *
 * @param reference          reference-model log-probs are needed (false: the trainer can skip the reference model)
 * @param layout             how responses are grouped in a batch
 * @param klSamples          log-probs of mismatched (prompt, response) pairs are wanted for a KL estimate (KTO)
 * @param scorePromptTokens  sequence log-probs include the prompt tokens (DOVE's joint distribution)
 * @param attributes         names of per-row attribute values to supply, in order (MODPO); empty when none
 */
public record Requirements(boolean reference, Layout layout, boolean klSamples, boolean scorePromptTokens,
                           List<String> attributes) {
    public Requirements {
        attributes = List.copyOf(attributes);
    }

    public static Requirements pairs(boolean reference) {
        return new Requirements(reference, Layout.PAIRS, false, false, List.of());
    }

    public static Requirements lists() {
        return new Requirements(true, Layout.LISTS, false, false, List.of());
    }
}
