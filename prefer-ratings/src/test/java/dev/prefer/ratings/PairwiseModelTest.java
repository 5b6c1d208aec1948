package dev.prefer.ratings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.votes.Outcome;
import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Derivatives against central finite differences, probabilities summing to 1, and exact identities. */
class PairwiseModelTest {

    @ParameterizedTest
    @ValueSource(strings = {"bt", "thurstone", "davidson", "rao-kupper"})
    void derivativesMatchFiniteDifferences(String name) {
        PairwiseModel m = Ratings.pairwiseModel(name);
        SplittableRandom rnd = new SplittableRandom(11);
        double[] o = new double[6], p = new double[6], q = new double[6];
        for (int trial = 0; trial < 200; trial++) {
            double d = rnd.nextDouble(-6, 6);
            double eta = name.equals("rao-kupper") ? rnd.nextDouble(0.05, 2) : rnd.nextDouble(-2, 2);
            double wi = rnd.nextDouble(0, 5), wj = rnd.nextDouble(0, 5), t = m.hasTieParameter() || trial % 2 == 0 ? rnd.nextDouble(0, 3) : 0;
            m.pair(d, eta, wi, wj, t, o);
            double h = 1e-5;
            m.pair(d + h, eta, wi, wj, t, p);
            m.pair(d - h, eta, wi, wj, t, q);
            assertEquals((p[0] - q[0]) / (2 * h), o[1], 1e-6 * (1 + Math.abs(o[1])), name + " dℓ/dd");
            assertEquals((p[1] - q[1]) / (2 * h), o[3], 1e-6 * (1 + Math.abs(o[3])), name + " d²ℓ/dd²");
            if (m.hasTieParameter()) {
                assertEquals((p[2] - q[2]) / (2 * h), o[4], 1e-6 * (1 + Math.abs(o[4])), name + " d²ℓ/dddη");
                m.pair(d, eta + h, wi, wj, t, p);
                m.pair(d, eta - h, wi, wj, t, q);
                assertEquals((p[0] - q[0]) / (2 * h), o[2], 1e-6 * (1 + Math.abs(o[2])), name + " dℓ/dη");
                assertEquals((p[2] - q[2]) / (2 * h), o[5], 1e-6 * (1 + Math.abs(o[5])), name + " d²ℓ/dη²");
            }
            double[] pr = m.probabilities(d, eta);
            assertEquals(1.0, pr[0] + pr[1] + pr[2], 1e-12);
            // The log-likelihood is the weighted sum of log-probabilities (ties as half-wins when no tie parameter).
            double expect = m.hasTieParameter()
                    ? wi * Math.log(pr[0]) + wj * Math.log(pr[1]) + t * Math.log(pr[2])
                    : (wi + t / 2) * Math.log(pr[0]) + (wj + t / 2) * Math.log(pr[1]);
            assertEquals(expect, o[0], 1e-9 * (1 + Math.abs(expect)));
        }
    }

    @Test
    void equalStrengthsGiveOneHalf() {
        assertEquals(0.5, BradleyTerryModel.INSTANCE.winProbability(0, 0), 0);
        assertEquals(0.5, ThurstoneModel.INSTANCE.winProbability(0, 0), 1e-16);
        assertEquals(0.5, DavidsonModel.INSTANCE.winProbability(0, 0.3), 1e-16);
        assertEquals(0.5, RaoKupperModel.INSTANCE.winProbability(0, 0.3), 1e-16);
    }

    @Test
    void twoItemsClosedForm() {
        // Two items, 7 wins to 3: the MLE satisfies σ(d) = 0.7, so d = ln(7/3); centred: ±d/2.
        List<Vote> v = new ArrayList<>();
        for (int k = 0; k < 7; k++) v.add(Vote.of("x", "y", Outcome.A_WINS));
        for (int k = 0; k < 3; k++) v.add(Vote.of("y", "x", Outcome.A_WINS));
        Fit f = BradleyTerry.fit(v);
        assertEquals(Math.log(7.0 / 3.0) / 2, f.theta("x"), 1e-12);
        assertEquals(-Math.log(7.0 / 3.0) / 2, f.theta("y"), 1e-12);
        // Fisher: information of d is N p (1-p) = 10*0.21 = 2.1; θ_x = d/2 so se(θ_x) = (1/2)/sqrt(2.1).
        assertEquals(0.5 / Math.sqrt(2.1), f.standardError()[0], 1e-9);
        // Thurstone: Φ(d) = 0.7.
        Fit t = PairwiseFitter.fit(ThurstoneModel.INSTANCE, Comparisons.of(v), FitOptions.DEFAULT);
        assertEquals(0.7, ThurstoneModel.cdf(t.theta("x") - t.theta("y")), 1e-12);
    }

