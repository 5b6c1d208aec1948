package dev.prefer.serve;

import dev.prefer.data.votes.Outcome;

import dev.prefer.ratings.Leaderboard;
import dev.prefer.serve.Records.Vote;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class LeaderboardsTest {

    static Vote v(long id, String l, String r, Outcome o, double p) {
        return new Vote(id, "c" + id, 1, 1, "u", 1, l, r, o, Map.of(), null, p, 1000, id);
    }

    @Test
    void inverseProbabilityWeightingEqualsReplication() {
        // Identity: a vote drawn with probability 1/2 weighs twice a vote drawn with probability 1, exactly as if it
        // had been cast twice. Weights are normalised to mean 1, which rescales all weights equally and leaves
        // the maximum-likelihood ratings unchanged.
        List<Vote> weighted = List.of(v(1, "a", "b", Outcome.A_WINS, 0.5), v(2, "b", "c", Outcome.A_WINS, 1.0),
                v(3, "c", "a", Outcome.A_WINS, 1.0), v(4, "a", "c", Outcome.B_WINS, 1.0), v(5, "b", "a", Outcome.TIE, 1.0));
        List<Vote> replicated = new ArrayList<>(List.of(v(1, "a", "b", Outcome.A_WINS, 1.0), v(11, "a", "b", Outcome.A_WINS, 1.0),
                v(2, "b", "c", Outcome.A_WINS, 1.0), v(3, "c", "a", Outcome.A_WINS, 1.0), v(4, "a", "c", Outcome.B_WINS, 1.0), v(5, "b", "a", Outcome.TIE, 1.0)));
        Leaderboards lbs = new Leaderboards(0, 1);
        Leaderboard w = lbs.leaderboard(weighted);
        Leaderboard r = lbs.leaderboard(replicated);
        for (String s : List.of("a", "b", "c")) assertEquals(r.entry(s).rating(), w.entry(s).rating(), 1e-6, s);
        double sum = Leaderboards.ratingVotes(weighted).stream().mapToDouble(dev.prefer.data.votes.Vote::weight).sum();
        assertEquals(weighted.size(), sum, 1e-12, "weights have mean 1");
    }

    @Test
    void aCampaignsFirstVotesGetAPenalisedFitInsteadOfAnError() {
        // seen in the browser test: 3 votes where a and c never lost within their component; the maximum-likelihood
        // ratings do not exist (prefer rate refuses them), the page shows the L2-penalised fit and says why
        List<Vote> votes = List.of(v(1, "a", "b", Outcome.A_WINS, 1.0), v(2, "c", "b", Outcome.A_WINS, 1.0), v(3, "a", "c", Outcome.TIE, 1.0));
        LeaderboardView view = new Leaderboards(50, 1).compute(List.of("a", "b", "c"), votes);
        assertEquals(3, view.rows().size());
        assertTrue(view.method().contains("L2 penalty of 0.01") && view.method().contains("too few votes"), view.method());
        Leaderboard lb = new Leaderboards(0, 1).leaderboard(votes);
        // the penalised fit keeps the evidence's order: a and c (never lost, tied with each other) above b
        assertEquals(lb.entry("a").rating(), lb.entry("c").rating(), 1e-6);
        assertTrue(lb.entry("a").rating() > lb.entry("b").rating());
        // with enough votes the plain maximum-likelihood fit is used and nothing is said about a penalty
        List<Vote> more = new ArrayList<>(votes);
        more.add(v(4, "b", "a", Outcome.A_WINS, 1.0));
        more.add(v(5, "b", "c", Outcome.A_WINS, 1.0));
        assertFalse(new Leaderboards(0, 1).compute(List.of("a", "b", "c"), more).method().contains("L2"));
    }

    @Test
    void symmetricVotesGiveEqualRatingsAndViewRanks() {
        // a beats b once and b beats a once: equal strengths (Bradley-Terry identity), same rank.
        List<Vote> votes = List.of(v(1, "a", "b", Outcome.A_WINS, 1), v(2, "a", "b", Outcome.B_WINS, 1),
                v(3, "b", "a", Outcome.A_WINS, 1), v(4, "b", "a", Outcome.B_WINS, 1));
        LeaderboardView view = new Leaderboards(50, 3).compute(List.of("a", "b"), votes);
        assertEquals(2, view.rows().size());
        assertEquals(view.rows().get(0).rating(), view.rows().get(1).rating(), 1e-6);
        assertEquals(1000, view.rows().get(0).rating(), 1e-6, "elo scale centred at 1000");
        assertEquals(1, view.rows().get(0).rank());
        assertEquals(1, view.rows().get(1).rank());
        assertTrue(view.method().contains("Bradley-Terry"));
        assertTrue(new Leaderboards().compute(List.of("a"), List.of()).rows().isEmpty());
    }
}
