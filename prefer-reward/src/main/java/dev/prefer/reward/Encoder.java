package dev.prefer.reward;

import dev.prefer.data.PreferencePair;
import dev.prefer.reward.head.EncodedPair;
import java.util.List;
import java.util.Map;

/**
 * Turns text into the vectors heads read: a context vector per (prompt, annotator) and a vector per response.
 * {@link EmbeddingEncoder} uses a {@link dev.prefer.reward.backbone.Backbone}; {@link NamedFeatureEncoder} computes a
 * few named, human-readable features for the interpretable linear head.
 */
public interface Encoder extends AutoCloseable {

    /** Response vector length d. */
    int dimension();

    /** Context vector length (0 when this encoder has no context). */
    int contextDimension();

    /** Vectors of many pairs at once (encoders batch and cache the underlying texts). */
    List<EncodedPair> encode(List<PreferencePair> pairs);

    /** The context vector for a prompt (and annotator, for encoders that embed a criterion). */
    double[] context(String prompt, String annotator);

    /** Response vectors for candidates to one prompt. */
    List<double[]> responses(String prompt, List<String> responses);

    /** Everything needed to rebuild this encoder, as plain JSON-able values. */
    Map<String, Object> toMap();

    @Override
    default void close() {}
}
