package dev.prefer.ratings;

/**
 * Davidson's (1970) tie model: P(i) = π_i / D, P(j) = π_j / D, P(tie) = ν √(π_i π_j) / D with
 * D = π_i + π_j + ν √(π_i π_j). Dividing by √(π_i π_j), with d = θ_i − θ_j and η = log ν:
 * ℓ = w_i d/2 − w_j d/2 + t η − N log(e^{d/2} + e^{−d/2} + e^η). Derivatives with A = e^{d/2}, B = e^{−d/2},
 * C = e^η, D = A + B + C: ∂ℓ/∂d = (w_i − w_j)/2 − N (A − B)/(2D), ∂ℓ/∂η = t − N C/D,
 * ∂²ℓ/∂d² = −N[(A + B)/(4D) − ((A − B)/(2D))²], ∂²ℓ/∂η² = −N[C/D − (C/D)²], ∂²ℓ/∂d∂η = N (A − B) C/(2D²).
 */
public final class DavidsonModel implements PairwiseModel {
    public static final DavidsonModel INSTANCE = new DavidsonModel();

    private DavidsonModel() {}

    @Override public String name() { return "davidson"; }
    @Override public boolean hasTieParameter() { return true; }
    @Override public double initialTieParameter() { return 0; }

    @Override
    public void pair(double d, double eta, double wi, double wj, double t, double[] out) {
        double n = wi + wj + t;
        double m = Math.max(Math.abs(d) / 2, eta);
        double A = Math.exp(d / 2 - m), B = Math.exp(-d / 2 - m), C = Math.exp(eta - m), D = A + B + C;
        double logD = m + Math.log(D);
        out[0] = wi * d / 2 - wj * d / 2 + (t == 0 ? 0 : t * eta) - n * logD;
        double amb = (A - B) / (2 * D), cd = C / D;
        out[1] = (wi - wj) / 2 - n * amb;
        out[2] = t - n * cd;
        out[3] = -n * ((A + B) / (4 * D) - amb * amb);
        out[4] = n * amb * cd;
        out[5] = -n * (cd - cd * cd);
    }

    @Override
    public double[] probabilities(double d, double eta) {
        double m = Math.max(Math.abs(d) / 2, eta);
        double A = Math.exp(d / 2 - m), B = Math.exp(-d / 2 - m), C = Math.exp(eta - m), D = A + B + C;
        return new double[] {A / D, B / D, C / D};
    }
}
