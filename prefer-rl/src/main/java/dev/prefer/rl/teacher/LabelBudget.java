package dev.prefer.rl.teacher;

/**
 * A label budget: at most {@code total} labels, asked {@code perRound} at a time. Skipped queries cost a label (the
 * teacher was asked), as in B-Pref where the budget counts queries.
 */
public final class LabelBudget implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final int total;
    private final int perRound;
    private int used;

    public LabelBudget(int total, int perRound) {
        if (total < 0 || perRound < 1) {
            throw new IllegalArgumentException("--labels must be >= 0 and labels per round >= 1, got " + total + ", " + perRound);
        }
        this.total = total;
        this.perRound = perRound;
    }

    public int total() { return total; }
    public int used() { return used; }
    public int remaining() { return total - used; }

    /** Size of the next round (0 when spent). */
    public int nextRound() {
        return Math.min(perRound, remaining());
    }

    public void spend(int n) {
        if (n > remaining()) {
            throw new IllegalStateException("label budget exceeded: " + n + " > " + remaining());
        }
        used += n;
    }

    /** Restores the spent count (resume). */
    public void restore(int usedBefore) {
        if (usedBefore < 0 || usedBefore > total) {
            throw new IllegalArgumentException("label budget: cannot restore " + usedBefore + " of " + total);
        }
        used = usedBefore;
    }
}
