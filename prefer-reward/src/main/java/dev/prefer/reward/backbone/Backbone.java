package dev.prefer.reward.backbone;

import java.util.ArrayList;
import java.util.List;

/**
 * Maps texts to fixed-size float vectors. Heads never see where the vectors come from: a frozen sentence encoder
 * ({@link MiniLmBackbone}), a feature-hashing baseline ({@link HashingBackbone}), or later the last-token hidden
 * state of a causal LM all plug in here.
 *
 * <p>Implementations must be deterministic (the same text gives the same vector) and thread-safe.
 */
public interface Backbone extends AutoCloseable {

    /** A stable identifier that names the backbone and its weights, e.g. {@code minilm-l6-v2}; saved in configs and cache keys. */
    String id();

    /** Length of every vector {@link #embed} returns. */
    int dimension();

    /** The vector of one text (d floats). */
    float[] embed(String text);

    /** Vectors of many texts, in order; implementations may batch or run in parallel. */
    default List<float[]> embedAll(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (String t : texts) out.add(embed(t));
        return out;
    }

    @Override
    default void close() {}
}
