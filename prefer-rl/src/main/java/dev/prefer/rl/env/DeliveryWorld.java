package dev.prefer.rl.env;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Knox et al.'s delivery domain ("Models of human preference for learning reward functions", arXiv 2206.02231,
 * Section 5): a grid where a delivery car must reach its destination. Cells: road ({@code .}), destination
 * ({@code G}, terminal), sheep ({@code S}, terminal), coin ({@code c}), roadblock ({@code r}), mud ({@code m}) and
 * houses ({@code H}, not enterable). Six reward features of entering a cell, in the order of the authors'
 * {@code Reward_Learning/grid_world.py} (Stephanehk/Regret_Based_Reward_Learning, line 13
 * {@code reward_array = [-1, 50, -50, 1, -1, -2]}): gas, goal, sheep, coin, roadblock, mud. Entering a road cell
 * costs gas (-1); a coin cell is gas + coin (net 0); a roadblock is gas + roadblock (-2); mud is -2 instead of gas;
 * bumping into a wall or a house stays in place and pays gas (mud if standing in mud). Episodes start in a uniformly
 * drawn non-terminal cell, as in the authors' {@code reset()}.
 */
public final class DeliveryWorld implements Env, TabularMdp, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    public static final double[] TRUE_WEIGHTS = {-1, 50, -50, 1, -1, -2};
    public static final String[] FEATURES = {"gas", "goal", "sheep", "coin", "roadblock", "mud"};
    /** Our 10x10 board (the authors' boards are JSON files of their study; this one has every cell type). */
    public static final String[] DEFAULT_BOARD = {
        "....c....G",
        ".HH.rmm...",
        ".H..mmm.H.",
        "..c.mm..r.",
        "S...r..c..",
        "..H....HH.",
        ".rr.S.....",
        "...c..mm.c",
        ".H.....m..",
        "...r...S..",
    };
    private static final int[][] MOVES = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};

    private final char[][] board;
    private final int h;
    private final int w;
    private final int maxSteps;
    private final int[] starts;
    private int pos;
    private int t;
    private Random rng = new Random(0);

    public DeliveryWorld() {
        this(DEFAULT_BOARD, 50);
    }

    public DeliveryWorld(String[] rows, int maxSteps) {
        h = rows.length;
        w = rows[0].length();
        board = new char[h][];
        List<Integer> s = new ArrayList<>();
        for (int i = 0; i < h; i++) {
            if (rows[i].length() != w) {
                throw new IllegalArgumentException("DeliveryWorld: row " + i + " has length " + rows[i].length() + ", expected " + w);
            }
            board[i] = rows[i].toCharArray();
            for (int j = 0; j < w; j++) {
                char c = board[i][j];
                if (".GScrmH".indexOf(c) < 0) {
                    throw new IllegalArgumentException("DeliveryWorld: row " + i + " column " + j + ": unknown cell '" + c + "'");
                }
                if (c != 'H' && c != 'G' && c != 'S') {
                    s.add(i * w + j);
                }
            }
        }
        starts = s.stream().mapToInt(Integer::intValue).toArray();
        this.maxSteps = maxSteps;
    }

    @Override public String name() { return "delivery"; }
    @Override public int observationSize() { return h * w; }
    @Override public int actionCount() { return 4; }
    @Override public int maxSteps() { return maxSteps; }
    @Override public int stateCount() { return h * w; }
    @Override public int actions() { return 4; }
    @Override public int featureCount() { return 6; }
    @Override public double[] trueWeights() { return TRUE_WEIGHTS.clone(); }
    @Override public int[] startStates() { return starts.clone(); }

    public int width() { return w; }
    public int height() { return h; }
    public char cell(int s) { return board[s / w][s % w]; }
    public int state() { return pos; }

    @Override
    public boolean terminal(int s) {
        char c = cell(s);
        return c == 'G' || c == 'S';
    }

    @Override
    public int next(int s, int a) {
        if (terminal(s)) {
            return s;
        }
        int r = s / w + MOVES[a][0];
        int c = s % w + MOVES[a][1];
        if (r < 0 || c < 0 || r >= h || c >= w || board[r][c] == 'H') {
            return s;
        }
        return r * w + c;
    }

    @Override
    public double[] features(int s, int a) {
        double[] phi = new double[6];
        if (terminal(s)) {
            return phi;
        }
        int n = next(s, a);
        if (n == s) {                                       // bumped: gas, or mud when standing in mud
            phi[cell(s) == 'm' ? 5 : 0] = 1;
            return phi;
        }
        switch (cell(n)) {
            case '.' -> phi[0] = 1;
            case 'G' -> phi[1] = 1;
            case 'S' -> phi[2] = 1;
            case 'c' -> { phi[0] = 1; phi[3] = 1; }
            case 'r' -> { phi[0] = 1; phi[4] = 1; }
            case 'm' -> phi[5] = 1;
            default -> throw new IllegalStateException("entered " + cell(n));
        }
        return phi;
    }

    /** True reward of a in s. */
    public double reward(int s, int a) {
        double[] phi = features(s, a);
        double r = 0;
        for (int k = 0; k < 6; k++) {
            r += TRUE_WEIGHTS[k] * phi[k];
        }
        return r;
    }

    /** Starts from a uniformly drawn start state. */
    @Override
    public double[] reset(long seed) {
        rng = new Random(seed);
        return resetTo(starts[rng.nextInt(starts.length)]);
    }

    /** Starts from a given state. */
    public double[] resetTo(int s) {
        pos = s;
        t = 0;
        return oneHot(s);
    }

    public double[] oneHot(int s) {
        double[] o = new double[h * w];
        o[s] = 1;
        return o;
    }

    @Override
    public Step step(double[] action) {
        int a = (int) action[0];
        if (a < 0 || a >= 4) {
            throw new IllegalArgumentException("DeliveryWorld: action " + a + " outside 0..3");
        }
        double[] phi = features(pos, a);
        double r = reward(pos, a);
        pos = next(pos, a);
        t++;
        boolean term = terminal(pos);
        return new Step(oneHot(pos), new double[] {r}, term, !term && t >= maxSteps, phi);
    }
}
