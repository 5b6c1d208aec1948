package dev.prefer.ratings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.Source;
import dev.prefer.data.votes.Outcome;
import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One rater per model, and the ratings defects of issue #16 (item 5, and mixture from item 1), each pinned. */
class RaterTest {
    static Vote v(String a, String b, Outcome o, String ts, String cat, String ann) {
        return new Vote(a, b, o, 1.0, ann, ts, cat, null, new Source("votes.csv", 2));
    }

    /** A beats B in the first 10 (older) votes, B beats A in the last 10: online Elo puts the recent winner B first. */
    static List<Vote> drift() {
        List<Vote> vs = new ArrayList<>();
        for (int t = 0; t < 20; t++) vs.add(v("A", "B", t < 10 ? Outcome.A_WINS : Outcome.B_WINS, "2024-01-01T00:00:" + String.format("%02d", t) + "Z", null, null));
        return vs;
    }

    @Test
    void everyModelHasARaterAndTheJavaApiRatesWithIt() {
        List<Vote> vs = new ArrayList<>();
        String[] it = {"x", "y", "z"};
        for (int k = 0; k < 60; k++) vs.add(v(it[k % 3], it[(k + 1) % 3], k % 4 == 0 ? Outcome.B_WINS : k % 7 == 0 ? Outcome.TIE : Outcome.A_WINS, null, null, "u" + k % 5));
        for (String m : Raters.MODELS) {
            if (m.equals("contextual") || m.equals("style")) continue; // need features; ContextualAndMixtureTest, SandwichAndStyleTest
            Leaderboard lb = Ratings.leaderboard(vs, RatingOptions.DEFAULT.withModel(m));
            assertEquals(3, lb.entries().size(), m);
        }
    }

    @Test
    void timestampOrdersOnlineEloSoReversingTheFileChangesNothing() {
        List<Vote> fwd = drift();
        List<Vote> rev = new ArrayList<>(fwd);
        Collections.reverse(rev);
        RatingOptions elo = RatingOptions.DEFAULT.withModel("elo");
        // Without timestamps the order of the file decides (the defect): the leader flips.
        assertEquals("B", Ratings.leaderboard(fwd, elo).entries().get(0).item());
        assertEquals("A", Ratings.leaderboard(rev, elo).entries().get(0).item());
        // In time order both files give B, with identical ratings.
        Leaderboard f = Ratings.leaderboard(fwd, elo.withTimestampOrder(true)), r = Ratings.leaderboard(rev, elo.withTimestampOrder(true));
        assertEquals("B", f.entries().get(0).item());
        assertEquals("B", r.entries().get(0).item());
        assertEquals(f.entry("A").rating(), r.entry("A").rating(), 0);
        assertTrue(f.notes().get(0).contains("timestamp order"), f.notes().toString());
        Leaderboard ts = Ratings.leaderboard(rev, RatingOptions.DEFAULT.withModel("trueskill").withTimestampOrder(true));
        assertEquals("B", ts.entries().get(0).item());
    }

    @Test
    void epochSecondsAndIsoTimestampsOrderAlikeAndAMissingOneIsLocated() {
        assertEquals(1704067200.0, Raters.seconds(v("a", "b", Outcome.TIE, "2024-01-01T00:00:00Z", null, null)), 0);
        assertEquals(1704067200.0, Raters.seconds(v("a", "b", Outcome.TIE, "2024-01-01", null, null)), 0);
        assertEquals(1704067200.5, Raters.seconds(v("a", "b", Outcome.TIE, "1704067200.5", null, null)), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Raters.inTimeOrder(List.of(v("a", "b", Outcome.TIE, null, null, null))));
        assertTrue(e.getMessage().startsWith("votes.csv:2: field 'timestamp'"), e.getMessage());
    }

