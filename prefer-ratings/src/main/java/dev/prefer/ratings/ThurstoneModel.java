package dev.prefer.ratings;

import org.apache.commons.math3.special.Erf;

/**
 * Thurstone's Case V (probit) model (Thurstone 1927; Mosteller 1951): P(i beats j) = Φ(θ_i − θ_j), Φ the standard
 * normal CDF, so strengths are in units of the (unit, per-comparison) noise standard deviation times √2. Ties
 * count as half-wins. With a = w_i + t/2, b = w_j + t/2 and λ(x) = φ(x)/Φ(x):
 * ℓ = a log Φ(d) + b log Φ(−d),  ∂ℓ/∂d = a λ(d) − b λ(−d),  ∂²ℓ/∂d² = −a λ(d)(d + λ(d)) − b λ(−d)(−d + λ(−d)).
 */
public final class ThurstoneModel implements PairwiseModel {
    public static final ThurstoneModel INSTANCE = new ThurstoneModel();
    private static final double SQRT2 = Math.sqrt(2.0);
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    private ThurstoneModel() {}

    @Override public String name() { return "thurstone"; }
    @Override public boolean hasTieParameter() { return false; }

    /** Φ(x). */
    public static double cdf(double x) {
        return 0.5 * Erf.erfc(-x / SQRT2);
    }

    /** log Φ(x), with an asymptotic series far in the lower tail. */
    static double logCdf(double x) {
        if (x > -30) return Math.log(cdf(x));
        // Mills-ratio expansion: Φ(x) ≈ φ(x)/(-x) (1 - 1/x² + 3/x⁴)
        double x2 = x * x;
        return -0.5 * x2 - LOG_SQRT_2PI - Math.log(-x) + Math.log1p(-1 / x2 + 3 / (x2 * x2));
    }

    /** λ(x) = φ(x)/Φ(x) (inverse Mills ratio), stable in both tails. */
    static double lambda(double x) {
        if (x > -30) return Math.exp(-0.5 * x * x - LOG_SQRT_2PI) / cdf(x);
        return Math.exp(-0.5 * x * x - LOG_SQRT_2PI - logCdf(x));
    }

    @Override
    public void pair(double d, double eta, double wi, double wj, double t, double[] out) {
        double a = wi + 0.5 * t, b = wj + 0.5 * t;
        double lp = lambda(d), lm = lambda(-d);
        out[0] = (a == 0 ? 0 : a * logCdf(d)) + (b == 0 ? 0 : b * logCdf(-d));
        out[1] = a * lp - b * lm;
        out[2] = 0;
        out[3] = -a * lp * (d + lp) - b * lm * (-d + lm);
        out[4] = 0;
        out[5] = 0;
    }

    @Override
    public double[] probabilities(double d, double eta) {
        return new double[] {cdf(d), cdf(-d), 0};
    }
}
