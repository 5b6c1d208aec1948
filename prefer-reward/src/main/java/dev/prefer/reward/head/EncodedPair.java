package dev.prefer.reward.head;

import java.util.Map;

/**
 * A preference pair after encoding: {@code chosen} was preferred over {@code rejected} in context {@code context}.
 * Heads see only these vectors, never text, so they do not care which backbone made them.
 *
 * @param context    the context vector (prompt or criterion embedding), length 0 when the encoder has none
 * @param chosen     the preferred response's vector (d)
 * @param rejected   the other response's vector (d)
 * @param annotator  who judged, null when unknown
 * @param margin     preference strength for the BT margin, null when absent
 * @param weight     per-pair weight, finite and non-negative
 * @param attributes named attribute labels: {@code chosen.X}, {@code rejected.X} (per response) or {@code X}
 *                   (chosen minus rejected); empty when absent
 */
public record EncodedPair(double[] context, double[] chosen, double[] rejected, String annotator, Double margin,
                          double weight, Map<String, Double> attributes) {
    public EncodedPair {
        if (chosen.length != rejected.length) throw new IllegalArgumentException("chosen and rejected vectors differ in length");
        attributes = attributes == null ? Map.of() : attributes;
        context = context == null ? new double[0] : context;
    }

    /** A plain pair without context, annotator, margin or attributes. */
    public static EncodedPair of(double[] chosen, double[] rejected) {
        return new EncodedPair(new double[0], chosen, rejected, null, null, 1.0, Map.of());
    }

    public EncodedPair withAnnotator(String a) {
        return new EncodedPair(context, chosen, rejected, a, margin, weight, attributes);
    }

    public EncodedPair withContext(double[] c) {
        return new EncodedPair(c, chosen, rejected, annotator, margin, weight, attributes);
    }
}