    @Test
    void categoriesGetTheirOwnLeaderboards() {
        List<Vote> vs = new ArrayList<>();
        // code: A 3 wins, B 1 win -> theta_A - theta_B = ln 3 (two-item BT MLE: the odds are the win ratio)
        for (int k = 0; k < 3; k++) vs.add(v("A", "B", Outcome.A_WINS, null, "code", null));
        vs.add(v("A", "B", Outcome.B_WINS, null, "code", null));
        // writing: the reverse, 1:4
        vs.add(v("A", "B", Outcome.A_WINS, null, "writing", null));
        for (int k = 0; k < 4; k++) vs.add(v("B", "A", Outcome.A_WINS, null, "writing", null));
        List<Rate.CategoryBoard> cats = Rate.byCategory(vs, RatingOptions.DEFAULT);
        assertEquals(List.of("writing", "code"), cats.stream().map(Rate.CategoryBoard::category).toList());
        Leaderboard code = cats.get(1).leaderboard(), writing = cats.get(0).leaderboard();
        assertEquals("A", code.entries().get(0).item());
        assertEquals(400 * Math.log10(3), code.entry("A").rating() - code.entry("B").rating(), 1e-6);
        assertEquals("B", writing.entries().get(0).item());
        assertEquals(400 * Math.log10(4), writing.entry("B").rating() - writing.entry("A").rating(), 1e-6);
    }

    @Test
    void categoryThatCannotBeRatedSaysWhyInsteadOfFailingTheRun() {
        List<Vote> vs = List.of(v("A", "B", Outcome.A_WINS, null, "tiny", null), v("A", "B", Outcome.B_WINS, null, "ok", null),
                v("B", "A", Outcome.B_WINS, null, "ok", null));
        List<Rate.CategoryBoard> cats = Rate.byCategory(vs, RatingOptions.DEFAULT);
        Rate.CategoryBoard tiny = cats.stream().filter(c -> c.category().equals("tiny")).findFirst().orElseThrow();
        assertEquals(null, tiny.leaderboard());
        assertTrue(tiny.error().contains("never lost"), tiny.error());
    }

    @Test
    void eloBootstrapGivesRealIntervalsNotZeroWidth() {
        List<Vote> vs = new ArrayList<>();
        String[] it = {"p", "q", "r", "s"};
        for (int k = 0; k < 400; k++) vs.add(v(it[k % 4], it[(k + 1 + k / 4 % 3) % 4], (k * 7919) % 3 == 0 ? Outcome.B_WINS : Outcome.A_WINS, null, null, null));
        Leaderboard lb = Ratings.leaderboard(vs, RatingOptions.DEFAULT.withModel("elo").withBootstrap(50, 3));
        assertEquals("bootstrap", lb.intervals());
        assertEquals(50, lb.bootstrapRounds());
        for (Leaderboard.Entry e : lb.entries()) assertTrue(e.upper() - e.lower() > 1, e.toString());
        Leaderboard none = Ratings.leaderboard(vs, RatingOptions.DEFAULT.withModel("elo"));
        assertEquals("none", none.intervals());
        for (Leaderboard.Entry e : none.entries()) assertTrue(Double.isNaN(e.lower()) && Double.isNaN(e.upper()), e.toString());
        assertFalse(none.toTable().contains("["), none.toTable());
    }

    @Test
    void thurstoneSaysProbitNotOdds() {
        List<Vote> vs = List.of(v("A", "B", Outcome.A_WINS, null, null, null), v("A", "B", Outcome.B_WINS, null, null, null),
                v("A", "B", Outcome.A_WINS, null, null, null));
        Leaderboard th = Ratings.leaderboard(vs, RatingOptions.DEFAULT.withModel("thurstone"));
        assertTrue(th.toTable().contains("probit"), th.toTable());
        assertFalse(th.toTable().contains("400*log10 odds"), th.toTable());
        assertTrue(Ratings.leaderboard(vs, RatingOptions.DEFAULT).toTable().contains("400*log10 odds"));
        // P(A beats B) = Phi(theta_A - theta_B) = 2/3 at the MLE (one pair: the fitted probability is the win share).
        Rater.Result r = Ratings.rate(vs, RatingOptions.DEFAULT.withModel("thurstone"));
        assertEquals(2.0 / 3, r.winProbabilities()[r.items().indexOf("A")][r.items().indexOf("B")], 1e-9);
    }

