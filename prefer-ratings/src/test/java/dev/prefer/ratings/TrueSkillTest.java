package dev.prefer.ratings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrueSkillTest {

    /**
     * The textbook 1-vs-1 update from the issue: a 25/8.333 player beats a 30/8.333 player and becomes
     * 30.768/7.030, the loser 24.232/7.030 (default environment: β 25/6, τ 25/300, draw probability 0.10).
     */
    @Test
    void textbookOneVsOne() {
        TrueSkill.Options o = TrueSkill.Options.DEFAULT;
        TrueSkill.Rating[] r = TrueSkill.rate1v1(new TrueSkill.Rating(25, 25.0 / 3), new TrueSkill.Rating(30, 25.0 / 3), false, o);
        assertEquals(30.768, r[0].mu(), 5e-4);
        assertEquals(7.030, r[0].sigma(), 5e-4);
        assertEquals(24.232, r[1].mu(), 5e-4);
        assertEquals(7.030, r[1].sigma(), 5e-4);
    }

    @Test
    void drawBetweenEqualsMovesNoMeanAndShrinksSigma() {
        TrueSkill.Rating a = TrueSkill.Options.DEFAULT.initial();
        TrueSkill.Rating[] r = TrueSkill.rate1v1(a, a, true, TrueSkill.Options.DEFAULT);
        assertEquals(25, r[0].mu(), 1e-12);
        assertEquals(25, r[1].mu(), 1e-12);
        assertTrue(r[0].sigma() < a.sigma());
    }

    @Test
    void teamOfOneEqualsOneVsOneAndTeamsConserveMeanShift() {
        TrueSkill.Options o = TrueSkill.Options.DEFAULT;
        TrueSkill.Rating a = new TrueSkill.Rating(20, 5), b = new TrueSkill.Rating(22, 6), c = new TrueSkill.Rating(27, 4);
        List<List<TrueSkill.Rating>> r = TrueSkill.rateTeams(List.of(a, b), List.of(c), false, o);
        // Mean shifts are σ²/c·v per player: winners gain in proportion to their (σ² + τ²), loser loses the same v/c scale.
        double ka = (r.get(0).get(0).mu() - a.mu()) / (a.sigma() * a.sigma() + o.tau() * o.tau());
        double kb = (r.get(0).get(1).mu() - b.mu()) / (b.sigma() * b.sigma() + o.tau() * o.tau());
        double kc = (c.mu() - r.get(1).get(0).mu()) / (c.sigma() * c.sigma() + o.tau() * o.tau());
        assertEquals(ka, kb, 1e-12);
        assertEquals(ka, kc, 1e-12);
        assertTrue(ka > 0);
    }
}
