package dev.prefer.ratings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.votes.Outcome;
import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Davidson and Rao-Kupper on two items: both models have two free parameters (d, tie parameter), as many as the
 * trinomial, so the MLE reproduces the observed shares exactly. Hand derivation:
 * Davidson: P1/P2 = e^d and P_t/√(P1 P2) = ν, so d = ln(w1/w2), ν = t/√(w1 w2).
 * Rao-Kupper: P1 = σ(d − η), P2 = σ(−d − η), so d = (logit p1 − logit p2)/2, η = −(logit p1 + logit p2)/2.
 */
class TieModelsTest {
    static List<Vote> votes(int w1, int w2, int t) {
        List<Vote> v = new ArrayList<>();
        for (int k = 0; k < w1; k++) v.add(Vote.of("x", "y", Outcome.A_WINS));
        for (int k = 0; k < w2; k++) v.add(Vote.of("x", "y", Outcome.B_WINS));
        for (int k = 0; k < t; k++) v.add(Vote.of("y", "x", Outcome.TIE));
        return v;
    }

    @Test
    void davidsonTwoItems() {
        Fit f = PairwiseFitter.fit(DavidsonModel.INSTANCE, Comparisons.of(votes(12, 5, 7)), FitOptions.DEFAULT);
        assertTrue(f.converged());
        assertEquals(Math.log(12.0 / 5.0), f.theta("x") - f.theta("y"), 1e-10);
        assertEquals(7 / Math.sqrt(12.0 * 5.0), f.tieParameter()[0], 1e-10);
    }

    @Test
    void raoKupperTwoItems() {
        Fit f = PairwiseFitter.fit(RaoKupperModel.INSTANCE, Comparisons.of(votes(12, 5, 7)), FitOptions.DEFAULT);
        assertTrue(f.converged());
        double p1 = 12 / 24.0, p2 = 5 / 24.0;
        double l1 = Math.log(p1 / (1 - p1)), l2 = Math.log(p2 / (1 - p2));
        assertEquals((l1 - l2) / 2, f.theta("x") - f.theta("y"), 1e-9);
        assertEquals(Math.exp(-(l1 + l2) / 2), f.tieParameter()[0], 1e-9);
    }

    @Test
    void tieModelsNeedTies() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PairwiseFitter.fit(DavidsonModel.INSTANCE, Comparisons.of(votes(3, 2, 0)), FitOptions.DEFAULT));
        assertTrue(e.getMessage().contains("ties"));
    }

    @Test
    void davidsonOnLlmfaoConvergesAndAgreesWithBtOrder() {
        Comparisons c = Comparisons.of(Shared.llmfaoCrowd().votes());
        Fit d = PairwiseFitter.fit(DavidsonModel.INSTANCE, c, FitOptions.DEFAULT);
        Fit r = PairwiseFitter.fit(RaoKupperModel.INSTANCE, c, FitOptions.DEFAULT);
        Fit t = PairwiseFitter.fit(ThurstoneModel.INSTANCE, c, FitOptions.DEFAULT);
        Fit bt = BradleyTerry.fit(c, FitOptions.DEFAULT);
        assertTrue(d.converged() && r.converged() && t.converged());
        assertTrue(d.tieParameter()[0] > 0 && r.tieParameter()[0] > 1);
        // The top item agrees across models on this data.
        assertEquals(argmax(bt), argmax(d));
        assertEquals(argmax(bt), argmax(t));
    }

    static int argmax(Fit f) {
        double[] th = f.theta();
        int b = 0;
        for (int i = 1; i < th.length; i++) if (th[i] > th[b]) b = i;
        return b;
    }
}
