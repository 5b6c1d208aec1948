package dev.prefer.data.votes;

/**
 * The result of one pairwise vote between item {@code a} and item {@code b}. {@link #BOTH_BAD} is the Chatbot
 * Arena's "tie (bothbad)": a tie in which the voter liked neither; rating models treat it as a tie unless told
 * otherwise.
 */
public enum Outcome {
    A_WINS,
    B_WINS,
    TIE,
    BOTH_BAD;

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
