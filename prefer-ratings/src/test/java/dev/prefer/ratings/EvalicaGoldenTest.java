package dev.prefer.ratings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.votes.VoteFile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * evalica's golden scores (../shared/data/llmfao/evalica-*-golden.csv, computed by the evalica library) on its
 * simple example and on LLMFAO crowd votes. Conventions, read from evalica's source: ties are half-wins
 * (win_weight 1, tie_weight 0.5); {@code bradley_terry} reports π = e^θ normalised to sum 1 (its MM iteration
 * converged; a reimplementation in Python reached the golden values to 1e-15); {@code elo} is online Elo with
 * k = 4, initial 1000, base 10, scale 400 in file order; {@code average_win_rate} is the NaN-skipping row mean of
 * M/(M + Mᵀ).
 */
class EvalicaGoldenTest {

    @Test
    void simpleExample() {
        check(Shared.evalicaSimple(), Shared.golden("simple"));
    }

    @Test
    void llmfaoCrowd() {
        check(Shared.llmfaoCrowd(), Shared.golden("llmfao"));
    }

    private static void check(VoteFile vf, Map<String, Map<String, Double>> golden) {
        Comparisons c = Comparisons.of(vf.votes());
        Fit fit = BradleyTerry.fit(c, FitOptions.DEFAULT);
        assertTrue(fit.converged());
        double[] th = fit.theta();
        double z = 0;
        for (double t : th) z += Math.exp(t);
        Map<String, Double> bt = golden.get("bradley_terry");
        assertEquals(c.itemCount(), bt.size());
        for (var e : bt.entrySet()) {
            double p = Math.exp(fit.theta(e.getKey())) / z;
            assertEquals(e.getValue(), p, 1e-12, "bradley_terry " + e.getKey());
        }
        OnlineElo.Result elo = OnlineElo.run(vf.votes(), OnlineElo.Options.ARENA);
        for (var e : golden.get("elo").entrySet()) {
            assertEquals(e.getValue(), elo.rating(e.getKey()), 1e-9, "elo " + e.getKey());
        }
        double[] awr = WinRates.average(c);
        for (var e : golden.get("average_win_rate").entrySet()) {
            assertEquals(e.getValue(), awr[c.indexOf(e.getKey())], 1e-12, "average_win_rate " + e.getKey());
        }
    }
}
