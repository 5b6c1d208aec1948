package dev.prefer.ratings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.votes.VoteFile;
import org.junit.jupiter.api.Test;

/** The unregularised Bradley-Terry fit of LLMFAO's 8,931 crowd votes converges and is deterministic. */
class LlmfaoFitTest {

    @Test
    void convergesAndIsDeterministic() {
        VoteFile vf = Shared.llmfaoCrowd();
        assertEquals(8931, vf.votes().size());
        Comparisons c = Comparisons.of(vf.votes());
        assertEquals(59, c.itemCount());
        Fit a = BradleyTerry.fit(c, FitOptions.DEFAULT);
        Fit b = BradleyTerry.fit(Comparisons.of(vf.votes()), FitOptions.DEFAULT);
        assertTrue(a.converged());
        assertTrue(a.iterations() < 20, "Newton iterations: " + a.iterations());
        assertEquals(1, a.components());
        assertArrayEquals(a.theta(), b.theta(), 0.0);
        // First-order conditions: every item's expected wins equal its observed wins (+ half its ties).
        PairTable p = c.pairs();
        double[] g = new double[c.itemCount()];
        double[] out = new double[6];
        double[] th = a.theta();
        for (int q = 0; q < p.size(); q++) {
            BradleyTerryModel.INSTANCE.pair(th[p.i(q)] - th[p.j(q)], 0, p.winsI(q), p.winsJ(q), p.ties(q), out);
            g[p.i(q)] += out[1];
            g[p.j(q)] -= out[1];
        }
        for (double x : g) assertEquals(0, x, 1e-9);
        double sum = 0;
        for (double x : th) sum += x;
        assertEquals(0, sum, 1e-12);
    }

    @Test
    void bootstrapIsSeededAndCoversThePointEstimate() {
        Comparisons c = Comparisons.of(Shared.llmfaoCrowd().votes());
        RatingOptions o = RatingOptions.DEFAULT.withBootstrap(50, 7);
        Leaderboard x = Ratings.leaderboard(c, o);
        Leaderboard y = Ratings.leaderboard(c, o.withFit(o.fit()));
        assertEquals(x.entries(), y.entries());
        assertEquals("bootstrap", x.intervals());
        for (Leaderboard.Entry e : x.entries()) {
            assertTrue(e.lower() <= e.upper());
            assertTrue(e.rank() >= 1);
        }
        double mean = x.entries().stream().mapToDouble(Leaderboard.Entry::rating).average().orElseThrow();
        assertEquals(1000, mean, 1e-9);
        // The top item by rating has rank 1 (nobody's lower bound can exceed the top item's upper bound).
        assertEquals(1, x.entries().get(0).rank());
    }
}
