package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.lm.Precision;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Accumulation, SFT loss, NaN stop, reference cache, evaluation split, outputs. */
class TrainerBehaviourTest {

    @Test
    void accumulationGivesTheSameUpdateAsOneLargeBatch(@TempDir Path tmp) {
        // float64 twin model: 2 micro-batches of 2 pairs vs one batch of 4 (the same 4 pairs: same seed, same order)
        TrainConfig base = Fixtures.tiny("llama", tmp.resolve("a"), tmp.resolve("cache")).withPrecision(Precision.F64)
                .withLearningRate(1e-2).withSteps(1, 1);
        Trainer.TrainResult big = Trainer.run(base.withBatch(4, 1), null);
        Trainer.TrainResult acc = Trainer.run(base.withBatch(2, 2).withOut(tmp.resolve("b")), null);
        for (String k : List.of("loss", "grad_norm", "rewards/margins", "logps/chosen")) {
            assertEquals(((Number) big.lastMetrics().get(k)).doubleValue(), ((Number) acc.lastMetrics().get(k)).doubleValue(), 1e-10, k);
        }
        Map<String, HostTensor> a = SafeTensors.read(tmp.resolve("a/model.safetensors"));
        Map<String, HostTensor> b = SafeTensors.read(tmp.resolve("b/model.safetensors"));
        for (String k : a.keySet()) {
            float[] x = a.get(k).data(), y = b.get(k).data();
            for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 1e-6, k);
        }
    }

    @Test
    void sftLossIsTokenMeanNllOfTheCompletion(@TempDir Path tmp) {
        // From expected.json: L = -sum_i policy_chosen_logps_i / sum_i |chosen_ids_i| over the 10 pairs.
        JsonNode exp = Fixtures.expected("llama");
        double num = 0, den = 0;
        for (JsonNode e : exp.get("examples")) {
            num -= e.get("policy_chosen_logps").asDouble();
            den += e.get("chosen_ids").size();
        }
        TrainConfig c = TrainConfig.defaults(TrainConfig.Task.SFT, Fixtures.hfTiny("llama", "policy"), Fixtures.hfTiny("pairs.jsonl"),
                tmp.resolve("out")).withBatch(10, 1).withSteps(1, 1).withLearningRate(0).withCacheDir(tmp.resolve("cache"));
        Trainer.TrainResult r = Trainer.run(c, null);
        assertEquals(num / den, ((Number) r.lastMetrics().get("loss")).doubleValue(), 1e-5);
    }

    @Test
    void sftReadsPromptCompletionRowsAndLearns(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("sft.jsonl");
        Files.write(data, List.of("{\"prompt\": \"Q: 2+2=\", \"completion\": \" 4\"}", "{\"prompt\": \"the cat\", \"completion\": \" sat\"}"));
        TrainConfig c = TrainConfig.defaults(TrainConfig.Task.SFT, Fixtures.hfTiny("gpt2", "policy"), data, tmp.resolve("out"))
                .withBatch(2, 1).withSteps(20, 1).withLearningRate(1e-2).withSchedule(TrainConfig.Schedule.CONSTANT, 0)
                .withCacheDir(tmp.resolve("cache"));
        Trainer.run(c, null);
        List<JsonNode> rows = Fixtures.metrics(tmp.resolve("out"));
        assertTrue(rows.get(rows.size() - 1).get("loss").asDouble() < 0.5 * rows.get(0).get("loss").asDouble());
        assertTrue(Files.exists(tmp.resolve("out/model.safetensors")));
        assertTrue(Files.exists(tmp.resolve("out/manifest.json")));
    }

    @Test
    void nonFiniteLossStopsAndKeepsTheLastCheckpoint(@TempDir Path tmp) throws Exception {
        TrainConfig c = Fixtures.tiny("llama", tmp.resolve("out"), tmp.resolve("cache")).withLearningRate(1e30)
                .withMaxGradNorm(0).withSteps(6, 1).withEvery(1, 1, 0);
        TrainingException e = assertThrows(TrainingException.class, () -> Trainer.run(c, null));
        assertTrue(e.getMessage().contains("last good checkpoint"), e.getMessage());
        assertTrue(e.getMessage().matches(".*(loss|gradient norm) is (NaN|Infinity|-Infinity) at step \\d+.*"), e.getMessage());
        String latest = Files.readString(tmp.resolve("out/checkpoints/latest")).strip();
        assertTrue(Files.exists(tmp.resolve("out/checkpoints").resolve(latest).resolve("trainable.safetensors")));
        for (HostTensor t : SafeTensors.read(tmp.resolve("out/checkpoints").resolve(latest).resolve("trainable.safetensors")).values()) {
            for (float f : t.data()) assertTrue(Float.isFinite(f), "checkpoint holds non-finite weights");
        }
    }

    @Test
    void referenceLogpsAreCachedAndMatchTransformers(@TempDir Path tmp) throws Exception {
        TrainConfig c = Fixtures.tiny("llama", tmp.resolve("out"), tmp.resolve("cache")).withLearningRate(0).withSteps(1, 1);
        assertEquals(false, Trainer.run(c, null).referenceCacheHit());
        assertEquals(true, Trainer.run(c.withOut(tmp.resolve("out2")), null).referenceCacheHit());
        List<Path> files;
        try (var s = Files.list(tmp.resolve("cache"))) {
            files = s.toList();
        }
        assertEquals(1, files.size());
        JsonNode cached = dev.prefer.data.Json.MAPPER.readTree(files.get(0).toFile()).get("logps");
        JsonNode exp = Fixtures.expected("llama").get("examples");
        assertEquals(exp.size(), cached.size());
        // the cache is in training order = file order; expected.json lists the pairs in file order too
        for (int i = 0; i < exp.size(); i++) {
            assertEquals(exp.get(i).get("reference_chosen_logps").asDouble(), cached.get(i).get(0).asDouble(), 1e-4);
            assertEquals(exp.get(i).get("reference_rejected_logps").asDouble(), cached.get(i).get(1).asDouble(), 1e-4);
        }
    }

    @Test
    void evaluationSplitReportsRankingAccuracyAndAlignmentGap(@TempDir Path tmp) {
        TrainConfig c = Fixtures.tiny("llama", tmp.resolve("out"), tmp.resolve("cache")).withLearningRate(0).withSteps(1, 1)
                .withEval(Fixtures.hfTiny("pairs.jsonl"), 0);
        Trainer.TrainResult r = Trainer.run(c, null);
        // lr 0: the policy is the untrained fixture policy; R counts pairs with policy chosen > rejected logps.
        JsonNode exp = Fixtures.expected("llama").get("examples");
        double right = 0;
        for (JsonNode e : exp) right += e.get("policy_chosen_logps").asDouble() > e.get("policy_rejected_logps").asDouble() ? 1 : 0;
        assertEquals(right / exp.size(), ((Number) r.evalMetrics().get("eval/ranking_accuracy")).doubleValue(), 1e-12);
        assertTrue(r.evalMetrics().containsKey("eval/idealized_ranking_accuracy"));
        double gap = ((Number) r.evalMetrics().get("eval/alignment_gap")).doubleValue();
        double rStar = ((Number) r.evalMetrics().get("eval/idealized_ranking_accuracy")).doubleValue();
        assertEquals(rStar - right / exp.size(), gap, 1e-12);
    }

    @Test
    void gradientsAreZeroedBetweenSteps(@TempDir Path tmp) {
        // lr 0 and the whole data set in every step: every step sees the same parameters and data, so the same
        // gradient norm; gradients accumulated across steps would double it at step 2.
        for (TrainConfig.LoraConfig lora : java.util.Arrays.asList(null, new TrainConfig.LoraConfig(4, 8, 0, List.of("q_proj", "v_proj", "down_proj"), false))) {
            TrainConfig c = Fixtures.tiny("llama", tmp.resolve(lora == null ? "full" : "lora"), tmp.resolve("cache"))
                    .withLearningRate(0).withSteps(3, 1).withBatch(5, 2).withLora(lora);
            Trainer.run(c, null);
            List<JsonNode> rows = Fixtures.metrics(c.out());
            double g1 = rows.get(0).get("grad_norm").asDouble();
            assertTrue(g1 > 0);
            for (JsonNode r : rows) assertEquals(g1, r.get("grad_norm").asDouble(), 1e-6 * g1, String.valueOf(lora));
        }
    }

    @Test
    void badConfigIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults(TrainConfig.Task.PREFERENCE, Path.of("m"), Path.of("d"), Path.of("o")).withBatch(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new TrainConfig.LoraConfig(0, 16, 0, List.of(), true));
        assertArrayEquals(new int[] {1, 2}, TrainData.toInt(new long[] {1, 2}));
    }
}
