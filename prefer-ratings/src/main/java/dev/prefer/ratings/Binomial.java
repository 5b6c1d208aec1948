package dev.prefer.ratings;

import java.util.SplittableRandom;

/**
 * Exact binomial random variates in O(1) expected time: inversion (Kachitvichyanukul and Schmeiser 1988, BINV)
 * when n·min(p, 1−p) &lt; 10, else Hörmann's transformed rejection with squeeze (BTRS; W. Hörmann, "The
 * generation of binomial random variates", J. Statist. Comput. Simul. 46, 1993, algorithm BTRS), the sampler
 * TensorFlow and numpy-style libraries use for large n. The log-factorials of the acceptance test come from a
 * table below 1024 and Stirling's series above it (error under 1e-15 relative).
 */
final class Binomial {
    private Binomial() {}

    private static final int TABLE = 1024;
    private static final double[] LOG_FACT = new double[TABLE];
    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

    static {
        for (int k = 1; k < TABLE; k++) LOG_FACT[k] = LOG_FACT[k - 1] + Math.log(k);
    }

    /** log k!. */
    static double logFactorial(long k) {
        if (k < TABLE) return LOG_FACT[(int) k];
        double x = k + 1.0; // log Γ(x) by Stirling with three correction terms
        double ix2 = 1.0 / (x * x);
        return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + (1.0 / 12 - ix2 * (1.0 / 360 - ix2 * (1.0 / 1260 - ix2 / 1680))) / x;
    }

    /** One draw from Bin(n, p). */
    static long sample(long n, double p, SplittableRandom rnd) {
        if (n <= 0 || p <= 0) return 0;
        if (p >= 1) return n;
        if (p > 0.5) return n - sample(n, 1 - p, rnd);
        if (n * p < 10) return inversion(n, p, rnd);
        return btrs(n, p, rnd);
    }

    private static long inversion(long n, double p, SplittableRandom rnd) {
        double q = 1 - p;
        double s = p / q;
        double a = (n + 1) * s;
        while (true) {
            double r = Math.pow(q, n);
            double u = rnd.nextDouble();
            long x = 0;
            boolean ok = true;
            while (u > r) {
                u -= r;
                x++;
                if (x > n) { ok = false; break; } // rounding ran off the end: redraw
                r *= a / x - s;
            }
            if (ok) return x;
        }
    }

    private static long btrs(long n, double p, SplittableRandom rnd) {
        double q = 1 - p;
        double spq = Math.sqrt(n * p * q);
        double b = 1.15 + 2.53 * spq;
        double a = -0.0873 + 0.0248 * b + 0.01 * p;
        double c = n * p + 0.5;
        double vr = 0.92 - 4.2 / b;
        double alpha = (2.83 + 5.1 / b) * spq;
        double lpq = Math.log(p / q);
        long m = (long) Math.floor((n + 1) * p);
        double h = logFactorial(m) + logFactorial(n - m);
        while (true) {
            double u = rnd.nextDouble() - 0.5;
            double v = rnd.nextDouble();
            double us = 0.5 - Math.abs(u);
            long k = (long) Math.floor((2 * a / us + b) * u + c);
            if (k < 0 || k > n) continue;
            if (us >= 0.07 && v <= vr) return k;
            v = Math.log(v * alpha / (a / (us * us) + b));
            if (v <= h - logFactorial(k) - logFactorial(n - k) + (k - m) * lpq) return k;
        }
    }
}
