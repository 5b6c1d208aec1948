package dev.prefer.rl.env;

/**
 * Deep Sea Treasure, the two-objective gridworld, as in MO-Gymnasium
 * ({@code mo_gymnasium/envs/deep_sea_treasure/deep_sea_treasure.py}, Farama-Foundation/MO-Gymnasium at 2fd5f69):
 * an 11x11 grid, start (0, 0), actions up/down/left/right (line 148), rock cells (-10) cannot be entered, the episode
 * ends on a treasure, reward [treasure, -1] every step (lines 309-323), 100 steps at most (registration in
 * {@code __init__.py}). Two maps: {@link Map#CONVEX} (Yang et al. 2019, {@code DEFAULT_MAP}, line 12) and
 * {@link Map#CONCAVE} (Vamplew et al. 2018, {@code CONCAVE_MAP}, line 42). The published Pareto fronts
 * ({@code CONVEX_FRONT} line 28, {@code CONCAVE_FRONT} line 58) are {@link #front(Map)}.
 */
public final class DeepSeaTreasure implements Env {
    public enum Map { CONVEX, CONCAVE }

    private static final double[][] CONVEX_MAP = {
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {0.7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {-10, 8.2, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {-10, -10, 11.5, 0, 0, 0, 0, 0, 0, 0, 0},
        {-10, -10, -10, 14.0, 15.1, 16.1, 0, 0, 0, 0, 0},
        {-10, -10, -10, -10, -10, -10, 0, 0, 0, 0, 0},
        {-10, -10, -10, -10, -10, -10, 0, 0, 0, 0, 0},
        {-10, -10, -10, -10, -10, -10, 19.6, 20.3, 0, 0, 0},
        {-10, -10, -10, -10, -10, -10, -10, -10, 0, 0, 0},
        {-10, -10, -10, -10, -10, -10, -10, -10, 22.4, 0, 0},
        {-10, -10, -10, -10, -10, -10, -10, -10, -10, 23.7, 0},
    };
    private static final double[] CONCAVE_VALUES = {1, 2, 3, 5, 8, 16, 24, 50, 74, 124};
    private static final double[] CONVEX_VALUES = {0.7, 8.2, 11.5, 14.0, 15.1, 16.1, 19.6, 20.3, 22.4, 23.7};
    private static final int[][] MOVES = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
    public static final int SIZE = 11;

    private final Map map;
    private final double[][] sea;
    private int row;
    private int col;
    private int t;

    public DeepSeaTreasure(Map map) {
        this.map = map;
        sea = new double[SIZE][SIZE];
        for (int i = 0; i < SIZE; i++) {
            sea[i] = CONVEX_MAP[i].clone();
        }
        if (map == Map.CONCAVE) {                         // same layout, Vamplew's treasure values
            int k = 0;
            for (int i = 0; i < SIZE; i++) {
                for (int j = 0; j < SIZE; j++) {
                    if (sea[i][j] > 0) {
                        sea[i][j] = CONCAVE_VALUES[k++];   // row-major treasure order is the front order
                    }
                }
            }
        }
    }

    /** The published Pareto front (treasure, -steps), undiscounted. */
    public static double[][] front(Map map) {
        double[] v = map == Map.CONVEX ? CONVEX_VALUES : CONCAVE_VALUES;
        int[] steps = {1, 3, 5, 7, 8, 9, 13, 14, 17, 19};
        double[][] f = new double[10][];
        for (int k = 0; k < 10; k++) {
            f[k] = new double[] {v[k], -steps[k]};
        }
        return f;
    }

    public Map map() { return map; }
    public double value(int r, int c) { return sea[r][c]; }
    @Override public String name() { return map == Map.CONVEX ? "dst" : "dst-concave"; }
    @Override public int observationSize() { return SIZE * SIZE; }
    @Override public int actionCount() { return 4; }
    @Override public int rewardSize() { return 2; }
    @Override public int maxSteps() { return 100; }

    public int state() { return row * SIZE + col; }

    @Override
    public double[] reset(long seed) {
        row = 0;
        col = 0;
        t = 0;
        return oneHot(0);
    }

    public static double[] oneHot(int s) {
        double[] o = new double[SIZE * SIZE];
        o[s] = 1;
        return o;
    }

    @Override
    public Step step(double[] action) {
        int a = (int) action[0];
        if (a < 0 || a >= 4) {
            throw new IllegalArgumentException("DeepSeaTreasure: action " + a + " outside 0..3");
        }
        int r = row + MOVES[a][0];
        int c = col + MOVES[a][1];
        if (r >= 0 && r < SIZE && c >= 0 && c < SIZE && sea[r][c] != -10) {
            row = r;
            col = c;
        }
        t++;
        double v = sea[row][col];
        boolean term = v > 0;
        return new Step(oneHot(state()), new double[] {term ? v : 0.0, -1.0}, term, !term && t >= maxSteps(), null);
    }
}
