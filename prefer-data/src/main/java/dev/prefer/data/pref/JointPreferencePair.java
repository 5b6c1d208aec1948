package dev.prefer.data.pref;

import dev.prefer.data.Source;
import java.util.Map;
import java.util.Objects;

/**
 * A preference between two (prompt, response) pairs whose prompts may differ: (promptChosen, chosen) ≻
 * (promptRejected, rejected), as DOVE learns from (Bansal et al. 2024, arXiv 2404.00530). JSONL fields
 * {@code prompt_chosen}, {@code chosen}, {@code prompt_rejected}, {@code rejected}.
 */
public record JointPreferencePair(String promptChosen, String chosen, String promptRejected, String rejected,
                                  double weight, String annotator, Map<String, Double> attributes, Source source) {
    public JointPreferencePair {
        Objects.requireNonNull(promptChosen, "promptChosen");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(promptRejected, "promptRejected");
        Objects.requireNonNull(rejected, "rejected");
        if (!(weight >= 0) || Double.isInfinite(weight)) throw new IllegalArgumentException("weight must be finite and >= 0: " + weight);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        source = source == null ? Source.MEMORY : source;
    }
}
