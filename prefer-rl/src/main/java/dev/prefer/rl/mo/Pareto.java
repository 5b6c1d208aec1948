package dev.prefer.rl.mo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Two-objective Pareto tools (both objectives maximised): non-dominated filter, hypervolume, expected utility. */
public final class Pareto {
    private Pareto() {
    }

    public static boolean dominates(double[] a, double[] b) {
        boolean strict = false;
        for (int i = 0; i < a.length; i++) {
            if (a[i] < b[i]) {
                return false;
            }
            strict |= a[i] > b[i];
        }
        return strict;
    }

    /** The non-dominated points, duplicates removed (within 1e-9), sorted by the first objective. */
    public static List<double[]> front(List<double[]> points) {
        List<double[]> out = new ArrayList<>();
        for (double[] p : points) {
            boolean keep = true;
            for (double[] q : points) {
                if (dominates(q, p)) {
                    keep = false;
                    break;
                }
            }
            for (double[] q : out) {
                if (Math.abs(q[0] - p[0]) < 1e-9 && Math.abs(q[1] - p[1]) < 1e-9) {
                    keep = false;
                }
            }
            if (keep) {
                out.add(p.clone());
            }
        }
        out.sort(Comparator.comparingDouble(p -> p[0]));
        return out;
    }

    /** Area dominated by the points and bounded below by the reference point (two objectives). */
    public static double hypervolume(List<double[]> points, double[] ref) {
        double[][] f = front(points).stream().filter(p -> p[0] > ref[0] && p[1] > ref[1]).toArray(double[][]::new);
        Arrays.sort(f, Comparator.comparingDouble((double[] p) -> -p[0]));
        double hv = 0;
        double best = ref[1];
        for (double[] p : f) {
            if (p[1] > best) {
                hv += (p[0] - ref[0]) * (p[1] - best);
                best = p[1];
            }
        }
        return hv;
    }

    /** Points of {@code exact} matched (within tol in every objective) by some point of {@code found}. */
    public static int recovered(List<double[]> found, double[][] exact, double tol) {
        int n = 0;
        for (double[] e : exact) {
            for (double[] p : found) {
                if (Math.abs(p[0] - e[0]) <= tol && Math.abs(p[1] - e[1]) <= tol) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    /**
     * Points of a two-objective Pareto front that no linear scalarisation w . p with w &gt;= 0 selects: those lying
     * strictly below the segment between two other front points (exact test, no weight grid).
     */
    public static List<double[]> unsupported(double[][] front) {
        List<double[]> out = new ArrayList<>();
        for (double[] p : front) {
            boolean below = false;
            for (double[] a : front) {
                for (double[] b : front) {
                    if (a[0] < p[0] && p[0] < b[0]) {
                        double y = a[1] + (b[1] - a[1]) * (p[0] - a[0]) / (b[0] - a[0]);
                        below |= p[1] < y - 1e-12;
                    }
                }
            }
            if (below) {
                out.add(p);
            }
        }
        return out;
    }
}
