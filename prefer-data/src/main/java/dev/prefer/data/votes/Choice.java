package dev.prefer.data.votes;

import dev.prefer.data.Source;
import java.util.List;

/**
 * A top-1 choice: {@code chosen} was picked from a set that also held {@code others} (choix's "top-1" data).
 *
 * @param chosen the item picked
 * @param others the items not picked (at least one; chosen not among them)
 * @param weight finite and &gt; 0
 * @param source where it came from
 */
public record Choice(String chosen, List<String> others, double weight, Source source) {
    public Choice {
        others = List.copyOf(others);
        if (others.isEmpty()) throw new IllegalArgumentException("a choice needs at least one other item");
        if (others.contains(chosen)) throw new IllegalArgumentException("chosen item '" + chosen + "' is also among the others");
        if (others.stream().distinct().count() != others.size()) throw new IllegalArgumentException("an item appears twice among the others");
        if (!(weight > 0) || Double.isInfinite(weight)) throw new IllegalArgumentException("weight must be finite and > 0: " + weight);
        source = source == null ? Source.MEMORY : source;
    }

    public static Choice of(String chosen, List<String> others) {
        return new Choice(chosen, others, 1.0, Source.MEMORY);
    }
}
