package dev.prefer.serve.stats;

import dev.prefer.serve.CampaignSpec;
import dev.prefer.data.votes.Outcome;
import dev.prefer.serve.Records.Item;
import dev.prefer.serve.Records.Vote;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** A small campaign worked out by hand. */
class CampaignStatsTest {

    static Vote v(long id, long user, String name, long item, String l, String r, Outcome o, long ms, long at) {
        return new Vote(id, "c" + id, 1, user, name, item, l, r, o, Map.of(), null, 1.0, ms, at);
    }

    @Test
    void byHand() {
        List<Item> items = List.of(
                new Item(1, 1, "P1", Map.of("a", "1", "b", "2"), Map.of(), "a"),   // gold: a is better
                new Item(2, 2, "P2", Map.of("a", "1", "b", "2"), Map.of(), null));
        List<Vote> votes = new ArrayList<>();
        // u1 (fast, wrong on gold three times), u2 (slow, right on gold).
        votes.add(v(1, 1, "u1", 1, "a", "b", Outcome.B_WINS, 100, 0));       // u1 on P1: b wins -> gold wrong; label "second"
        votes.add(v(2, 2, "u2", 1, "b", "a", Outcome.B_WINS, 5000, 1000));   // u2 on P1: a wins -> gold right; label "first"
        votes.add(v(3, 1, "u1", 2, "b", "a", Outcome.A_WINS, 100, 2000));     // u1 on P2: b wins; label "second"
        votes.add(v(4, 2, "u2", 2, "a", "b", Outcome.B_WINS, 5000, 3000));   // u2 on P2: b wins; label "second"
        votes.add(v(5, 1, "u1", 1, "b", "a", Outcome.A_WINS, 100, 62000));    // u1 on P1 again: b wins (gold wrong); first judgement kept for agreement
        votes.add(v(6, 1, "u1", 1, "a", "b", Outcome.TIE, 100, 122000));     // u1 tie on P1 (gold scored: wrong)
        CampaignStats s = CampaignStats.of(CampaignSpec.defaults(), items, votes);

        assertEquals(List.of("a", "b"), s.systems());
        // a vs b: a scores 0 (v1) + 1 (v2) + 0 (v3) + 0 (v4) + 0 (v5) + .5 (v6) = 1.5 of 6.
        assertEquals(1.5 / 6, s.winRate()[0][1], 1e-12);
        assertEquals(4.5 / 6, s.winRate()[1][0], 1e-12);
        // Decisive votes: 5; left won in v3 and v5 -> 2 of 5.
        assertEquals(5, s.decisive());
        assertEquals(2, s.leftWins());
        assertEquals(0.4, s.leftWinShare(), 1e-12);
        // Wilson interval for 2/5 at 95%: centre (0.4 + z²/10)/(1 + z²/5), half z·sqrt(.24/5 + z²/100)/(1 + z²/5).
        double z = 1.959963984540054, den = 1 + z * z / 5;
        assertEquals((0.4 + z * z / 10) / den - z * Math.sqrt(0.24 / 5 + z * z / 100) / den, s.leftWinLow(), 1e-12);

        var u1 = s.annotators().get(0);
        var u2 = s.annotators().get(1);
        assertEquals("u1", u1.username());
        assertEquals(4, u1.votes());
        assertEquals(3, u1.goldScored());
        assertEquals(0.0, u1.goldAccuracy(), 1e-12);
        assertEquals(1.0, u1.fastShare(), 1e-12);
        assertTrue(u1.flagged());
        assertEquals(100, u1.medianResponseMs(), 1e-12);
        // u1 votes at 0, 2 s, 62 s, 122 s: 3 intervals in 122 s = 1.475 votes/min.
        assertEquals(3 / (122.0 / 60), u1.votesPerMinute(), 1e-12);
        assertEquals(1, u2.goldScored());
        assertEquals(1.0, u2.goldAccuracy(), 1e-12);
        assertFalse(u2.flagged());
        // Units: P1|a|b -> u1 "second", u2 "first"; P2|a|b -> u1 "second", u2 "second". Both have two raters.
        assertEquals(2, s.unitsWithOverlap());
        assertEquals(0.5, u1.consensusAgreement(), 1e-12);
        // Kappa u1 vs u2 on 2 units: p_o = 1/2; u1 all "second", so p_e = 1 * (1/2) = 1/2; kappa = 0.
        assertEquals(0.0, s.pairAgreements().get(0).kappa(), 1e-12);
        // Alpha: values first, second, second, second; o(first,second) = o(second,first) = 1; n_first = 1,
        // n_second = 3, n = 4: alpha = 1 - 3 * 2 / (2 * 1 * 3) = 0.
        assertEquals(0.0, s.krippendorffAlpha(), 1e-12);
    }
}
