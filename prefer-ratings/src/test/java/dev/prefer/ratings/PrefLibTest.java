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
}
