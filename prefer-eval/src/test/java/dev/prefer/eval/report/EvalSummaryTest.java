package dev.prefer.eval.report;

import static org.junit.jupiter.api.Assertions.*;

import dev.prefer.data.Manifest;
import dev.prefer.core.stats.Estimate;
import dev.prefer.eval.metrics.KlEstimate;
import dev.prefer.eval.metrics.LengthStats;
import dev.prefer.eval.metrics.VerifierAccuracy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvalSummaryTest {
    static final EvalSummary.ModelScores SFT = new EvalSummary.ModelScores("sft", VerifierAccuracy.wilson(106, 200, 0.95), null, 0.55, 0.9,
            KlEstimate.of(new double[] {-1}, new double[] {-1}), LengthStats.of(new int[] {2, 3}));
    static final EvalSummary.ModelScores DPO = new EvalSummary.ModelScores("dpo", VerifierAccuracy.wilson(134, 200, 0.95),
            new Estimate(0.6, 0.55, 0.65, 0.95, 200, "test"), 0.62, 0.9, null, null);

    @Test
    void consoleTableShowsTheNumbers() {
        String t = EvalSummary.consoleTable(List.of(SFT, DPO));
        String[] lines = t.split("\n");
        assertEquals(3, lines.length);
        assertTrue(lines[0].startsWith("model"));
        // 106/200 = 0.530; gap = 0.9 - 0.55 = +0.350; mean length 2.5; KL of identical log-probs 0
        assertTrue(lines[1].startsWith("sft        0.530 ["), lines[1]);
        assertTrue(lines[1].contains("+0.350"), lines[1]);
        assertTrue(lines[1].contains("0.0000"), lines[1]);
        assertTrue(lines[1].endsWith("2.5"), lines[1]);
        // 134/200 = 0.670; gap 0.9 - 0.62 = +0.280; sampled shown, KL and length missing
        assertTrue(lines[2].contains("0.670 ["), lines[2]);
        assertTrue(lines[2].contains("0.600 [0.550, 0.650]"), lines[2]);
        assertTrue(lines[2].contains("+0.280"), lines[2]);
        assertTrue(lines[2].endsWith("-"), lines[2]);
    }

    @Test
    void reportHasTheChartsAndTheTable() {
        EvalSummary.Curve loss = new EvalSummary.Curve("dpo", new double[] {0, 1, 2}, new double[] {0.69, 0.5, 0.4});
        String html = EvalSummary.report("Quickstart", List.of(SFT, DPO), List.of(loss), List.of(), Manifest.of("quickstart", Map.of(), 0L)).render();
        assertTrue(html.contains("<title>dpo, after: 0.67"), "bar tooltip with the aligned accuracy");
        assertTrue(html.contains("<title>dpo, sft (before): 0.53"));
        assertTrue(html.contains("<title>dpo: (0.62, 0.9)</title>"), "scatter point R vs R*");
        assertTrue(html.contains("<polyline"));
        assertFalse(html.contains("Reward margin"), "no reward chart without reward curves");
        assertTrue(html.contains("How this was made"));
    }
}
