package dev.prefer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefer.data.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #16 item 6: a LoRA output folder goes straight into {@code logps} and {@code generate} (base + adapter loaded
 * and merged); the adapter records its base as an absolute path, and a relative one resolves against the adapter.
 * The expected numbers are those of the merged model training itself wrote ({@code out/merged}).
 */
class LoraFolderTest {

    static List<JsonNode> rows(String jsonl) throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String l : jsonl.strip().split("\n")) out.add(Json.MAPPER.readTree(l));
        return out;
    }

    static void assertSameLogps(String a, String b) throws Exception {
        List<JsonNode> x = rows(a), y = rows(b);
        assertEquals(y.size(), x.size());
        for (int i = 0; i < x.size(); i++) {
            assertEquals(y.get(i).get("chosen_logps").asDouble(), x.get(i).get("chosen_logps").asDouble(), 1e-4);
            assertEquals(y.get(i).get("rejected_logps").asDouble(), x.get(i).get("rejected_logps").asDouble(), 1e-4);
        }
    }

    @Test
    void adapterFoldersLoadOntoTheirBase(@TempDir Path tmp) throws Exception {
        Path f = LmCommandsTest.fixtures();
        Path out = tmp.resolve("sft");
        LmCommandsTest.runCapturing(0, "train", "sft", "--model", f.resolve("llama/policy").toString(),
                "--data", f.resolve("pairs.jsonl").toString(), "--out", out.toString(), "--max-steps", "3",
                "--lora", "--lora-rank", "4", "--learning-rate", "5e-2");
        Path base = Path.of(Json.readObject(out.resolve("adapter_config.json")).get("base_model_name_or_path").asText());
        assertTrue(base.isAbsolute(), base.toString());

        String pairs = f.resolve("pairs.jsonl").toString();
        String viaAdapter = LmCommandsTest.runCapturing(0, "logps", "--model", out.toString(), "--data", pairs);
        String viaMerged = LmCommandsTest.runCapturing(0, "logps", "--model", out.resolve("merged").toString(), "--data", pairs);
        String viaBase = LmCommandsTest.runCapturing(0, "logps", "--model", f.resolve("llama/policy").toString(), "--data", pairs);
        assertSameLogps(viaAdapter, viaMerged);
        // the adapter changed the model: its numbers are not the base's
        assertTrue(Math.abs(rows(viaAdapter).get(0).get("chosen_logps").asDouble() - rows(viaBase).get(0).get("chosen_logps").asDouble()) > 1e-3);

        String g1 = LmCommandsTest.runCapturing(0, "generate", "--model", out.toString(), "--prompt", "Q: 2+2=", "--greedy", "--max-new-tokens", "8", "--json");
        String g2 = LmCommandsTest.runCapturing(0, "generate", "--model", out.resolve("merged").toString(), "--prompt", "Q: 2+2=", "--greedy", "--max-new-tokens", "8", "--json");
        assertEquals(Json.MAPPER.readTree(g2.strip()).get("new_ids"), Json.MAPPER.readTree(g1.strip()).get("new_ids"));

        // A copy of the adapter naming its base relative to itself (as PEFT folders moved between machines do).
        Path moved = Files.createDirectories(tmp.resolve("elsewhere/adapter"));
        Files.copy(out.resolve("adapter_model.safetensors"), moved.resolve("adapter_model.safetensors"));
        ObjectNode c = (ObjectNode) Json.readObject(out.resolve("adapter_config.json"));
        c.put("base_model_name_or_path", moved.relativize(f.resolve("llama/policy").toAbsolutePath().normalize()).toString());
        Files.writeString(moved.resolve("adapter_config.json"), c.toString());
        assertSameLogps(LmCommandsTest.runCapturing(0, "logps", "--model", moved.toString(), "--data", pairs), viaMerged);
    }
}
