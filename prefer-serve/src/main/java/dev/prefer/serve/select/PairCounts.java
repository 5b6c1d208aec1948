package dev.prefer.serve.select;

import java.util.ArrayList;
import java.util.List;

/**
 * Votes so far per unordered system pair: how many, and the score of the pair's first system (1 for a win,
 * 1/2 for a tie or both-bad, 0 for a loss). Systems are indexed 0..K-1; pair {@code (i, j)} with {@code i < j}.
 * Thread-safe; {@link #snapshot()} gives a consistent copy for a policy to read.
 */
public final class PairCounts {

    /** A frozen copy: the pairs that can be asked (both systems answered some prompt) and their counts. */
    public record Snapshot(List<String> systems, int[] first, int[] second, long[] n, double[] firstScore) {
        public int pairs() { return first.length; }
    }

    private final List<String> systems;
    private final int[] first;
    private final int[] second;
    private final long[] n;
    private final double[] firstScore;

    /** @param pairs the askable pairs as {i, j} with i < j */
    public PairCounts(List<String> systems, List<int[]> pairs) {
        this.systems = List.copyOf(systems);
        if (pairs.isEmpty()) throw new IllegalArgumentException("no pair of systems answered a common prompt");
        first = new int[pairs.size()];
        second = new int[pairs.size()];
        for (int p = 0; p < pairs.size(); p++) {
            int[] ij = pairs.get(p);
            if (ij[0] >= ij[1]) throw new IllegalArgumentException("pair must have i < j");
            first[p] = ij[0];
            second[p] = ij[1];
        }
        n = new long[pairs.size()];
        firstScore = new double[pairs.size()];
    }

    /** All pairs of {@code k} systems. */
    public static PairCounts complete(List<String> systems) {
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < systems.size(); i++) for (int j = i + 1; j < systems.size(); j++) pairs.add(new int[] {i, j});
        return new PairCounts(systems, pairs);
    }

    public List<String> systems() { return systems; }

    public int pairs() { return first.length; }

    /** Index of the pair of these two system indices, or -1 when it is not askable. */
    public int pairIndex(int a, int b) {
        int i = Math.min(a, b), j = Math.max(a, b);
        for (int p = 0; p < first.length; p++) if (first[p] == i && second[p] == j) return p;
        return -1;
    }

    /** Records one vote on pair {@code p}; {@code scoreOfFirst} is 1, 1/2 or 0. */
    public synchronized void record(int p, double scoreOfFirst) {
        n[p]++;
        firstScore[p] += scoreOfFirst;
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(systems, first.clone(), second.clone(), n.clone(), firstScore.clone());
    }
}
