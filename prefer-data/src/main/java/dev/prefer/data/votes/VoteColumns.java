package dev.prefer.data.votes;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which columns (CSV) or fields (JSONL) of a vote file hold what, and which winner values mean what. Immutable;
 * validated here. Winner values are compared case-insensitively after trimming. A winner value that is in none of
 * the sets but equals the name of item a or item b means that item won (files that write the winner's name).
 *
 * <p>Defaults ({@link #DEFAULT}) read the Chatbot Arena layout: {@code model_a,model_b,winner} with winner values
 * {@code model_a}/{@code a}/{@code left}/{@code x}, {@code model_b}/{@code b}/{@code right}/{@code y},
 * {@code tie}/{@code draw}, {@code tie (bothbad)}/{@code bothbad}/{@code both_bad}; no weight, annotator,
 * timestamp, category or feature columns.
 *
 * @param a         column of the first item (default {@code model_a})
 * @param b         column of the second item (default {@code model_b})
 * @param winner    column of the outcome (default {@code winner})
 * @param aWins     winner values meaning a won
 * @param bWins     winner values meaning b won
 * @param tie       winner values meaning a tie
 * @param bothBad   winner values meaning a tie in which both were bad
 * @param weight    weight column, or null (every vote weighs 1)
 * @param annotator annotator column, or null
 * @param timestamp timestamp column, or null
 * @param category  category column, or null
 * @param features  numeric feature columns (contextual Bradley-Terry), empty when none
 */
public record VoteColumns(String a, String b, String winner, Set<String> aWins, Set<String> bWins, Set<String> tie,
                          Set<String> bothBad, String weight, String annotator, String timestamp, String category,
                          List<String> features) {

    public static final VoteColumns DEFAULT = new VoteColumns("model_a", "model_b", "winner",
            Set.of("model_a", "a", "left", "x"), Set.of("model_b", "b", "right", "y"), Set.of("tie", "draw"),
            Set.of("tie (bothbad)", "bothbad", "both_bad", "both-bad"), null, null, null, null, List.of());

    public VoteColumns {
        requireName(a, "a");
        requireName(b, "b");
        requireName(winner, "winner");
        aWins = norm(aWins);
        bWins = norm(bWins);
        tie = norm(tie);
        bothBad = norm(bothBad);
        if (aWins.isEmpty() || bWins.isEmpty()) throw new IllegalArgumentException("winner values for a and for b must not be empty");
        for (Set<String> s : List.of(bWins, tie, bothBad)) {
            for (String v : s) if (aWins.contains(v)) throw new IllegalArgumentException("winner value '" + v + "' is given two meanings");
        }
        for (String v : tie) if (bWins.contains(v) || bothBad.contains(v)) throw new IllegalArgumentException("winner value '" + v + "' is given two meanings");
        for (String v : bothBad) if (bWins.contains(v)) throw new IllegalArgumentException("winner value '" + v + "' is given two meanings");
        features = List.copyOf(features == null ? List.of() : features);
        if (a.equals(b)) throw new IllegalArgumentException("columns a and b must differ");
    }

    private static void requireName(String s, String what) {
        if (s == null || s.isBlank()) throw new IllegalArgumentException("column for " + what + " must be named");
    }

    private static Set<String> norm(Set<String> s) {
        return s == null ? Set.of() : s.stream().map(x -> x.strip().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    /** Same, with other item columns (e.g. {@code left,right}). */
    public VoteColumns withItems(String a, String b) {
        return new VoteColumns(a, b, winner, aWins, bWins, tie, bothBad, weight, annotator, timestamp, category, features);
    }

    public VoteColumns withWinner(String winner) {
        return new VoteColumns(a, b, winner, aWins, bWins, tie, bothBad, weight, annotator, timestamp, category, features);
    }

    /** Same, with other winner values. */
    public VoteColumns withWinnerValues(Set<String> aWins, Set<String> bWins, Set<String> tie, Set<String> bothBad) {
        return new VoteColumns(a, b, winner, aWins, bWins, tie, bothBad, weight, annotator, timestamp, category, features);
    }

    public VoteColumns withWeight(String weight) {
        return new VoteColumns(a, b, winner, aWins, bWins, tie, bothBad, weight, annotator, timestamp, category, features);
    }

    public VoteColumns withAnnotator(String annotator) {
        return new VoteColumns(a, b, winner, aWins, bWins, tie, bothBad, weight, annotator, timestamp, category, features);
    }

    public VoteColumns withTimestamp(String timestamp) {
        return new VoteColumns(a, b, winner, aWins, bWins, tie, bothBad, weight, annotator, timestamp, category, features);
    }

    public VoteColumns withCategory(String category) {
        return new VoteColumns(a, b, winner, aWins, bWins, tie, bothBad, weight, annotator, timestamp, category, features);
    }

    public VoteColumns withFeatures(List<String> features) {
        return new VoteColumns(a, b, winner, aWins, bWins, tie, bothBad, weight, annotator, timestamp, category, features);
    }

    /**
     * The outcome a winner value means, or null when it means nothing known. {@code itemA}/{@code itemB} let a
     * value that names an item count as that item's win.
     */
    public Outcome outcomeOf(String value, String itemA, String itemB) {
        String v = value.strip();
        String k = v.toLowerCase(Locale.ROOT);
        if (aWins.contains(k)) return Outcome.A_WINS;
        if (bWins.contains(k)) return Outcome.B_WINS;
        if (tie.contains(k)) return Outcome.TIE;
        if (bothBad.contains(k)) return Outcome.BOTH_BAD;
        if (v.equals(itemA)) return Outcome.A_WINS;
        if (v.equals(itemB)) return Outcome.B_WINS;
        return null;
    }

    /** The accepted values, for error messages. */
    String acceptedValues() {
        return "one of " + String.join("/", new java.util.TreeSet<>(aWins)) + " (a wins), "
                + String.join("/", new java.util.TreeSet<>(bWins)) + " (b wins), "
                + String.join("/", new java.util.TreeSet<>(tie)) + " (tie), "
                + String.join("/", new java.util.TreeSet<>(bothBad)) + " (both bad), or an item's name";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VoteColumns c && a.equals(c.a) && b.equals(c.b) && winner.equals(c.winner)
                && aWins.equals(c.aWins) && bWins.equals(c.bWins) && tie.equals(c.tie) && bothBad.equals(c.bothBad)
                && Objects.equals(weight, c.weight) && Objects.equals(annotator, c.annotator)
                && Objects.equals(timestamp, c.timestamp) && Objects.equals(category, c.category)
                && features.equals(c.features);
    }

    @Override
    public int hashCode() {
        return Objects.hash(a, b, winner, aWins, bWins, tie, bothBad, weight, annotator, timestamp, category, features);
    }
}
