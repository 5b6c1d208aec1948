package dev.prefer.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.data.PreferencePair;
import dev.prefer.data.pref.PreferenceReader;
import dev.prefer.reward.eval.PairMetrics;
import dev.prefer.train.RewardLoss;
import dev.prefer.train.TrainConfig;
import dev.prefer.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backbone (b) through prefer-reward's API: a Hugging Face sequence-classification folder (hf-tiny-rm) opens as an
 * {@link LmRewardModel}; scores, best-of-n and evaluation agree with transformers' rewards in expected.json; a LoRA
 * run saved as a PEFT adapter scores as its merged model and logs the calibration error on its evaluation split.
 */
class LmRewardModelTest {
    static Path shared() {
        return Path.of(System.getProperty("prefer.shared"));
    }

    static Path rm(String name) {
        Path p = shared().resolve("fixtures/hf-tiny-rm").resolve(name);
        if (!Files.isDirectory(p)) throw new IllegalStateException("missing fixture " + p);
        return p;
    }

    static List<PreferencePair> pairs() {
        return PreferenceReader.read(shared().resolve("fixtures/hf-tiny/pairs.jsonl"), PreferenceReader.Options.DEFAULT).pairs();
    }

    @Test
    void scoresRerankAndEvaluateAsTransformers() {
        JsonNode ex = Json.readObject(rm("llama-rm").resolve("expected.json")).get("examples");
        List<PreferencePair> pairs = pairs();
        try (RewardScorer s = RewardScorer.open(rm("llama-rm"), Backbones.Options.inMemory(1))) {
            assertInstanceOf(LmRewardModel.class, s);
            for (int i = 0; i < pairs.size(); i++) {
                PreferencePair p = pairs.get(i);
                double rc = ex.get(i).get("reward_chosen").asDouble(), rr = ex.get(i).get("reward_rejected").asDouble();
                assertEquals(rc, s.score(p.prompt(), p.chosen()), 1e-4, "chosen " + i);
                assertEquals(1 / (1 + Math.exp(-(rc - rr))), s.preferenceProbability(p.prompt(), p.chosen(), p.rejected(), null), 1e-4);
                // best-of-2 picks the response with transformers' higher reward (row 6 has equal texts: either is right)
                RewardModel.Ranked best = s.best(p.prompt(), List.of(p.chosen(), p.rejected()), null);
                if (i != 5) assertEquals(rr > rc ? 1 : 0, best.index(), "best of pair " + i);
            }
            // evaluation = PairMetrics of transformers' logits (r_c - r_r) from expected.json, over the 9 pairs whose
            // responses differ (row 6's equal texts give equal rewards only up to float rounding inside a batch)
            List<PreferencePair> nine = new java.util.ArrayList<>(pairs);
            nine.remove(5);
            double[] logits = new double[9];
            for (int i = 0, j = 0; i < pairs.size(); i++) {
                if (i != 5) logits[j++] = ex.get(i).get("reward_chosen").asDouble() - ex.get(i).get("reward_rejected").asDouble();
            }
            for (double z : logits) assertTrue(Math.abs(z) > 1e-3, "a near-tie would make accuracy fragile");
            PairMetrics want = PairMetrics.fromLogits(logits, null), got = s.evaluate(nine);
            assertEquals(want.accuracy(), got.accuracy(), 1e-12);
            assertEquals(want.logLikelihood(), got.logLikelihood(), 1e-4);
            assertEquals(want.ece(), got.ece(), 1e-4);
            List<RewardScorer.PairScore> ps = s.scorePairs(pairs);
            for (int i = 0; i < pairs.size(); i++) assertEquals(ex.get(i).get("reward_rejected").asDouble(), ps.get(i).rewardRejected(), 1e-4);
        }
    }

    @Test
    void loraAdapterFolderScoresAsMergedAndLogsCalibration(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("rm-lora");
        TrainConfig c = TrainConfig.defaults(TrainConfig.Task.REWARD, rm("gpt2-rm"), shared().resolve("fixtures/hf-tiny/pairs.jsonl"), out)
                .withReward(RewardLoss.fromParams(Map.of())).withBatch(8, 1).withSteps(8, 1).withLearningRate(1e-2).withEval(null, 0.2)
                .withSchedule(TrainConfig.Schedule.CONSTANT, 0).withLora(new TrainConfig.LoraConfig(4, 8, 0, List.of(), true));
        Trainer.TrainResult r = LmRewardTraining.train(c, null);
        assertTrue(r.evalMetrics().containsKey("eval/ece"), r.evalMetrics().toString());
        assertTrue(r.evalMetrics().containsKey("eval/accuracy"));
        assertTrue(LmRewardModel.isLmFolder(out) && LmRewardModel.isLmFolder(out.resolve("merged")));
        List<PreferencePair> pairs = pairs();
        List<RewardScorer.PairScore> a, m;
        try (RewardScorer s = RewardScorer.open(out, Backbones.Options.inMemory(1))) {
            a = s.scorePairs(pairs);
            PairMetrics pm = s.evaluate(pairs);
            assertEquals(pairs.size(), pm.pairs());
        }
        try (RewardScorer s = RewardScorer.open(out.resolve("merged"), Backbones.Options.inMemory(1))) {
            m = s.scorePairs(pairs);
        }
        double[] x = new double[2 * pairs.size()], y = new double[2 * pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            x[2 * i] = a.get(i).rewardChosen();
            x[2 * i + 1] = a.get(i).rewardRejected();
            y[2 * i] = m.get(i).rewardChosen();
            y[2 * i + 1] = m.get(i).rewardRejected();
        }
        assertArrayEquals(x, y, 1e-5);
        // the adapter changed the model: the scores are not the base's
        try (LmRewardModel base = LmRewardModel.load(rm("gpt2-rm"))) {
            List<RewardScorer.PairScore> b = base.scorePairs(pairs);
            double diff = 0;
            for (int i = 0; i < pairs.size(); i++) diff += Math.abs(b.get(i).rewardChosen() - a.get(i).rewardChosen());
            assertTrue(diff > 1e-3, "adapter had no effect");
        }
    }
}
