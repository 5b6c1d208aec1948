package dev.prefer.ratings;

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
        double p = PairwiseModel.sigmoid(d), q = PairwiseModel.sigmoid(-d);
        out[0] = (a == 0 ? 0 : a * PairwiseModel.logSigmoid(d)) + (b == 0 ? 0 : b * PairwiseModel.logSigmoid(-d));
        out[1] = a - n * p;
        out[2] = 0;
        out[3] = -n * p * q;
        out[4] = 0;
        out[5] = 0;
    }

    @Override
    public double[] probabilities(double d, double eta) {
        return new double[] {PairwiseModel.sigmoid(d), PairwiseModel.sigmoid(-d), 0};
    }
}
