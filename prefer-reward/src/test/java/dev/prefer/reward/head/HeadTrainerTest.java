package dev.prefer.reward.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.reward.HeadTrainer;
import dev.prefer.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The heads on the one loop: epochs, best-epoch weights, frozen entries, metrics.jsonl. */
class HeadTrainerTest {
    static final int D = 6;

    static List<EncodedPair> data(long seed, int n) {
        return Synthetic.population(new Random(seed), null, Synthetic.unit(new Random(5), D), 1, n, D, 2.0, null);
    }

    @Test
    void theBestEpochsWeightsAreRestoredAndEveryEpochIsOneRow(@TempDir Path out) throws Exception {
        List<EncodedPair> train = data(1, 70), val = data(2, 30);
        PreferenceHead h = Heads.create(HeadConfig.defaults("mlp").withHidden(4), D, 0, List.of(), 1);
        TrainConfig c = HeadTrainer.defaults().toBuilder().epochs(12).batchSize(16).learningRate(0.05).patience(3).out(out).build();
        HeadTrainer.Result r = HeadTrainer.fit(h, train, val, c, null);
        // 70 pairs in batches of 16: 5 steps an epoch, one logged row per epoch with its evaluation (after the first
        // step's row, which every run of the loop logs)
        List<Map<String, Object>> evals = r.rows().stream().filter(row -> row.containsKey("eval/loss")).toList();
        assertEquals(r.history().size() + 1, r.rows().size());
        assertEquals(r.history().size(), evals.size());
        for (int e = 0; e < evals.size(); e++) {
            assertEquals(5 * (e + 1), evals.get(e).get("step"));
            assertEquals(r.history().get(e).validationLoss(), (double) evals.get(e).get("eval/loss"), 0.0);
        }
        double best = r.history().stream().mapToDouble(HeadTrainer.Epoch::validationLoss).min().orElseThrow();
        assertEquals(best, r.bestValidationLoss(), 0.0);
        assertEquals(best, r.history().get(r.bestEpoch() - 1).validationLoss(), 0.0);
        assertEquals(best, h.loss(val, null), 0.0, "the head holds the weights of its best epoch");
        assertEquals(r.rows().size(), Files.readAllLines(out.resolve("metrics.jsonl")).size());
    }

    @Test
    void frozenEntriesStayExactlyAsTheyWereEvenWithWeightDecay() {
        List<EncodedPair> train = new ArrayList<>();
        for (EncodedPair p : data(3, 40)) train.add(new EncodedPair(p.context(), p.chosen(), p.rejected(), "a", null, 1.0, Map.of()));
        PalHead pal = (PalHead) Heads.create(HeadConfig.defaults("pal").withLatent(3), D, 0, List.of("a"), 1);
        HeadTrainer.fit(pal, train, List.of(), HeadTrainer.defaults().toBuilder().epochs(5).build(), null);
        List<EncodedPair> mine = new ArrayList<>();
        for (EncodedPair p : data(4, 10)) mine.add(new EncodedPair(p.context(), p.chosen(), p.rejected(), "new", null, 1.0, Map.of()));
        PalHead adapted = pal.withNewAnnotator("new");
        double[] before = adapted.parameters().clone();
        HeadTrainer.fit(adapted, mine, List.of(), HeadTrainer.defaults().toBuilder().epochs(5).weightDecay(0.1).build(), null);
        boolean[] mask = adapted.trainable();
        double[] after = adapted.parameters();
        int frozen = 0;
        for (int i = 0; i < after.length; i++) if (!mask[i]) frozen++;
        assertTrue(frozen > 0 && frozen < after.length);
        double[] a = new double[frozen], b = new double[frozen];
        for (int i = 0, k = 0; i < after.length; i++) if (!mask[i]) { a[k] = before[i]; b[k++] = after[i]; }
        assertArrayEquals(a, b, 0.0);
        assertNotEquals(Arrays.toString(before), Arrays.toString(after), "the new annotator's entries moved");
    }
}
