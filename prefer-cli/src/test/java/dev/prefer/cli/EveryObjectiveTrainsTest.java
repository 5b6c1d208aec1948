package dev.prefer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefer.data.Json;
import dev.prefer.objectives.Layout;
import dev.prefer.objectives.ObjectiveCatalog;
import dev.prefer.objectives.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every entry of {@code prefer objectives} trains 2 steps through the CLI with its own default parameters (no
 * {@code --objective-params}), on data of the layout it reads, derived from the hf-tiny fixture pairs. Regression:
 * the CLI used to apply {@code beta=0.1} to every objective, so {@code --objective ipo} failed with "ipo has no
 * parameter 'beta'".
 */
class EveryObjectiveTrainsTest {

    @Test
    void everyCatalogEntryTrainsTwoStepsWithItsDefaults(@TempDir Path tmp) throws Exception {
        Path f = LmCommandsTest.fixtures();
        List<JsonNode> pairs = new ArrayList<>();
        for (String line : Files.readAllLines(f.resolve("pairs.jsonl"))) {
            JsonNode row = Json.MAPPER.readTree(line);
            if (!row.get("chosen").asText().equals(row.get("rejected").asText())) pairs.add(row);
        }
        Path pairFile = write(tmp.resolve("pairs.jsonl"), pairs);
        List<JsonNode> lists = new ArrayList<>(), unpaired = new ArrayList<>(), joint = new ArrayList<>(), scored = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            JsonNode p = pairs.get(i);
            String prompt = p.get("prompt").asText(), chosen = p.get("chosen").asText(), rejected = p.get("rejected").asText();
            ObjectNode l = Json.MAPPER.createObjectNode().put("prompt", prompt);
            l.putArray("responses").add(chosen).add(rejected).add(chosen + rejected);
            l.putArray("scores").add(2).add(0).add(1);
            lists.add(l);
            unpaired.add(Json.MAPPER.createObjectNode().put("prompt", prompt).put("completion", chosen).put("label", true));
            unpaired.add(Json.MAPPER.createObjectNode().put("prompt", prompt).put("completion", rejected).put("label", false));
            JsonNode other = pairs.get((i + 1) % pairs.size());
            joint.add(Json.MAPPER.createObjectNode().put("prompt_chosen", prompt).put("chosen", chosen)
                    .put("prompt_rejected", other.get("prompt").asText()).put("rejected", other.get("rejected").asText()));
            ObjectNode s = ((ObjectNode) p.deepCopy());
            s.putObject("chosen_scores").put("score", 1.0 + i);
            s.putObject("rejected_scores").put("score", 0.5 * i);
            scored.add(s);
        }
        Path listFile = write(tmp.resolve("lists.jsonl"), lists);
        Path unpairedFile = write(tmp.resolve("unpaired.jsonl"), unpaired);
        Path jointFile = write(tmp.resolve("joint.jsonl"), joint);
        Path scoredFile = write(tmp.resolve("scored.jsonl"), scored);

        int trained = 0;
        for (ObjectiveCatalog.Entry e : ObjectiveCatalog.entries()) {
            // MODPO has no default weight: its one required parameter names the score column.
            Map<String, Double> required = e.name().equals("modpo") ? Map.of("w-score", 0.5) : Map.of();
            Requirements r = e.create(required).requirements();
            Path data = e.name().equals("dove") ? jointFile
                    : e.name().equals("modpo") ? scoredFile
                    : r.layout() == Layout.LISTS ? listFile
                    : r.layout() == Layout.UNPAIRED ? unpairedFile : pairFile;
            Path out = tmp.resolve("run-" + e.name());
            List<String> args = new ArrayList<>(List.of("train", "dpo", "--model", f.resolve("llama/policy").toString(),
                    "--data", data.toString(), "--out", out.toString(), "--objective", e.name(), "--max-steps", "2",
                    "--batch-size", "4", "--learning-rate", "1e-3", "--cache-dir", tmp.resolve("cache").toString()));
            if (e.name().equals("modpo")) args.addAll(List.of("--objective-params", "w-score=0.5"));
            LmCommandsTest.runCapturing(0, args.toArray(String[]::new));
            List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
            assertEquals(2, metrics.size(), e.name());
            for (String m : metrics) {
                double loss = Json.MAPPER.readTree(m).get("loss").asDouble();
                assertTrue(Double.isFinite(loss), e.name() + ": " + m);
            }
            trained++;
        }
        assertEquals(ObjectiveCatalog.entries().size(), trained);
    }

    private static Path write(Path file, List<JsonNode> rows) throws Exception {
        StringBuilder b = new StringBuilder();
        for (JsonNode r : rows) b.append(Json.MAPPER.writeValueAsString(r)).append('\n');
        Files.writeString(file, b.toString());
        return file;
    }
}
