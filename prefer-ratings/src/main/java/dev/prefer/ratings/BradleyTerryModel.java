package dev.prefer.ratings;

import dev.prefer.core.Scalars;
/**
 * The Bradley-Terry model (Bradley &amp; Terry 1952; Zermelo 1929): P(i beats j) = σ(θ_i − θ_j) =
 * π_i / (π_i + π_j) with π = e^θ. Ties count as half a win for each side (the Chatbot Arena and evalica
 * convention), so a pair with wins w_i, w_j and ties t contributes
 * ℓ = (w_i + t/2)·log σ(d) + (w_j + t/2)·log σ(−d),  ∂ℓ/∂d = w_i + t/2 − N σ(d),  ∂²ℓ/∂d² = −N σ(d) σ(−d),
 * N = w_i + w_j + t.
 */
public final class BradleyTerryModel implements PairwiseModel {
    public static final BradleyTerryModel INSTANCE = new BradleyTerryModel();

    private BradleyTerryModel() {}

    @Override public String name() { return "bt"; }
    @Override public boolean hasTieParameter() { return false; }

    @Override
    public void pair(double d, double eta, double wi, double wj, double t, double[] out) {
        double a = wi + 0.5 * t, b = wj + 0.5 * t, n = a + b;
        // One exp and one log1p per pair: with e = exp(−|d|), σ(|d|) = 1/(1 + e), log σ(|d|) = −log1p(e),
        // log σ(−|d|) = −|d| − log1p(e).
        double ad = Math.abs(d);
        double e = Math.exp(-ad);
        double hi = 1.0 / (1.0 + e), lo = e * hi;
        double l1 = Math.log1p(e);
        double p, q, lp, lq;
        if (d >= 0) { p = hi; q = lo; lp = -l1; lq = -ad - l1; }
        else { p = lo; q = hi; lp = -ad - l1; lq = -l1; }
        out[0] = (a == 0 ? 0 : a * lp) + (b == 0 ? 0 : b * lq);
        out[1] = a - n * p;
        out[2] = 0;
        out[3] = -n * p * q;
        out[4] = 0;
        out[5] = 0;
    }

    @Override
    public double[] probabilities(double d, double eta) {
        return new double[] {Scalars.sigmoid(d), Scalars.sigmoid(-d), 0};
    }
}
