package dev.prefer.ratings;

import dev.prefer.core.Scalars;
/**
 * Rao and Kupper's (1967) tie model with threshold κ = e^η &gt; 1: P(i) = π_i / (π_i + κ π_j) = σ(d − η),
 * P(j) = σ(−d − η), P(tie) = (κ² − 1) π_i π_j / ((π_i + κ π_j)(κ π_i + π_j)) = (e^{2η} − 1) σ(d − η) σ(−d − η).
 * With u = d − η, v = −d − η, s = σ, s' = s(1 − s), s'' = s'(1 − 2s), P_t = 1 − s(u) − s(v):
 * ∂P_t/∂d = −s'(u) + s'(v), ∂P_t/∂η = s'(u) + s'(v), ∂²P_t/∂d² = ∂²P_t/∂η² = −s''(u) − s''(v),
 * ∂²P_t/∂d∂η = s''(u) − s''(v); the win terms are log σ(u), log σ(v) with their usual derivatives.
 */
public final class RaoKupperModel implements PairwiseModel {
    public static final RaoKupperModel INSTANCE = new RaoKupperModel();

    private RaoKupperModel() {}

    @Override public String name() { return "rao-kupper"; }
    @Override public boolean hasTieParameter() { return true; }
    @Override public double initialTieParameter() { return Math.log(1.5); }
    @Override public boolean tieParameterValid(double eta) { return eta > 1e-12; }

    @Override
    public void pair(double d, double eta, double wi, double wj, double t, double[] out) {
        double u = d - eta, v = -d - eta;
        double su = Scalars.sigmoid(u), sv = Scalars.sigmoid(v);
        double du = su * (1 - su), dv = sv * (1 - sv);
        double ddu = du * (1 - 2 * su), ddv = dv * (1 - 2 * sv);
        double pt = Math.expm1(2 * eta) * su * sv;
        double l = (wi == 0 ? 0 : wi * Scalars.logSigmoid(u)) + (wj == 0 ? 0 : wj * Scalars.logSigmoid(v));
        double gd = wi * (1 - su) - wj * (1 - sv);
        double ge = -wi * (1 - su) - wj * (1 - sv);
        double hdd = -wi * du - wj * dv;
        double hee = -wi * du - wj * dv;
        double hde = wi * du - wj * dv;
        if (t != 0) {
            double pd = -du + dv, pe = du + dv;
            double pdd = -ddu - ddv, pee = -ddu - ddv, pde = ddu - ddv;
            l += t * Math.log(pt);
            gd += t * pd / pt;
            ge += t * pe / pt;
            hdd += t * (pdd / pt - (pd / pt) * (pd / pt));
            hee += t * (pee / pt - (pe / pt) * (pe / pt));
            hde += t * (pde / pt - (pd / pt) * (pe / pt));
        }
        out[0] = l;
        out[1] = gd;
        out[2] = ge;
        out[3] = hdd;
        out[4] = hde;
        out[5] = hee;
    }

    @Override
    public double[] probabilities(double d, double eta) {
        double su = Scalars.sigmoid(d - eta), sv = Scalars.sigmoid(-d - eta);
        return new double[] {su, sv, Math.expm1(2 * eta) * su * sv};
    }
}
