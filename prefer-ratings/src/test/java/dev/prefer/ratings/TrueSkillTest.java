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

    @Test
    void rankedTeamsWithTwoTeamsEqualTheClosedForm() {
        TrueSkill.Options o = TrueSkill.Options.DEFAULT;
        TrueSkill.Rating a = new TrueSkill.Rating(20, 5), b = new TrueSkill.Rating(22, 6), c = new TrueSkill.Rating(27, 4);
        for (boolean draw : new boolean[] {false, true}) {
            List<List<TrueSkill.Rating>> closed = TrueSkill.rateTeams(List.of(a, b), List.of(c), draw, o);
            // Input order reversed (loser first) to exercise the sorting by rank.
            List<List<TrueSkill.Rating>> graph = TrueSkill.rateRanked(List.of(List.of(c), List.of(a, b)), new int[] {draw ? 0 : 1, 0}, o);
            for (int i = 0; i < 2; i++) {
                assertEquals(closed.get(0).get(i).mu(), graph.get(1).get(i).mu(), 1e-9);
                assertEquals(closed.get(0).get(i).sigma(), graph.get(1).get(i).sigma(), 1e-9);
            }
            assertEquals(closed.get(1).get(0).mu(), graph.get(0).get(0).mu(), 1e-9);
            assertEquals(closed.get(1).get(0).sigma(), graph.get(0).get(0).sigma(), 1e-9);
        }
    }

    /**
     * The trueskill package's (0.1.0) documented three-team example: teams (p1), (p2, p3), (p4), all default
     * ratings, ranked in that order, give p1 35.877/6.791, p2 = p3 17.867/7.059, p4 21.255/7.155.
     */
    @Test
    void threeTeamsPackageExample() {
        TrueSkill.Options o = TrueSkill.Options.DEFAULT;
        TrueSkill.Rating d = o.initial();
        List<List<TrueSkill.Rating>> r = TrueSkill.rateRanked(List.of(List.of(d), List.of(d, d), List.of(d)), new int[] {0, 1, 2}, o);
        assertEquals(35.877, r.get(0).get(0).mu(), 5e-4);
        assertEquals(6.791, r.get(0).get(0).sigma(), 5e-4);
        assertEquals(17.867, r.get(1).get(0).mu(), 5e-4);
        assertEquals(7.059, r.get(1).get(1).sigma(), 5e-4);
        assertEquals(21.255, r.get(2).get(0).mu(), 5e-4);
        assertEquals(7.155, r.get(2).get(0).sigma(), 5e-4);
    }
}
