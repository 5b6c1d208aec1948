package dev.prefer.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prefer logps} and {@code prefer generate} on the fixtures, against transformers' expected.json. */
class LmCommandsTest {

    static Path fixtures() {
        String s = System.getProperty("prefer.shared");
        Path p = Path.of(s == null ? "../../shared" : s).resolve("fixtures/hf-tiny");
        assertTrue(Files.isDirectory(p), "missing fixtures " + p);
        return p;
    }

    static String runCapturing(int expectedExit, String... args) {
        PrintStream old = System.out, oldErr = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Prefer.run(args);
            assertEquals(expectedExit, code, "exit code; stderr: " + err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
            System.setErr(oldErr);
        }
        return expectedExit == 0 ? buf.toString(StandardCharsets.UTF_8) : err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void logpsWritesOneLinePerPairInOrder(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("logps.jsonl");
        runCapturing(0, "logps", "--model", fixtures().resolve("qwen2/policy").toString(),
                "--data", fixtures().resolve("pairs.jsonl").toString(), "--out", out.toString(), "--batch-size", "3");
        List<String> lines = Files.readAllLines(out);
        JsonNode ex = Json.MAPPER.readTree(Files.readString(fixtures().resolve("qwen2/expected.json"))).get("examples");
        assertEquals(ex.size(), lines.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonNode row = Json.MAPPER.readTree(lines.get(i));
            assertEquals(ex.get(i).get("policy_chosen_logps").asDouble(), row.get("chosen_logps").asDouble(), 1e-4);
            assertEquals(ex.get(i).get("policy_rejected_logps").asDouble(), row.get("rejected_logps").asDouble(), 1e-4);
            assertEquals(ex.get(i).get("chosen_ids").size(), row.get("chosen_tokens").asInt());
            assertEquals(ex.get(i).get("rejected_ids").size(), row.get("rejected_tokens").asInt());
        }
        String stdout = runCapturing(0, "logps", "--model", fixtures().resolve("gpt2/reference").toString(),
                "--data", fixtures().resolve("pairs.jsonl").toString());
        JsonNode first = Json.MAPPER.readTree(stdout.lines().findFirst().orElseThrow());
        JsonNode gx = Json.MAPPER.readTree(Files.readString(fixtures().resolve("gpt2/expected.json"))).get("examples").get(0);
        assertEquals(gx.get("reference_chosen_logps").asDouble(), first.get("chosen_logps").asDouble(), 1e-4);
    }

    @Test
    void generateGreedyJsonMatchesTransformers() throws Exception {
        for (String arch : List.of("gpt2", "llama")) {
            JsonNode g = Json.MAPPER.readTree(Files.readString(fixtures().resolve(arch + "/expected.json"))).get("greedy").get(0);
            String out = runCapturing(0, "generate", "--model", fixtures().resolve(arch + "/policy").toString(),
                    "--prompt", g.get("prompt").asText(), "--greedy", "--max-new-tokens", "16", "--json");
            JsonNode row = Json.MAPPER.readTree(out.strip());
            long[] ids = new long[row.get("new_ids").size()];
            for (int i = 0; i < ids.length; i++) ids[i] = row.get("new_ids").get(i).asLong();
            long[] want = new long[g.get("greedy_new_ids").size()];
            for (int i = 0; i < want.length; i++) want[i] = g.get("greedy_new_ids").get(i).asLong();
            assertArrayEquals(want, ids, arch);
            assertTrue(row.get("text").isTextual());
        }
        String a = runCapturing(0, "generate", "--model", fixtures().resolve("gpt2/policy").toString(), "--prompt", "hi",
                "--temperature", "0.9", "--top-p", "0.9", "--top-k", "50", "--seed", "5", "--max-new-tokens", "8", "--json");
        String b = runCapturing(0, "generate", "--model", fixtures().resolve("gpt2/policy").toString(), "--prompt", "hi",
                "--temperature", "0.9", "--top-p", "0.9", "--top-k", "50", "--seed", "5", "--max-new-tokens", "8", "--json");
        assertEquals(a, b, "seeded sampling is reproducible");
    }

    @Test
    void badInputIsOneLineAndNonZero(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt\":\"a\",\"chosen\":\"b\",\"rejected\":\"c\"}\n{\"prompt\":\"a\",\"chosen\":\"b\"}\n");
        String err = runCapturing(2, "logps", "--model", fixtures().resolve("gpt2/policy").toString(), "--data", bad.toString());
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains("bad.jsonl:2") && err.contains("rejected"), err);
        err = runCapturing(2, "generate", "--model", tmp.toString(), "--prompt", "x");
        assertTrue(err.contains("config.json"), err);
        err = runCapturing(2, "generate", "--model", fixtures().resolve("gpt2/policy").toString(), "--prompt", "x", "--greedy", "--temperature", "0.5");
        assertTrue(err.contains("mutually exclusive") || err.contains("--greedy"), err);
    }
}
