package dev.prefer.rl.env;

import java.util.Random;

/**
 * A point mass in the square [-1, 1]^2 that must reach a goal drawn at reset: observation (x, y, gx - x, gy - y), action a
 * (2 values, its norm clipped to 1) moves the mass by {@code SPEED * a}; reward -||p - g|| after the move; 40 steps.
 * The optimum is known in closed form: heading straight for the goal at full speed minimises every step's distance
 * at once, so V*(p) = -sum_{t=1..H} max(0, d0 - SPEED t) ({@link #optimalReturn()}). The discrete variant has 9
 * actions: stay and the 8 compass directions at full speed (its optimum is at most the continuous one).
 */
public final class PointMassReacher implements Env, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    public static final double SPEED = 0.1;
    public static final int HORIZON = 40;
    private static final double D = Math.sqrt(0.5);
    private static final double[][] DIRECTIONS = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}, {D, D}, {D, -D}, {-D, D}, {-D, -D}};

    private final boolean discrete;
    private final double[] p = new double[2];
    private final double[] g = new double[2];
    private int t;

    public PointMassReacher(boolean discrete) {
        this.discrete = discrete;
    }

    @Override public String name() { return discrete ? "reacher-discrete" : "reacher"; }
    @Override public int observationSize() { return 4; }
    @Override public int actionCount() { return discrete ? DIRECTIONS.length : 0; }
    @Override public int actionSize() { return discrete ? 1 : 2; }
    @Override public int maxSteps() { return HORIZON; }

    @Override
    public double[] reset(long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < 2; i++) {
            p[i] = 2 * r.nextDouble() - 1;
            g[i] = 2 * r.nextDouble() - 1;
        }
        t = 0;
        return obs();
    }

    private double[] obs() {
        return new double[] {p[0], p[1], g[0] - p[0], g[1] - p[1]};
    }

    /** The current observation (x, y, gx - x, gy - y). */
    public double[] observation() {
        return obs();
    }

    /** Distance from the mass to the goal. */
    public double distance() {
        return Math.hypot(p[0] - g[0], p[1] - g[1]);
    }

    /** The optimal (continuous-action) return from the current state with all {@link #HORIZON} - t steps left. */
    public double optimalReturn() {
        double d0 = distance();
        double v = 0;
        for (int k = 1; k <= HORIZON - t; k++) {
            v -= Math.max(0, d0 - SPEED * k);
        }
        return v;
    }

    /** The continuous action that is optimal now (straight at the goal, stopping on it). */
    public double[] optimalAction() {
        double d = distance();
        if (d == 0) {
            return new double[2];
        }
        double s = Math.min(1, d / SPEED);
        return new double[] {s * (g[0] - p[0]) / d, s * (g[1] - p[1]) / d};
    }

    @Override
    public Step step(double[] action) {
        double ax;
        double ay;
        if (discrete) {
            int a = (int) action[0];
            if (a < 0 || a >= DIRECTIONS.length) {
                throw new IllegalArgumentException("PointMassReacher: action " + a + " outside 0.." + (DIRECTIONS.length - 1));
            }
            ax = DIRECTIONS[a][0];
            ay = DIRECTIONS[a][1];
        } else {
            ax = action[0];
            ay = action[1];
            double n = Math.hypot(ax, ay);
            if (n > 1) {
                ax /= n;
                ay /= n;
            }
        }
        p[0] = Math.max(-1, Math.min(1, p[0] + SPEED * ax));
        p[1] = Math.max(-1, Math.min(1, p[1] + SPEED * ay));
        t++;
        return new Step(obs(), new double[] {-distance()}, false, t >= HORIZON, null);
    }
}
