package dev.prefer.data.votes;

import dev.prefer.data.Source;
import java.util.Objects;

/**
 * One pairwise vote: item {@code a} against item {@code b} with an {@link Outcome}.
 *
 * @param a          the first item (e.g. the Arena's {@code model_a})
 * @param b          the second item; must differ from {@code a}
 * @param outcome    who won, or a tie
 * @param weight     how much the vote counts, finite and &gt; 0 (1 by default)
 * @param annotator  who voted, or null when unknown
 * @param timestamp  when, as written in the input (ISO-8601 or epoch seconds), or null; online models (Elo,
 *                   TrueSkill) use the order of the votes as given, not this field
 * @param category   an optional category label (e.g. a prompt type), or null
 * @param features   per-vote numeric features (for contextual Bradley-Terry / style control), never null; names are
 *                   kept by the collection that holds the votes ({@link VoteFile#featureNames()})
 * @param source     file and line the vote came from ({@link Source#MEMORY} when built in code)
 */
public record Vote(String a, String b, Outcome outcome, double weight, String annotator, String timestamp,
                   String category, double[] features, Source source) {

    private static final double[] NO_FEATURES = new double[0];

    public Vote {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        Objects.requireNonNull(outcome, "outcome");
        if (a.equals(b)) throw new IllegalArgumentException("a vote needs two different items, got '" + a + "' twice");
        if (!(weight > 0) || Double.isInfinite(weight)) throw new IllegalArgumentException("weight must be finite and > 0: " + weight);
        features = features == null || features.length == 0 ? NO_FEATURES : features.clone();
        source = source == null ? Source.MEMORY : source;
    }

    /** A plain vote with weight 1 and no extras. */
    public static Vote of(String a, String b, Outcome outcome) {
        return new Vote(a, b, outcome, 1.0, null, null, null, null, Source.MEMORY);
    }

    /** A weighted vote with an annotator. */
    public static Vote of(String a, String b, Outcome outcome, double weight, String annotator) {
        return new Vote(a, b, outcome, weight, annotator, null, null, null, Source.MEMORY);
    }

    /** The features (a copy). */
    @Override
    public double[] features() {
        return features.clone();
    }

    /** Feature {@code k} without copying. */
    public double feature(int k) {
        return features[k];
    }

    /** Number of features. */
    public int featureCount() {
        return features.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vote v && a.equals(v.a) && b.equals(v.b) && outcome == v.outcome
                && Double.compare(weight, v.weight) == 0 && Objects.equals(annotator, v.annotator)
                && Objects.equals(timestamp, v.timestamp) && Objects.equals(category, v.category)
                && java.util.Arrays.equals(features, v.features);
    }

    @Override
    public int hashCode() {
        return Objects.hash(a, b, outcome, weight, annotator, timestamp, category, java.util.Arrays.hashCode(features));
    }

    @Override
    public String toString() {
        return "Vote[" + a + " vs " + b + ": " + outcome + (weight != 1 ? ", w=" + weight : "") + "]";
    }
}
