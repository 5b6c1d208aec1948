package dev.prefer.data.votes;

/**
 * The result of one pairwise vote between item {@code a} and item {@code b}. {@link #BOTH_BAD} is the Chatbot
 * Arena's "tie (bothbad)": a tie in which the voter liked neither; rating models treat it as a tie unless told
 * otherwise.
 *
 * <p>The collection app shows the pair as (left, right) = (a, b) and stores and exports outcomes by their
 * {@link #wireName()}: {@code left}, {@code right}, {@code tie}, {@code both_bad}.
 */
public enum Outcome {
    A_WINS,
    B_WINS,
    TIE,
    BOTH_BAD;

    /** The name the collection app's API, database and exports use. */
    public String wireName() {
        return switch (this) {
            case A_WINS -> "left";
            case B_WINS -> "right";
            case TIE -> "tie";
            case BOTH_BAD -> "both_bad";
        };
    }

    /** The outcome of a {@link #wireName()} (as stored); an unknown name is an {@link IllegalArgumentException}. */
    public static Outcome fromWireName(String s) {
        for (Outcome o : values()) if (o.wireName().equals(s)) return o;
        throw new IllegalArgumentException("unknown outcome '" + s + "'");
    }

    /** An annotator's answer as the API takes it: left/a, right/b, tie, both_bad/both-bad. */
    public static Outcome parse(String s) {
        if (s == null) throw new IllegalArgumentException("outcome is missing");
        return switch (s) {
            case "left", "a" -> A_WINS;
            case "right", "b" -> B_WINS;
            case "tie" -> TIE;
            case "both_bad", "both-bad" -> BOTH_BAD;
            default -> throw new IllegalArgumentException("outcome must be left, right, tie or both_bad");
        };
    }

    /** True for {@link #TIE} and {@link #BOTH_BAD}. */
    public boolean isTie() {
        return this == TIE || this == BOTH_BAD;
    }

    /** The same vote seen from the other side: a win for a becomes a win for b. */
    public Outcome swapped() {
        return switch (this) {
            case A_WINS -> B_WINS;
            case B_WINS -> A_WINS;
            default -> this;
        };
    }
}
