package dev.prefer.ratings;

import java.util.List;
import org.apache.commons.math3.special.Erf;

/**
 * TrueSkill (Herbrich, Minka &amp; Graepel 2007, "TrueSkill: A Bayesian Skill Rating System", NIPS; equations as
 * in the paper's Table 1 / Moser's "Computing your skill") for two ranked teams of any size, or 1-vs-1. Each
 * player has a Gaussian skill N(μ, σ²); a match first adds dynamics τ² to every σ², then with
 * c² = Σ_players (σ² + β²) and t = (Σμ_winner − Σμ_loser)/c, ε = draw margin / c:
 * <pre>
 *   win:  v = φ(t − ε)/Φ(t − ε),                  w = v (v + t − ε)
 *   draw: v = (φ(−ε − t) − φ(ε − t)) / (Φ(ε − t) − Φ(−ε − t)),
 *         w = v² + ((ε − t) φ(ε − t) + (ε + t) φ(ε + t)) / (Φ(ε − t) − Φ(−ε − t))
 *   μ_i ← μ_i ± (σ_i²/c)·v,    σ_i² ← σ_i² (1 − (σ_i²/c²)·w)
 * </pre>
 * (+ for the winning team, − for the losing one; for a draw, team 1 takes +). The draw margin comes from the draw
 * probability p: margin = Φ⁻¹((p + 1)/2)·√(n_players)·β. Defaults are the paper's: μ 25, σ 25/3, β 25/6,
 * τ 25/300, p 0.10.
 */
public final class TrueSkill {
    private TrueSkill() {}

    /** A skill belief. */
    public record Rating(double mu, double sigma) {
        public Rating {
            if (!Double.isFinite(mu) || !(sigma > 0)) throw new IllegalArgumentException("rating needs finite mu and sigma > 0");
        }

        /** Conservative skill μ − 3σ, as shown on leaderboards. */
        public double conservative() { return mu - 3 * sigma; }
    }

    /** Environment. */
    public record Options(double mu, double sigma, double beta, double tau, double drawProbability) {
        public static final Options DEFAULT = new Options(25, 25.0 / 3, 25.0 / 6, 25.0 / 300, 0.10);

        public Options {
            if (!(sigma > 0) || !(beta > 0) || !(tau >= 0) || !(drawProbability >= 0 && drawProbability < 1)) {
                throw new IllegalArgumentException("trueskill needs sigma > 0, beta > 0, tau >= 0, 0 <= draw probability < 1");
            }
        }

        public Rating initial() { return new Rating(mu, sigma); }
    }

    /** The two players after a 1-vs-1 match: [first, second]. */
    public static Rating[] rate1v1(Rating first, Rating second, boolean draw, Options o) {
        List<List<Rating>> r = rateTeams(List.of(first), List.of(second), draw, o);
        return new Rating[] {r.get(0).get(0), r.get(1).get(0)};
    }

    /**
     * Two teams after a match in which {@code winners} beat {@code losers} (or drew with them): the updated
     * ratings, [winners, losers].
     */
    public static List<List<Rating>> rateTeams(List<Rating> winners, List<Rating> losers, boolean draw, Options o) {
        if (winners.isEmpty() || losers.isEmpty()) throw new IllegalArgumentException("each team needs a player");
        int players = winners.size() + losers.size();
        double tau2 = o.tau() * o.tau();
        double c2 = players * o.beta() * o.beta();
        double muW = 0, muL = 0;
        for (Rating r : winners) { c2 += r.sigma() * r.sigma() + tau2; muW += r.mu(); }
        for (Rating r : losers) { c2 += r.sigma() * r.sigma() + tau2; muL += r.mu(); }
        double c = Math.sqrt(c2);
        double margin = inverseCdf((o.drawProbability() + 1) / 2) * Math.sqrt(players) * o.beta();
        double t = (muW - muL) / c, eps = margin / c;
        double v, w;
        if (!draw) {
            v = vWin(t, eps);
            w = v * (v + t - eps);
        } else {
            double den = cdf(eps - t) - cdf(-eps - t);
            v = (pdf(-eps - t) - pdf(eps - t)) / den;
            w = v * v + ((eps - t) * pdf(eps - t) + (eps + t) * pdf(eps + t)) / den;
        }
        return List.of(update(winners, +1, v, w, c, tau2), update(losers, -1, v, w, c, tau2));
    }

    private static List<Rating> update(List<Rating> team, int sign, double v, double w, double c, double tau2) {
        return team.stream().map(r -> {
            double s2 = r.sigma() * r.sigma() + tau2;
            double mu = r.mu() + sign * s2 / c * v;
            double ns2 = s2 * (1 - s2 / (c * c) * w);
            return new Rating(mu, Math.sqrt(ns2));
        }).toList();
    }

    /** φ(x)/Φ(x) for the win case, stable in the lower tail. */
    private static double vWin(double t, double eps) {
        double x = t - eps;
        return ThurstoneModel.lambda(x);
    }

    static double pdf(double x) {
        return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    }

    static double cdf(double x) {
        return ThurstoneModel.cdf(x);
    }

    static double inverseCdf(double p) {
        return Math.sqrt(2) * Erf.erfInv(2 * p - 1);
    }
}
