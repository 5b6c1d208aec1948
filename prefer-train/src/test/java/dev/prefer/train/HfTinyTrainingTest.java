package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trainer on ../shared/fixtures/hf-tiny (policy and its separate reference, numbers from transformers): the
 * first step's loss and implicit rewards equal expected.json; 50 steps drive rewards/accuracies to 1 while the loss
 * falls, for DPO, IPO and a listwise objective (Plackett–Luce over the pairs as two-item lists).
 */
class HfTinyTrainingTest {

    /** With prefix sharing on and off: the same fixture numbers, and the gradient norm of transformers (1e-3 rel.). */
    @ParameterizedTest
    @CsvSource({"llama,OFF", "llama,ON", "gpt2,OFF", "gpt2,ON"})
    void stepZeroMatchesExpected(String arch, TrainConfig.PrefixSharing sharing, @TempDir Path tmp) {
        JsonNode exp = Fixtures.expected(arch);
        Trainer.run(Fixtures.tiny(arch, tmp.resolve("out"), tmp.resolve("cache")).withLearningRate(0).withSteps(1, 1)
                .withPrefixSharing(sharing), null);
        JsonNode row = Fixtures.metrics(tmp.resolve("out")).get(0);
        double chosen = 0, rejected = 0, acc = 0, lc = 0, lr = 0;
        int n = exp.get("examples").size();
        for (JsonNode e : exp.get("examples")) {
            chosen += e.get("implicit_reward_chosen").asDouble() / n;
            rejected += e.get("implicit_reward_rejected").asDouble() / n;
            acc += (e.get("implicit_reward_chosen").asDouble() > e.get("implicit_reward_rejected").asDouble() ? 1.0 : 0.0) / n;
            lc += e.get("policy_chosen_logps").asDouble() / n;
            lr += e.get("policy_rejected_logps").asDouble() / n;
        }
        assertEquals(exp.get("dpo_sigmoid_loss_mean").asDouble(), row.get("loss").asDouble(), 1e-5);
        assertEquals(chosen, row.get("rewards/chosen").asDouble(), 1e-5);
        assertEquals(rejected, row.get("rewards/rejected").asDouble(), 1e-5);
        assertEquals(chosen - rejected, row.get("rewards/margins").asDouble(), 1e-5);
        assertEquals(acc, row.get("rewards/accuracies").asDouble(), 1e-12);
        assertEquals(lc, row.get("logps/chosen").asDouble(), 1e-4);
        assertEquals(lr, row.get("logps/rejected").asDouble(), 1e-4);
        double g = exp.get("grad_total_norm").asDouble();
        assertEquals(g, row.get("grad_norm").asDouble(), 1e-3 * g);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dpo", "ipo", "plackett-luce"})
    void fiftyStepsReachFullAccuracy(String objective, @TempDir Path tmp) throws Exception {
        // pairs.jsonl row 6 has chosen == rejected (" 7" / " 7"): no model ranks it right, so accuracy 1.0 is only
        // reachable without it. The test trains on the 9 distinguishable pairs.
        List<String> lines = new java.util.ArrayList<>();
        for (String l : java.nio.file.Files.readAllLines(Fixtures.hfTiny("pairs.jsonl"))) {
            JsonNode r = dev.prefer.data.Json.MAPPER.readTree(l);
            if (!r.get("chosen").asText().equals(r.get("rejected").asText())) lines.add(l);
        }
        assertEquals(9, lines.size());
        Path data = tmp.resolve("pairs9.jsonl");
        java.nio.file.Files.write(data, lines);
        Map<String, Double> params = objective.equals("ipo") ? Map.of("tau", 0.1) : Map.of("beta", 0.1);
        TrainConfig base = Fixtures.tiny("llama", tmp.resolve("out"), tmp.resolve("cache"));
        Trainer.run(base.toBuilder().data(data).eval(null, 0).objective(objective, params).learningRate(1e-3).weightDecay(0)
                .adam(0.9, 0.999, 1e-8).schedule(TrainConfig.Schedule.CONSTANT, 0).maxGradNorm(1.0).maxSteps(50).epochs(1)
                .batchSize(9).gradAccumulation(1).seed(42).every(1, 0, 0).lora(null).skipBadRows(false).resume(false).build(), null);
        List<JsonNode> rows = Fixtures.metrics(tmp.resolve("out"));
        assertEquals(50, rows.size());
        JsonNode first = rows.get(0), last = rows.get(rows.size() - 1);
        assertEquals(1.0, last.get("rewards/accuracies").asDouble(), 0.0, objective);
        assertTrue(last.get("loss").asDouble() < first.get("loss").asDouble(), objective + ": loss did not fall");
    }
}
