package dev.prefer.data.votes;

import dev.prefer.data.Source;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One (possibly partial, possibly tied) ranking of items, best first: {@code tiers.get(0)} holds the items ranked
 * first, tied among themselves; a strict ranking has one item per tier.
 *
 * @param tiers  groups of items in order of preference; no item twice; at least two items in all
 * @param weight how many voters cast this ranking (PrefLib's count), finite and &gt; 0
 * @param source where it came from
 */
public record Ranking(List<List<String>> tiers, double weight, Source source) {
    public Ranking {
        tiers = tiers.stream().map(List::copyOf).toList();
        Set<String> seen = new HashSet<>();
        int n = 0;
        for (List<String> t : tiers) {
            if (t.isEmpty()) throw new IllegalArgumentException("empty tier in a ranking");
            for (String s : t) {
                if (!seen.add(s)) throw new IllegalArgumentException("item '" + s + "' appears twice in a ranking");
                n++;
            }
        }
        if (n < 2) throw new IllegalArgumentException("a ranking needs at least two items");
        if (!(weight > 0) || Double.isInfinite(weight)) throw new IllegalArgumentException("weight must be finite and > 0: " + weight);
        source = source == null ? Source.MEMORY : source;
    }

    /** A strict ranking, best first, weight 1. */
    public static Ranking strict(List<String> order) {
        return new Ranking(order.stream().map(List::of).toList(), 1.0, Source.MEMORY);
    }

    /** True when no tier holds more than one item. */
    public boolean isStrict() {
        return tiers.stream().allMatch(t -> t.size() == 1);
    }

    /** All ranked items, best first (tied items in their given order). */
    public List<String> items() {
        return tiers.stream().flatMap(List::stream).toList();
    }
}
