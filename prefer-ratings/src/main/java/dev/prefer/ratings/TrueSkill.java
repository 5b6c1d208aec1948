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

    /**
     * Any number of ranked teams (Herbrich et al. 2007, the full factor graph): {@code ranks[k]} is team k's place
     * (smaller is better; equal places are draws). Teams are sorted by rank; the skills of a team's players sum to
     * its performance; adjacent teams' performance differences get a win or draw truncation factor; expectation
     * propagation iterates over the chain of difference factors (forward and backward) until the messages move
     * less than 1e-6, then the messages flow back down to the skills. With two teams this is exactly
     * {@link #rateTeams}. Returns the updated teams in the input order.
     */
    public static List<List<Rating>> rateRanked(List<List<Rating>> teams, int[] ranks, Options o) {
        int T = teams.size();
        if (T < 2 || ranks.length != T) throw new IllegalArgumentException("need at least two teams and one rank per team");
        Integer[] order = new Integer[T];
        for (int k = 0; k < T; k++) {
            if (teams.get(k).isEmpty()) throw new IllegalArgumentException("each team needs a player");
            order[k] = k;
        }
        java.util.Arrays.sort(order, (x, y) -> Integer.compare(ranks[x], ranks[y]));
        double tau2 = o.tau() * o.tau(), beta2 = o.beta() * o.beta();
        // Team performance messages from below (sum of player performances): natural parameters (pi, tau).
        double[] belowPi = new double[T], belowTau = new double[T];
        int[] size = new int[T];
        for (int k = 0; k < T; k++) {
            double mu = 0, var = 0;
            for (Rating r : teams.get(order[k])) { mu += r.mu(); var += r.sigma() * r.sigma() + tau2 + beta2; }
            belowPi[k] = 1 / var;
            belowTau[k] = mu / var;
            size[k] = teams.get(order[k]).size();
        }
        int D = T - 1;
        double[] upLPi = new double[D], upLTau = new double[D], upRPi = new double[D], upRTau = new double[D];
        double[] truncPi = new double[D], truncTau = new double[D];
        for (int iter = 0; iter < 100; iter++) {
            double delta = 0;
            for (int pass = 0; pass < 2; pass++) {
                for (int q = 0; q < D; q++) {
                    int k = pass == 0 ? q : D - 1 - q;
                    // Cavities of the two teams, excluding this difference factor.
                    double c0Pi = belowPi[k] + (k > 0 ? upRPi[k - 1] : 0), c0Tau = belowTau[k] + (k > 0 ? upRTau[k - 1] : 0);
                    double c1Pi = belowPi[k + 1] + (k + 1 < D ? upLPi[k + 1] : 0), c1Tau = belowTau[k + 1] + (k + 1 < D ? upLTau[k + 1] : 0);
                    double m0 = c0Tau / c0Pi, v0 = 1 / c0Pi, m1 = c1Tau / c1Pi, v1 = 1 / c1Pi;
                    double dm = m0 - m1, dv = v0 + v1; // message to the difference
                    double sd = Math.sqrt(dv);
                    double margin = inverseCdf((o.drawProbability() + 1) / 2) * Math.sqrt(size[k] + size[k + 1]) * o.beta();
                    double t = dm / sd, eps = margin / sd;
                    boolean draw = ranks[order[k]] == ranks[order[k + 1]];
                    double v, w;
                    if (!draw) {
                        v = ThurstoneModel.lambda(t - eps);
                        w = v * (v + t - eps);
                    } else {
                        double den = cdf(eps - t) - cdf(-eps - t);
                        v = (pdf(-eps - t) - pdf(eps - t)) / den;
                        w = v * v + ((eps - t) * pdf(eps - t) + (eps + t) * pdf(eps + t)) / den;
                    }
                    double newMean = dm + sd * v, newVar = dv * (1 - w);
                    double nPi = 1 / newVar - 1 / dv, nTau = newMean / newVar - dm / dv;
                    delta = Math.max(delta, Math.max(Math.abs(nPi - truncPi[k]), Math.abs(nTau - truncTau[k])));
                    truncPi[k] = nPi;
                    truncTau[k] = nTau;
                    // Up to the teams: t_k = d + t_{k+1}, t_{k+1} = t_k - d.
                    double um = nTau / nPi, uv = 1 / nPi;
                    double lm = um + m1, lv = uv + v1;
                    double rm = m0 - um, rv = v0 + uv;
                    upLPi[k] = 1 / lv; upLTau[k] = lm / lv;
                    upRPi[k] = 1 / rv; upRTau[k] = rm / rv;
                }
            }
            if (delta < 1e-6) break;
        }
        List<List<Rating>> out = new java.util.ArrayList<>(java.util.Collections.nCopies(T, null));
        for (int k = 0; k < T; k++) {
            double aPi = (k > 0 ? upRPi[k - 1] : 0) + (k < D ? upLPi[k] : 0);
            double aTau = (k > 0 ? upRTau[k - 1] : 0) + (k < D ? upLTau[k] : 0);
            double am = aTau / aPi, av = 1 / aPi;
            List<Rating> team = teams.get(order[k]);
            List<Rating> updated = new java.util.ArrayList<>();
            for (int i = 0; i < team.size(); i++) {
                double om = 0, ov = 0;
                for (int l = 0; l < team.size(); l++) {
                    if (l == i) continue;
                    om += team.get(l).mu();
                    ov += team.get(l).sigma() * team.get(l).sigma() + tau2 + beta2;
                }
                double pm = am - om, pv = av + ov;          // message to player i's performance
                double sm = pm, sv = pv + beta2;             // through the performance noise to the skill
                double priorVar = team.get(i).sigma() * team.get(i).sigma() + tau2;
                double postPi = 1 / priorVar + 1 / sv, postTau = team.get(i).mu() / priorVar + sm / sv;
                updated.add(new Rating(postTau / postPi, Math.sqrt(1 / postPi)));
            }
            out.set(order[k], updated);
        }
        return out;
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
