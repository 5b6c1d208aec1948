package dev.prefer.serve;

/** An annotator's answer about the (left, right) pair shown. */
public enum Outcome {
    left, right, tie, both_bad;

    public static Outcome parse(String s) {
        if (s == null) throw new IllegalArgumentException("outcome is missing");
        return switch (s) {
            case "left", "a" -> left;
            case "right", "b" -> right;
            case "tie" -> tie;
            case "both_bad", "both-bad" -> both_bad;
            default -> throw new IllegalArgumentException("outcome must be left, right, tie or both_bad");
        };
    }
}
