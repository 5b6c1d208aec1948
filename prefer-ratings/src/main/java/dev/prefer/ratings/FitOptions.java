package dev.prefer.ratings;

/**
 * Options of a pairwise maximum-likelihood fit. Immutable, validated.
 *
 * @param l2            L2 penalty λ on the log-strengths: maximises ℓ(θ) − (λ/2)·Σθ² (0 = plain MLE, default).
 *                      With λ &gt; 0 the estimate always exists; without it a component in which some items never
 *                      lose is an error that names them.
 * @param tolerance     stop when the largest Newton step is below this (default 1e-10)
 * @param maxIterations Newton iterations at most (default 100)
 * @param standardErrors whether to compute Fisher-information standard errors (default true; costs one n×n
 *                      inverse)
 */
public record FitOptions(double l2, double tolerance, int maxIterations, boolean standardErrors) {
    public static final FitOptions DEFAULT = new FitOptions(0, 1e-10, 100, true);

    public FitOptions {
        if (!(l2 >= 0) || Double.isInfinite(l2)) throw new IllegalArgumentException("l2 must be finite and >= 0: " + l2);
        if (!(tolerance > 0)) throw new IllegalArgumentException("tolerance must be > 0: " + tolerance);
        if (maxIterations < 1) throw new IllegalArgumentException("maxIterations must be >= 1: " + maxIterations);
    }

    public FitOptions withL2(double l2) { return new FitOptions(l2, tolerance, maxIterations, standardErrors); }
    public FitOptions withTolerance(double tol) { return new FitOptions(l2, tol, maxIterations, standardErrors); }
    public FitOptions withMaxIterations(int it) { return new FitOptions(l2, tolerance, it, standardErrors); }
    public FitOptions withStandardErrors(boolean se) { return new FitOptions(l2, tolerance, maxIterations, se); }
}
