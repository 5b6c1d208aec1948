package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
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
 * DOVE's joint pairs ({@code prompt_chosen}, {@code chosen}, {@code prompt_rejected}, {@code rejected}) in the
 * trainer, on ../shared/fixtures/hf-tiny.
 *
 * <p>The joint rows pair the chosen response of fixture pair i with the rejected response of the next
 * distinguishable pair j (different prompts), so every sequence is in expected.json and the step-0 loss is, by
 * hand, the mean over rows of −log σ(β(ρ(x_i, c_i) − ρ(x_j, r_j))), ρ = π − π_ref (DOVE with joint=0, Bansal et al.
 * 2024: the conditional ratios). With joint=1 the prompt tokens are scored too; on pairs that share a prompt the
 * prompt's log-ratio cancels in the difference, so the loss must equal the fixture's DPO loss (an exact identity).
 */
class JointPairsTrainingTest {
    static final double BETA = 0.1;

    /** Indices of the fixture pairs whose chosen and rejected differ (all but row 6 of pairs.jsonl). */
    static List<Integer> distinguishable() throws Exception {
        List<Integer> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(Fixtures.hfTiny("pairs.jsonl"));
        for (int i = 0; i < lines.size(); i++) {
            JsonNode p = Json.MAPPER.readTree(lines.get(i));
            if (!p.get("chosen").asText().equals(p.get("rejected").asText())) out.add(i);
        }
        return out;
    }

    static Path jointRows(Path dir, List<Integer> idx) throws Exception {
        List<String> lines = Files.readAllLines(Fixtures.hfTiny("pairs.jsonl"));
        List<String> rows = new ArrayList<>();
        for (int n = 0; n < idx.size(); n++) {
            JsonNode w = Json.MAPPER.readTree(lines.get(idx.get(n)));
            JsonNode l = Json.MAPPER.readTree(lines.get(idx.get((n + 1) % idx.size())));
            rows.add(Json.line(Map.of("prompt_chosen", w.get("prompt").asText(), "chosen", w.get("chosen").asText(),
                    "prompt_rejected", l.get("prompt").asText(), "rejected", l.get("rejected").asText())));
        }
        Path f = dir.resolve("joint.jsonl");
        Files.write(f, rows);
        return f;
    }

    static TrainConfig config(String arch, Path data, Path tmp, Map<String, Double> params, int batch) {
        return TrainConfig.defaults(TrainConfig.Task.PREFERENCE, Fixtures.hfTiny(arch, "policy"), data, tmp.resolve("out"))
                .withRef(Fixtures.hfTiny(arch, "reference")).withCacheDir(tmp.resolve("cache")).withBatch(batch, 1)
                .withObjective("dove", params).withSchedule(TrainConfig.Schedule.CONSTANT, 0)
                .withLearningRate(0).withSteps(1, 1);
    }

    static double rho(JsonNode e, String which) {
        return e.get("policy_" + which + "_logps").asDouble() - e.get("reference_" + which + "_logps").asDouble();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void stepZeroMatchesHandDerivation(String arch, @TempDir Path tmp) throws Exception {
        List<Integer> idx = distinguishable();
        JsonNode ex = Fixtures.expected(arch).get("examples");
        double loss = 0, chosen = 0, rejected = 0, acc = 0;
        int n = idx.size();
        for (int k = 0; k < n; k++) {
            double rw = BETA * rho(ex.get(idx.get(k)), "chosen");
            double rl = BETA * rho(ex.get(idx.get((k + 1) % n)), "rejected");
            loss += Math.log1p(Math.exp(-(rw - rl))) / n; // −log σ(rw − rl)
            chosen += rw / n;
            rejected += rl / n;
            acc += (rw > rl ? 1.0 : 0.0) / n;
        }
        Trainer.run(config(arch, jointRows(tmp, idx), tmp, Map.of("beta", BETA), n), null);
        JsonNode row = Fixtures.metrics(tmp.resolve("out")).get(0);
        assertEquals(loss, row.get("loss").asDouble(), 1e-6);
        assertEquals(chosen, row.get("rewards/chosen").asDouble(), 1e-5);
        assertEquals(rejected, row.get("rewards/rejected").asDouble(), 1e-5);
        assertEquals(acc, row.get("rewards/accuracies").asDouble(), 1e-12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void jointScoringOnSharedPromptsEqualsDpo(String arch, @TempDir Path tmp) {
        Trainer.run(config(arch, Fixtures.hfTiny("pairs.jsonl"), tmp, Map.of("beta", BETA, "joint", 1.0), 10), null);
        JsonNode row = Fixtures.metrics(tmp.resolve("out")).get(0);
        assertEquals(Fixtures.expected(arch).get("dpo_sigmoid_loss_mean").asDouble(), row.get("loss").asDouble(), 1e-4);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 1})
    void shortRunRanksEveryJointPair(double joint, @TempDir Path tmp) throws Exception {
        List<Integer> idx = distinguishable();
        TrainConfig c = config("llama", jointRows(tmp, idx), tmp, Map.of("beta", BETA, "joint", joint), idx.size())
                .withLearningRate(1e-3).withSteps(30, 1);
        Trainer.run(c, null);
        List<JsonNode> m = Fixtures.metrics(tmp.resolve("out"));
        JsonNode first = m.get(0), last = m.get(m.size() - 1);
        assertEquals(1.0, last.get("rewards/accuracies").asDouble(), 0.0, "joint=" + joint);
        assertTrue(last.get("loss").asDouble() < first.get("loss").asDouble());
        assertTrue(last.get("rewards/margins").asDouble() > first.get("rewards/margins").asDouble());
    }

    @Test
    void jointPairsNeedAPairwiseObjective(@TempDir Path tmp) throws Exception {
        Path f = jointRows(tmp, distinguishable());
        TrainConfig c = config("llama", f, tmp, Map.of(), 2).withObjective("plackett-luce", Map.of());
        DataException e = assertThrows(DataException.class, () -> Trainer.run(c, null));
        assertTrue(e.getMessage().startsWith(f + ":1: field 'prompt_chosen': joint pairs"), e.getMessage());

        Path bad = tmp.resolve("bad.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(f));
        lines.set(2, "{\"prompt_chosen\": \"a\", \"chosen\": \" b\", \"prompt_rejected\": 7, \"rejected\": \" c\"}");
        Files.write(bad, lines);
        e = assertThrows(DataException.class, () -> Trainer.run(config("llama", bad, tmp, Map.of(), 2), null));
        assertTrue(e.getMessage().startsWith(bad + ":3: field 'prompt_rejected'"), e.getMessage());
    }
}
