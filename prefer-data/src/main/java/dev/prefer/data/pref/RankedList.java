package dev.prefer.data.pref;

import dev.prefer.data.Source;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * K responses to one prompt with graded labels, for listwise objectives (LiPO, Plackett-Luce, softmax).
 * A higher score is better. Rows given as a {@code ranking} (indices of {@code responses}, best first) get the
 * scores K-1, K-2, ..., 0 in that order.
 *
 * @param scores one finite score per response
 */
public record RankedList(String prompt, List<String> responses, double[] scores, double weight, String annotator,
                         Map<String, Double> attributes, Source source) {
    public RankedList {
        Objects.requireNonNull(prompt, "prompt");
        responses = List.copyOf(responses);
        scores = scores.clone();
        if (responses.size() < 2) throw new IllegalArgumentException("a ranked list needs at least 2 responses, got " + responses.size());
        if (scores.length != responses.size()) {
            throw new IllegalArgumentException("scores has " + scores.length + " values for " + responses.size() + " responses");
        }
        for (double s : scores) if (!Double.isFinite(s)) throw new IllegalArgumentException("scores must be finite");
        if (!(weight >= 0) || Double.isInfinite(weight)) throw new IllegalArgumentException("weight must be finite and >= 0: " + weight);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        source = source == null ? Source.MEMORY : source;
    }

    public static RankedList of(String prompt, List<String> responses, double... scores) {
        return new RankedList(prompt, responses, scores, 1.0, null, Map.of(), Source.MEMORY);
    }

    /** Scores from a ranking: {@code ranking[0]} is the index of the best response. */
    public static double[] scoresFromRanking(int[] ranking) {
        double[] s = new double[ranking.length];
        boolean[] seen = new boolean[ranking.length];
        for (int pos = 0; pos < ranking.length; pos++) {
            int i = ranking[pos];
            if (i < 0 || i >= ranking.length || seen[i]) {
                throw new IllegalArgumentException("ranking must be a permutation of 0.." + (ranking.length - 1) + ": " + Arrays.toString(ranking));
            }
            seen[i] = true;
            s[i] = ranking.length - 1 - pos;
        }
        return s;
    }

    public int size() {
        return responses.size();
    }

    @Override
    public double[] scores() {
        return scores.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RankedList r && prompt.equals(r.prompt) && responses.equals(r.responses)
                && Arrays.equals(scores, r.scores) && weight == r.weight && Objects.equals(annotator, r.annotator)
                && attributes.equals(r.attributes) && source.equals(r.source);
    }

    @Override
    public int hashCode() {
        return Objects.hash(prompt, responses, Arrays.hashCode(scores), weight, annotator, attributes, source);
    }

    @Override
    public String toString() {
        return "RankedList[" + source + ", " + responses.size() + " responses, scores=" + Arrays.toString(scores) + "]";
    }
}
