package dev.prefer.ratings;

import java.util.SplittableRandom;

/**
 * Exact multinomial draws of n over many categories in O(categories + √n) per draw, for the bootstrap. Each
 * category r first gets an independent Poisson(λ_r = n·p_r) count; given their total T the counts are the
 * histogram of T independent categorical draws. If T &gt; n, T − n of those draws are removed uniformly at random
 * without replacement (a Fenwick tree over the counts); if T &lt; n, n − T further categorical draws are added
 * (Vose alias). Either way the result is the histogram of n independent categorical draws: Multinomial(n, p),
 * exactly, and |T − n| is about √n. Poisson variates: Hörmann's PTRS (transformed rejection with squeeze; W.
 * Hörmann, "The transformed rejection method for generating Poisson random variables", Insurance: Mathematics
 * and Economics 12, 1993) for λ ≥ 10, with its constants computed once per category, since λ is the same in
 * every round; Knuth's multiplication method below 10.
 */
final class Multinomial {
    private final long n;
    private final int rows;
    private final double[] lambda;
    private final double[] expNeg;                       // e^{-λ} (small λ)
    private final double[] b, a, vr, logAlphaLam, logLam; // PTRS constants (large λ)
    private final Bootstrap.Alias alias;

    Multinomial(long n, double[] weight) {
        this.n = n;
        this.rows = weight.length;
        double sum = 0;
        for (double w : weight) sum += w;
        lambda = new double[rows];
        expNeg = new double[rows];
        b = new double[rows];
        a = new double[rows];
        vr = new double[rows];
        logAlphaLam = new double[rows];
        logLam = new double[rows];
        for (int r = 0; r < rows; r++) {
            double lam = n * weight[r] / sum;
            lambda[r] = lam;
            expNeg[r] = Math.exp(-lam);
            double slam = Math.sqrt(lam);
            b[r] = 0.931 + 2.53 * slam;
            a[r] = -0.059 + 0.02483 * b[r];
            double invAlpha = 1.1239 + 1.1328 / (b[r] - 3.4);
            vr[r] = 0.9277 - 3.6224 / (b[r] - 2);
            logLam[r] = Math.log(lam);
            // log(invalpha) + λ: the constant part of the acceptance test log V + log(invα) − log(a/us² + b) ≤ −λ + k log λ − log k!
            logAlphaLam[r] = Math.log(invAlpha) + lam;
        }
        alias = new Bootstrap.Alias(weight);
    }

    /** One draw into {@code out}. */
    void draw(SplittableRandom rnd, long[] out) {
        long total = 0;
        for (int r = 0; r < rows; r++) {
            long k = lambda[r] <= 0 ? 0 : lambda[r] < 10 ? small(r, rnd) : ptrs(r, rnd);
            out[r] = k;
            total += k;
        }
        if (total < n) {
            for (long k = total; k < n; k++) out[alias.sample(rnd)]++;
        } else if (total > n) {
            remove(out, total, total - n, rnd);
        }
    }

    private long small(int r, SplittableRandom rnd) {
        double lim = expNeg[r], prod = rnd.nextDouble();
        long k = 0;
        while (prod > lim) {
            k++;
            prod *= rnd.nextDouble();
        }
        return k;
    }

    private long ptrs(int r, SplittableRandom rnd) {
        double lam = lambda[r], bb = b[r], aa = a[r];
        while (true) {
            double u = rnd.nextDouble() - 0.5;
            double v = rnd.nextDouble();
            double us = 0.5 - Math.abs(u);
            long k = (long) Math.floor((2 * aa / us + bb) * u + lam + 0.43);
            if (us >= 0.07 && v <= vr[r]) return k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (Math.log(v) + logAlphaLam[r] - Math.log(aa / (us * us) + bb) <= k * logLam[r] - Binomial.logFactorial(k)) return k;
        }
    }

    /** Removes {@code m} of the {@code total} units uniformly at random without replacement. */
    private void remove(long[] out, long total, long m, SplittableRandom rnd) {
        long[] tree = new long[rows + 1]; // Fenwick tree over the counts
        for (int r = 0; r < rows; r++) {
            int i = r + 1;
            tree[i] += out[r];
            int parent = i + (i & -i);
            if (parent <= rows) tree[parent] += tree[i];
        }
        int top = Integer.highestOneBit(rows);
        for (long d = 0; d < m; d++) {
            long target = rnd.nextLong(total); // the unit to remove, 0-based
            int pos = 0;
            for (int step = top; step > 0; step >>= 1) {
                int nx = pos + step;
                if (nx <= rows && tree[nx] <= target) {
                    pos = nx;
                    target -= tree[nx];
                }
            }
            out[pos]--; // pos is the 0-based row whose cumulative range holds the unit
            for (int i = pos + 1; i <= rows; i += i & -i) tree[i]--;
            total--;
        }
    }
}
