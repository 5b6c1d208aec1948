package dev.prefer.rl.env;

/**
 * Deep Sea Treasure as a {@link TabularMdp} with 11 reward features: one indicator per treasure (entering its cell)
 * and one per step (every transition, the time objective's -1). The features say which treasure was reached and
 * how long it took, never what the treasure is worth; a learner must get its weights from preferences.
 */
public final class DstMdp implements TabularMdp {
    private static final int N = DeepSeaTreasure.SIZE;
    private static final int[][] MOVES = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
    private final DeepSeaTreasure env;
    private final int[] treasureIndex = new int[N * N];

    public DstMdp(DeepSeaTreasure.Map map) {
        env = new DeepSeaTreasure(map);
        java.util.Arrays.fill(treasureIndex, -1);
        int k = 0;
        for (int s = 0; s < N * N; s++) {
            if (env.value(s / N, s % N) > 0) {
                treasureIndex[s] = k++;
            }
        }
    }

    /** Index 0..9 of the treasure in cell s, or -1. */
    public int treasure(int s) {
        return treasureIndex[s];
    }

    @Override public int stateCount() { return N * N; }
    @Override public int actions() { return 4; }
    @Override public int featureCount() { return 11; }
    @Override public int[] startStates() { return new int[] {0}; }

    @Override
    public boolean terminal(int s) {
        return treasureIndex[s] >= 0;
    }

    @Override
    public int next(int s, int a) {
        if (terminal(s)) {
            return s;
        }
        int r = s / N + MOVES[a][0];
        int c = s % N + MOVES[a][1];
        if (r < 0 || c < 0 || r >= N || c >= N || env.value(r, c) == -10) {
            return s;
        }
        return r * N + c;
    }

    @Override
    public double[] features(int s, int a) {
        double[] phi = new double[11];
        if (terminal(s)) {
            return phi;
        }
        int n = next(s, a);
        if (treasureIndex[n] >= 0) {
            phi[treasureIndex[n]] = 1;
        }
        phi[10] = 1;
        return phi;
    }

    /** Not defined: DST has two objectives, no scalar true reward. */
    @Override
    public double[] trueWeights() {
        throw new UnsupportedOperationException("Deep Sea Treasure has no scalar true reward");
    }
}
