package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.data.PreferencePair;
import dev.prefer.lm.CausalLM;
import dev.prefer.objectives.Dpo;
import dev.prefer.objectives.Ipo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine without files: DPO from a {@code List<PreferencePair>} in memory, metrics returned as values. The
 * step-0 loss equals DPO on transformers' log-probs (expected.json), and the in-memory run's metrics equal a file
 * run's on the same rows, step for step.
 */
class InMemoryTrainingTest {

    private static List<PreferencePair> fixturePairs() throws Exception {
        List<PreferencePair> pairs = new ArrayList<>();
        for (String line : Files.readAllLines(Fixtures.hfTiny("pairs.jsonl"))) {
            JsonNode r = Json.MAPPER.readTree(line);
            pairs.add(PreferencePair.of(r.get("prompt").asText(), r.get("chosen").asText(), r.get("rejected").asText()));
        }
        return pairs;
    }

    @Test
    void dpoFromPairsInMemoryReturnsMetricsAndWritesNothing(@TempDir Path tmp) throws Exception {
        List<PreferencePair> pairs = fixturePairs();
        JsonNode ex = Fixtures.expected("llama").get("examples");
        double beta = 0.1, want = 0;
        for (JsonNode e : ex) {
            double h = (e.get("policy_chosen_logps").asDouble() - e.get("reference_chosen_logps").asDouble())
                    - (e.get("policy_rejected_logps").asDouble() - e.get("reference_rejected_logps").asDouble());
            want += Math.log1p(Math.exp(-beta * h)); // −log σ(βh)
        }
        want /= ex.size();

        // what docs/train.md shows: a handful of lines, no files
        Trainer.TrainResult r;
        try (CausalLM policy = CausalLM.load(Fixtures.hfTiny("llama", "policy"));
             CausalLM reference = CausalLM.load(Fixtures.hfTiny("llama", "reference"))) {
            TrainConfig cfg = TrainConfig.builder(TrainConfig.Task.PREFERENCE).objective(new Dpo(beta))
                    .learningRate(1e-3).maxSteps(3).batchSize(10).schedule(TrainConfig.Schedule.CONSTANT, 0).build();
            r = Trainer.train(policy, reference, cfg, TrainSet.pairs(pairs), null, null);
        }
        assertNull(r.out());
        assertEquals(3, r.history().size());
        assertEquals(want, ((Number) r.history().get(0).get("loss")).doubleValue(), 1e-4);
        assertTrue(((Number) r.lastMetrics().get("loss")).doubleValue() < want, "three steps at lr 1e-3 lower the loss");
        try (Stream<Path> s = Files.list(tmp)) {
            assertFalse(s.findAny().isPresent());
        }

        // the same rows through the file adapter: the same metrics, step for step
        TrainConfig fileRun = Fixtures.tiny("llama", tmp.resolve("out"), tmp.resolve("cache")).withObjective(new Dpo(beta))
                .withLearningRate(1e-3).withSteps(3, 1);
        Trainer.TrainResult f = Trainer.run(fileRun, null);
        for (int i = 0; i < 3; i++) {
            for (String k : List.of("loss", "rewards/margins", "rewards/accuracies", "grad_norm", "log_ratio/mean")) {
                assertEquals(((Number) f.history().get(i).get(k)).doubleValue(), ((Number) r.history().get(i).get(k)).doubleValue(), 1e-6,
                        "step " + (i + 1) + " " + k);
            }
        }
        assertEquals(3, Fixtures.metrics(tmp.resolve("out")).size());
    }

    @Test
    void objectivesTakeTheirOwnDefaultsAndRStarUsesTheirScale(@TempDir Path tmp) throws Exception {
        // IPO's parameter is tau; with no overrides the catalog gives its default and the manifest records it
        TrainConfig c = Fixtures.tiny("llama", tmp.resolve("out"), tmp.resolve("cache")).withObjective("ipo", Map.of())
                .withSteps(1, 1).withEval(null, 0.2);
        assertTrue(c.objective() instanceof Ipo);
        assertEquals(Map.of("tau", 0.1), c.toMap().get("objective_params"));
        Trainer.TrainResult r = Trainer.run(c, null);
        assertTrue(r.evalMetrics().containsKey("eval/idealized_ranking_accuracy"), r.evalMetrics().toString());
        JsonNode manifest = Json.MAPPER.readTree(tmp.resolve("out/manifest.json").toFile());
        assertEquals(0.1, manifest.path("config").path("objective_params").path("tau").asDouble(), 0, manifest.toString());
    }

    @Test
    void resumeWithAnotherConfigNamesTheOptionThatDiffers(@TempDir Path tmp) {
        TrainConfig c = Fixtures.tiny("llama", tmp.resolve("out"), tmp.resolve("cache")).withSteps(2, 1).withEvery(1, 1, 0);
        Trainer.run(c, null);
        TrainingException e = assertThrows(TrainingException.class, () -> Trainer.run(c.withLearningRate(2e-6).withResume(true), null));
        assertTrue(e.getMessage().contains("learning_rate: 1.0E-6 then, 2.0E-6 now"), e.getMessage());
    }
}
