package dev.prefer.rl.teacher;

/** A teacher's answer to "which segment is better?". */
public enum Label {
    FIRST, SECOND, EQUAL, SKIP;

    /** Target probability that the first segment is preferred (0.5 for EQUAL); NaN for SKIP. */
    public double firstProbability() {
        return switch (this) {
            case FIRST -> 1.0;
            case SECOND -> 0.0;
            case EQUAL -> 0.5;
            case SKIP -> Double.NaN;
        };
    }
}
