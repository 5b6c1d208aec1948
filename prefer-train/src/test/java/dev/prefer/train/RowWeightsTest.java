package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefer.data.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-row {@code weight} and {@code margin} reach the objective. By hand from expected.json (llama), with
 * h_i = ρ(c_i) − ρ(r_i): DPO's step-0 loss is Σ w_i (−log σ(β h_i − m_i)) / Σ w_i, also when the step is split
 * into two micro-batches (each scaled by its share of the total weight), and the evaluation loss on the same file
 * is the same number; KTO's is the weighted mean of the two rows' losses.
 */
class RowWeightsTest {
    static final double BETA = 0.1;

    static double weight(int i) {
        return 0.5 + 0.25 * i;
    }

    static double margin(int i) {
        return 0.4 * (i % 3);
    }

    @Test
    void dpoHonoursWeightsAndMarginsInTrainingAndEvaluation(@TempDir Path tmp) throws Exception {
        List<String> lines = Files.readAllLines(Fixtures.hfTiny("pairs.jsonl"));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            ObjectNode r = (ObjectNode) Json.MAPPER.readTree(lines.get(i));
            r.put("weight", weight(i));
            r.put("margin", margin(i));
            out.add(Json.MAPPER.writeValueAsString(r));
        }
        Path data = tmp.resolve("weighted.jsonl");
        Files.write(data, out);

        JsonNode ex = Fixtures.expected("llama").get("examples");
        double num = 0, den = 0;
        for (int i = 0; i < ex.size(); i++) {
            JsonNode e = ex.get(i);
            double h = e.get("policy_chosen_logps").asDouble() - e.get("reference_chosen_logps").asDouble()
                    - e.get("policy_rejected_logps").asDouble() + e.get("reference_rejected_logps").asDouble();
            num += weight(i) * Math.log1p(Math.exp(-(BETA * h - margin(i))));
            den += weight(i);
        }
        double expected = num / den;

        TrainConfig c = Fixtures.tiny("llama", tmp.resolve("out"), tmp.resolve("cache")).withBatch(5, 2)
                .withLearningRate(0).withSteps(1, 1);
        c = c.toBuilder().data(data).eval(data, 0).build();
        Trainer.TrainResult r = Trainer.run(c, null);
        assertEquals(expected, ((Number) r.lastMetrics().get("loss")).doubleValue(), 1e-6);
        assertEquals(expected, ((Number) r.evalMetrics().get("eval/loss")).doubleValue(), 1e-6);
    }

    @Test
    void ktoHonoursRowWeights(@TempDir Path tmp) throws Exception {
        JsonNode pair = Json.MAPPER.readTree(Files.readAllLines(Fixtures.hfTiny("pairs.jsonl")).get(0));
        Path f = tmp.resolve("weighted-unpaired.jsonl");
        Files.write(f, List.of(
                Json.line(Map.of("prompt", pair.get("prompt").asText(), "completion", pair.get("chosen").asText(), "label", true, "weight", 2.0)),
                Json.line(Map.of("prompt", pair.get("prompt").asText(), "completion", pair.get("rejected").asText(), "label", false, "weight", 0.5))));
        JsonNode e = Fixtures.expected("llama").get("examples").get(0);
        double rhoC = e.get("policy_chosen_logps").asDouble() - e.get("reference_chosen_logps").asDouble();
        double rhoR = e.get("policy_rejected_logps").asDouble() - e.get("reference_rejected_logps").asDouble();
        double z = Math.max(0, (rhoC + rhoR) / 2); // unweighted, as TRL's KL estimate
        double lc = 1 - UnpairedTrainingTest.sigmoid(BETA * (rhoC - z));
        double lr = 1 - UnpairedTrainingTest.sigmoid(BETA * (z - rhoR));
        Trainer.run(UnpairedTrainingTest.config("llama", f, tmp, "kto", Map.of("beta", BETA)), null);
        JsonNode row = Fixtures.metrics(tmp.resolve("out")).get(0);
        assertEquals((2.0 * lc + 0.5 * lr) / 2.5, row.get("loss").asDouble(), 1e-6);
    }
}
