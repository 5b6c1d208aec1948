package dev.prefer.ratings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.votes.PrefLib;
import dev.prefer.data.votes.Ranking;
import org.junit.jupiter.api.Test;

/** PrefLib Debian 2002 leader election (475 voters, 4 alternatives, strict incomplete orders). */
class PrefLibTest {
    @Test
    void debian2002() {
        PrefLib.Data d = PrefLib.read(Shared.path("data/preflib/00002-00000001.soi"));
        assertEquals(4, d.alternatives().size());
        assertEquals("Branden Robinson", d.alternatives().get(0));
        double voters = d.rankings().stream().mapToDouble(Ranking::weight).sum();
        // 475 voters; rankings of a single alternative carry no preference and are dropped.
        assertTrue(voters <= 475 && voters > 400, "voters " + voters);
        assertEquals(60.0, d.rankings().get(0).weight());
        assertEquals("Bdale Garbee", d.rankings().get(0).tiers().get(0).get(0));
        Fit f = PlackettLuce.fit(d.rankings(), FitOptions.DEFAULT);
        assertTrue(f.converged());
        // Every first-place count dominates: Bdale Garbee, the elected leader, has the highest strength.
        int best = 0;
        for (int i = 1; i < f.items().size(); i++) if (f.theta(i) > f.theta(best)) best = i;
        assertEquals("Bdale Garbee", f.items().get(best));
        // I-LSR reaches the same maximum-likelihood estimate.
        Fit ilsr = LuceSpectral.ilsr(PlackettLuce.fromRankings(d.rankings()), 1e-12, 1000);
        for (String s : f.items()) assertEquals(f.theta(s), ilsr.theta(s), 1e-8);
    }

    /**
     * The Plackett-Luce bootstrap resamples voters: its standard deviations estimate the same sampling spread as
     * the Fisher standard errors (both consistent for the MLE's; 400 rounds give the bootstrap sd a relative
     * Monte-Carlo error of about 1/sqrt(2·400) = 3.5%, so 20% is far outside chance), and the same seed repeats.
     */
    @Test
    void plackettLuceBootstrapSpreadMatchesFisher() {
        PrefLib.Data d = PrefLib.read(Shared.path("data/preflib/00002-00000001.soi"));
        PlackettLuce.Data data = PlackettLuce.fromRankings(d.rankings());
        Fit f = PlackettLuce.fit(data, FitOptions.DEFAULT);
        Bootstrap.Result b = PlackettLuce.bootstrap(data, FitOptions.DEFAULT, Bootstrap.Options.of(400, 3));
        assertEquals(0, b.failed());
        for (int i = 0; i < f.items().size(); i++) {
            double m = 0, v = 0;
            for (double[] t : b.theta()) m += t[i];
            m /= b.rounds();
            for (double[] t : b.theta()) v += (t[i] - m) * (t[i] - m);
            double sd = Math.sqrt(v / (b.rounds() - 1));
            double ratio = sd / f.standardError()[i];
            assertTrue(ratio > 0.8 && ratio < 1.25, f.items().get(i) + ": bootstrap sd " + sd + " vs Fisher se " + f.standardError()[i]);
        }
        Bootstrap.Result again = PlackettLuce.bootstrap(data, FitOptions.DEFAULT, Bootstrap.Options.of(400, 3));
        for (int k = 0; k < b.rounds(); k++) org.junit.jupiter.api.Assertions.assertArrayEquals(b.theta()[k], again.theta()[k]);
    }
}
