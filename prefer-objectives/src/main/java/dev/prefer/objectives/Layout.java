package dev.prefer.objectives;

/** How the responses of a {@link Batch} are grouped, as an objective needs them. */
public enum Layout {
    /** K = 2 per group: response 0 is chosen, response 1 rejected. */
    PAIRS,
    /** K = 1 per group with a 0/1 label (1 = desirable), as KTO reads TRL's unpaired data. */
    UNPAIRED,
    /** K >= 2 per group with graded labels (higher is better), for listwise objectives. */
    LISTS
}
