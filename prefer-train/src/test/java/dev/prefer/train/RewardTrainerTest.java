package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.lm.RewardModel;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reward-model training (Task.REWARD) on ../shared/fixtures/hf-tiny-rm over the hf-tiny pairs: the first step's loss
 * equals transformers' {@code bt_loss_mean}; full and LoRA training drive accuracy up; the LoRA adapter (PEFT SEQ_CLS
 * layout with the score head as modules_to_save) on the base scores as the merged model; resume is exact.
 */
class RewardTrainerTest {

    static Path rm(String name) {
        Path p = Fixtures.shared().resolve("fixtures/hf-tiny-rm").resolve(name);
        if (!Files.isDirectory(p)) throw new IllegalStateException("missing fixture " + p);
        return p;
    }

    static JsonNode expected(String name) {
        try {
            return Json.MAPPER.readTree(rm(name).resolve("expected.json").toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static TrainConfig config(String name, Path out) {
        return TrainConfig.defaults(TrainConfig.Task.REWARD, rm(name), Fixtures.hfTiny("pairs.jsonl"), out)
                .withReward(RewardLoss.fromParams(Map.of())).withBatch(10, 1).withSchedule(TrainConfig.Schedule.CONSTANT, 0);
    }

    /** Accuracy over the 9 rankable pairs (pairs.jsonl row 6 has chosen == rejected, which no model ranks). */
    static double accuracy9(double[] chosen, double[] rejected) {
        double acc = 0;
        for (int i = 0; i < chosen.length; i++) if (i != 5) acc += chosen[i] > rejected[i] ? 1.0 / 9 : 0;
        return acc;
    }

    static double[][] rewardsOf(RewardModel m, String name) {
        JsonNode ex = expected(name).get("examples");
        List<long[]> ids = new ArrayList<>();
        for (JsonNode e : ex) ids.add(longs(e.get("chosen_ids")));
        for (JsonNode e : ex) ids.add(longs(e.get("rejected_ids")));
        double[] r = m.rewardsOfIds(ids);
        int n = ex.size();
        return new double[][] {java.util.Arrays.copyOfRange(r, 0, n), java.util.Arrays.copyOfRange(r, n, 2 * n)};
    }

    static long[] longs(JsonNode a) {
        long[] v = new long[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asLong();
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-rm", "gpt2-rm"})
    void fullTrainingDrivesAccuracyUp(String name, @TempDir Path tmp) {
        JsonNode ex = expected(name).get("examples");
        double[] c0 = new double[ex.size()], r0 = new double[ex.size()];
        for (int i = 0; i < ex.size(); i++) {
            c0[i] = ex.get(i).get("reward_chosen").asDouble();
            r0[i] = ex.get(i).get("reward_rejected").asDouble();
        }
        double before = accuracy9(c0, r0);
        Trainer.TrainResult res = Trainer.run(config(name, tmp.resolve("out")).withLearningRate(1e-3).withSteps(10, 1), null);
        List<JsonNode> rows = Fixtures.metrics(tmp.resolve("out"));
        assertEquals(10, rows.size());
        // step 1's loss is computed before any update: transformers' mean -log sigmoid(r_c - r_r) over the 10 pairs
        assertEquals(expected(name).get("bt_loss_mean").asDouble(), rows.get(0).get("loss").asDouble(), 1e-5);
        assertTrue(rows.get(9).get("loss").asDouble() < rows.get(0).get("loss").asDouble());
        try (RewardModel m = RewardModel.load(tmp.resolve("out"))) {
            double[][] r = rewardsOf(m, name);
            double after = accuracy9(r[0], r[1]);
            System.out.printf("%s full: accuracy on 9 rankable pairs %.3f -> %.3f%n", name, before, after);
            assertTrue(before < 0.9, "fixture already ranks the pairs");
            assertEquals(1.0, after, 1e-12);
        }
        assertTrue(Files.exists(tmp.resolve("out/manifest.json")));
        assertEquals("REWARD", Json.readObject(tmp.resolve("out/manifest.json")).path("config").path("task").asText());
        assertTrue(res.lastMetrics().containsKey("rewards/accuracies"));
    }

    @Test
    void marginsAndWeightsFromTheDataEnterTheLoss(@TempDir Path tmp) throws Exception {
        // pairs.jsonl rows with margin m_i = 0.1 i and weight w_i = 1 + (i mod 3); one step at learning rate 0 reports
        // L = sum_i w_i * -log sigmoid(r_c - r_r - m_i) / sum_i w_i, computed here from transformers' rewards.
        List<String> lines = Files.readAllLines(Fixtures.hfTiny("pairs.jsonl"));
        List<String> out = new ArrayList<>();
        JsonNode ex = expected("llama-rm").get("examples");
        double num = 0, den = 0, plain = 0;
        for (int i = 0; i < lines.size(); i++) {
            com.fasterxml.jackson.databind.node.ObjectNode row = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(lines.get(i));
            row.put("margin", 0.1 * i);
            row.put("weight", 1 + i % 3);
            out.add(Json.line(row));
            double u = ex.get(i).get("reward_chosen").asDouble() - ex.get(i).get("reward_rejected").asDouble();
            num += (1 + i % 3) * Math.log1p(Math.exp(-(u - 0.1 * i)));
            plain += (1 + i % 3) * Math.log1p(Math.exp(-u));
            den += 1 + i % 3;
        }
        Path data = tmp.resolve("margins.jsonl");
        Files.write(data, out);
        TrainConfig c = TrainConfig.defaults(TrainConfig.Task.REWARD, rm("llama-rm"), data, tmp.resolve("a")).withReward(RewardLoss.fromParams(Map.of()))
                .withBatch(10, 1).withSteps(1, 1).withLearningRate(0);
        assertEquals(num / den, ((Number) Trainer.run(c, null).lastMetrics().get("loss")).doubleValue(), 1e-5);
        TrainConfig off = c.withReward(RewardLoss.fromParams(Map.of("margin", 0.0))).withOut(tmp.resolve("b"));
        assertEquals(plain / den, ((Number) Trainer.run(off, null).lastMetrics().get("loss")).doubleValue(), 1e-5);
    }

    @Test
    void loraAdapterOnBaseScoresAsTheMergedModel(@TempDir Path tmp) throws Exception {
        String name = "llama-rm";
        Path out = tmp.resolve("lora");
        Trainer.run(config(name, out).withLearningRate(1e-2).withSteps(15, 1).withEval(null, 0)
                .withLora(new TrainConfig.LoraConfig(4, 8, 0, List.of(), true)), null);
        List<JsonNode> rows = Fixtures.metrics(out);
        assertTrue(rows.get(rows.size() - 1).get("loss").asDouble() < rows.get(0).get("loss").asDouble());
        JsonNode c = Json.readObject(out.resolve("adapter_config.json"));
        assertEquals("SEQ_CLS", c.get("task_type").asText());
        assertEquals("score", c.get("modules_to_save").get(0).asText());
        Map<String, HostTensor> t = SafeTensors.read(out.resolve("adapter_model.safetensors"));
        assertTrue(t.containsKey("base_model.model.score.weight"), t.keySet().toString());
        assertTrue(t.containsKey("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"), t.keySet().toString());
        double[][] viaAdapter, merged, base;
        try (RewardModel m = RewardModel.load(rm(name))) {
            base = rewardsOf(m, name);
            try (Lora l = Lora.load(m, out)) {
                viaAdapter = rewardsOf(m, name);
            }
        }
        try (RewardModel m = RewardModel.load(out.resolve("merged"))) {
            merged = rewardsOf(m, name);
        }
        assertArrayEquals(viaAdapter[0], merged[0], 1e-5);
        assertArrayEquals(viaAdapter[1], merged[1], 1e-5);
        double before = accuracy9(base[0], base[1]), after = accuracy9(merged[0], merged[1]);
        System.out.printf("%s LoRA: accuracy on 9 rankable pairs %.3f -> %.3f%n", name, before, after);
        assertTrue(after > before, before + " -> " + after);
    }

    @Test
    void resumeFromACheckpointIsExact(@TempDir Path tmp) throws Exception {
        TrainConfig c = config("llama-rm", tmp.resolve("a")).withLearningRate(1e-3).withSteps(6, 1).withBatch(4, 2).withEvery(1, 3, 0)
                .withSchedule(TrainConfig.Schedule.COSINE, 2).withOptimizer(1e-3, 0.01, 0.9, 0.999, 1e-8)
                .withReward(RewardLoss.fromParams(Map.of("center_rewards_coefficient", 0.01, "label_smoothing", 0.05)));
        Trainer.run(c, null);
        // a second run continues from the first one's step-3 checkpoint in a fresh model
        Path b = tmp.resolve("b");
        Files.createDirectories(b.resolve("checkpoints"));
        Checkpoints.deleteTree(b.resolve("checkpoints"));
        copyTree(tmp.resolve("a/checkpoints/step-3"), b.resolve("checkpoints/step-3"));
        Files.writeString(b.resolve("checkpoints/latest"), "step-3\n");
        List<String> firstThree = Files.readAllLines(tmp.resolve("a/metrics.jsonl")).subList(0, 3);
        Files.write(b.resolve("metrics.jsonl"), firstThree);
        Trainer.run(c.withOut(b).withResume(true), null);
        List<JsonNode> ra = Fixtures.metrics(tmp.resolve("a")), rb = Fixtures.metrics(b);
        assertEquals(6, rb.size());
        for (int i = 0; i < 6; i++) {
            for (String k : List.of("step", "loss", "grad_norm", "learning_rate", "rewards/margins", "rewards/mean")) {
                assertEquals(ra.get(i).get(k).asDouble(), rb.get(i).get(k).asDouble(), 0.0, "row " + i + " " + k);
            }
        }
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a/model.safetensors")), Files.readAllBytes(b.resolve("model.safetensors")));
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        }
    }
}