    @Test
    void winProbabilitiesAcrossComponentsAreNotIdentified() {
        List<Vote> vs = List.of(v("A", "B", Outcome.A_WINS, null, null, null), v("B", "A", Outcome.A_WINS, null, null, null),
                v("A", "B", Outcome.A_WINS, null, null, null), v("C", "D", Outcome.A_WINS, null, null, null), v("D", "C", Outcome.A_WINS, null, null, null));
        Rater.Result r = Ratings.rate(vs, RatingOptions.DEFAULT);
        int a = r.items().indexOf("A"), b = r.items().indexOf("B"), c = r.items().indexOf("C");
        assertEquals(2.0 / 3, r.winProbabilities()[a][b], 1e-9);
        assertTrue(Double.isNaN(r.winProbabilities()[a][c]));
        assertTrue(r.hasUnidentifiedPairs());
        String csv = Rate.matrixCsv(r.items(), r.winProbabilities());
        assertTrue(csv.contains("NA"), csv);
        assertTrue(r.leaderboard().notes().stream().anyMatch(n -> n.contains("not identified")), r.leaderboard().notes().toString());
    }

    @Test
    void mixtureWithoutAnnotatorsIsRefusedAndWithThemHasNoFakeIntervals() {
        List<Vote> vs = new ArrayList<>();
        for (int k = 0; k < 40; k++) vs.add(v("A", k % 2 == 0 ? "B" : "C", k % 3 == 0 ? Outcome.B_WINS : Outcome.A_WINS, null, null, null));
        vs.add(v("B", "C", Outcome.A_WINS, null, null, null));
        vs.add(v("C", "B", Outcome.A_WINS, null, null, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ratings.leaderboard(vs, RatingOptions.DEFAULT.withModel("mixture")));
        assertTrue(e.getMessage().contains("--annotator"), e.getMessage());
        List<Vote> withAnn = new ArrayList<>();
        for (int k = 0; k < vs.size(); k++) withAnn.add(v(vs.get(k).a(), vs.get(k).b(), vs.get(k).outcome(), null, null, "w" + k % 4));
        Leaderboard lb = Ratings.leaderboard(withAnn, RatingOptions.DEFAULT.withModel("mixture"));
        assertEquals("none", lb.intervals());
        for (Leaderboard.Entry x : lb.entries()) assertTrue(Double.isNaN(x.lower()), x.toString());
        assertFalse(lb.toTable().contains("["), lb.toTable());
        assertThrows(IllegalArgumentException.class, () -> Ratings.leaderboard(withAnn, RatingOptions.DEFAULT.withModel("mixture").withBootstrap(10, 1)));
    }

    @Test
    void bootstrapIsNeverSilentlyDropped() {
        List<Vote> vs = List.of(v("A", "B", Outcome.A_WINS, null, null, null), v("B", "A", Outcome.A_WINS, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> Ratings.leaderboard(vs, RatingOptions.DEFAULT.withModel("contextual").withFeatures(List.of("f")).withBootstrap(5, 1)));
        Leaderboard ts = Ratings.leaderboard(List.of(v("A", "B", Outcome.A_WINS, null, null, null), v("B", "A", Outcome.A_WINS, null, null, null),
                v("A", "B", Outcome.A_WINS, null, null, null)), RatingOptions.DEFAULT.withModel("trueskill").withBootstrap(20, 1));
        assertEquals("bootstrap", ts.intervals());
        assertArrayEquals(new int[] {20}, new int[] {ts.bootstrapRounds()});
        // Options a model cannot honour are refused, not dropped.
        assertThrows(IllegalArgumentException.class, () -> Ratings.leaderboard(vs, RatingOptions.DEFAULT.withModel("elo").withReweight(50)));
        assertThrows(IllegalArgumentException.class, () -> Ratings.leaderboard(vs, RatingOptions.DEFAULT.withModel("elo").withIntervals("sandwich")));
        assertThrows(IllegalArgumentException.class, () -> Ratings.leaderboard(vs, RatingOptions.DEFAULT.withReweight(50))); // Fisher with weights
        assertThrows(IllegalArgumentException.class, () -> Ratings.leaderboard(vs, RatingOptions.DEFAULT.withModel("contextual").withFeatures(List.of("f")).withReweight(50)));
    }
}