    @Test
    void weightsActLikeRepeatedVotes() {
        List<Vote> rep = new ArrayList<>(), wt = new ArrayList<>();
        String[][] games = {{"a", "b"}, {"b", "c"}, {"c", "a"}, {"a", "c"}};
        int[] times = {3, 2, 1, 2};
        for (int g = 0; g < games.length; g++) {
            for (int k = 0; k < times[g]; k++) rep.add(Vote.of(games[g][0], games[g][1], Outcome.A_WINS));
            wt.add(Vote.of(games[g][0], games[g][1], Outcome.A_WINS, times[g], null));
        }
        wt.add(Vote.of("b", "a", Outcome.TIE, 1, null));
        rep.add(Vote.of("b", "a", Outcome.TIE));
        assertArrayEquals(BradleyTerry.fit(rep).theta(), BradleyTerry.fit(wt).theta(), 1e-12);
    }

    @Test
    void l2HasClosedFormStationarity() {
        // With an L2 penalty the gradient of ℓ equals λθ at the optimum; check against finite differences of ℓ.
        List<Vote> v = List.of(Vote.of("a", "b", Outcome.A_WINS), Vote.of("a", "c", Outcome.A_WINS), Vote.of("b", "c", Outcome.TIE));
        double lambda = 0.5;
        Comparisons c = Comparisons.of(v);
        Fit f = BradleyTerry.fit(c, FitOptions.DEFAULT.withL2(lambda));
        double[] th = f.theta();
        double[] out = new double[6];
        for (int i = 0; i < 3; i++) {
            double h = 1e-6;
            double[] p = th.clone(), q = th.clone();
            p[i] += h;
            q[i] -= h;
            double g = (PairwiseFitter.objective(BradleyTerryModel.INSTANCE, c.pairs(), p, 0, 0, out)
                    - PairwiseFitter.objective(BradleyTerryModel.INSTANCE, c.pairs(), q, 0, 0, out)) / (2 * h);
            assertEquals(lambda * th[i], g, 1e-7);
        }
    }

    @Test
    void noMaximumLikelihoodIsANamedError() {
        List<Vote> v = List.of(Vote.of("a", "b", Outcome.A_WINS), Vote.of("b", "c", Outcome.A_WINS), Vote.of("c", "b", Outcome.A_WINS));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BradleyTerry.fit(v));
        assertTrue(e.getMessage().contains("'a'"), e.getMessage());
        assertTrue(e.getMessage().contains("l2"), e.getMessage());
        Fit f = BradleyTerry.fit(v, FitOptions.DEFAULT.withL2(0.1));
        assertTrue(f.theta("a") > f.theta("b"));
    }

    @Test
    void disconnectedGraphIsRatedPerComponent() {
        List<Vote> v = List.of(Vote.of("a", "b", Outcome.A_WINS), Vote.of("b", "a", Outcome.TIE),
                Vote.of("c", "d", Outcome.A_WINS), Vote.of("d", "c", Outcome.A_WINS), Vote.of("c", "d", Outcome.A_WINS));
        Fit f = BradleyTerry.fit(v);
        assertEquals(2, f.components());
        assertEquals(f.component()[0], f.component()[1]);
        assertTrue(f.component()[0] != f.component()[2]);
        // Component {a, b}: 1.5 wins to 0.5 -> d = ln 3; component {c, d}: 2 to 1 -> d = ln 2; each centred.
        assertEquals(Math.log(3) / 2, f.theta("a"), 1e-12);
        assertEquals(Math.log(2) / 2, f.theta("c"), 1e-12);
        assertTrue(f.notes().get(0).contains("2 connected components"));
    }

    @Test
    void manyItemsUseTheSparsePathsAndASymmetricRingIsFlat() {
        // 1,200 items in a ring, each neighbour pair one win each way: every θ is 0 by symmetry. Large enough that
        // Comparisons and PairTable switch from dense index arrays to hash maps.
        List<Vote> v = new ArrayList<>();
        int n = 1200;
        for (int i = 0; i < n; i++) {
            String a = "i" + i, b = "i" + ((i + 1) % n);
            v.add(Vote.of(a, b, Outcome.A_WINS));
            v.add(Vote.of(a, b, Outcome.B_WINS));
        }
        Fit f = BradleyTerry.fit(v, FitOptions.DEFAULT.withStandardErrors(false));
        assertTrue(f.converged());
        for (double t : f.theta()) assertEquals(0, t, 1e-12);
    }
}
