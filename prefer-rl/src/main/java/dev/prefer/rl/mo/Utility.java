package dev.prefer.rl.mo;

/**
 * A simulated decision maker's utility of a vector return for a preference weight w = (w, 1 - w): the weighted
 * Tchebycheff utility u_w(R) = -max_i w_i (z_i - R_i / scale_i) with the utopia point z beyond every attainable
 * normalised return (Miettinen 1999). Unlike a linear scalarisation it makes every Pareto-optimal return, also
 * those on concave parts of a front, the best for some w; {@link #linear} is the linear one for comparison. The
 * augmented form (rho &gt; 0) adds a small linear term so that, of two returns with the same max term, the one better
 * in the other objective is strictly preferred (no indifference to extra steps).
 */
public record Utility(double[] scale, double[] utopia, double rho) {
    public Utility(double[] scale, double[] utopia) {
        this(scale, utopia, 0);
    }

    /** -max_i w_i (z_i - R_i / s_i) + rho sum_i w_i R_i / s_i (augmented when rho &gt; 0, Steuer and Choo 1983). */
    public double tchebycheff(double w, double[] r) {
        double a = w * (utopia[0] - r[0] / scale[0]);
        double b = (1 - w) * (utopia[1] - r[1] / scale[1]);
        return -Math.max(a, b) + rho * linear(w, r);
    }

    public double linear(double w, double[] r) {
        return w * r[0] / scale[0] + (1 - w) * r[1] / scale[1];
    }

    /** Expected utility over the weights of a grid: mean over w of max over the points of u_w. */
    public double expectedUtility(java.util.List<double[]> points, int grid) {
        double s = 0;
        for (int k = 0; k <= grid; k++) {
            double w = (double) k / grid;
            double best = Double.NEGATIVE_INFINITY;
            for (double[] p : points) {
                best = Math.max(best, tchebycheff(w, p));
            }
            s += best;
        }
        return s / (grid + 1);
    }
}
