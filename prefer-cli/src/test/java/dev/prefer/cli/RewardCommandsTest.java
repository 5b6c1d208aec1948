package dev.prefer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train reward, score and eval reward end to end on a small file, with the fast hashing backbone. */
class RewardCommandsTest {
    static Path pairs(Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        String[] good = {"Here is a careful, helpful answer.", "Sure, these steps will help you.", "A clear explanation follows."};
        String[] bad = {"Go away.", "No, figure it out.", "Not my problem."};
        for (int i = 0; i < 90; i++) {
            lines.add(Json.line(java.util.Map.of("prompt", "question " + i, "chosen", good[i % 3] + " " + i,
                    "rejected", bad[(i / 3) % 3], "annotator", i % 2 == 0 ? "ann-x" : "ann-y")));
        }
        Path f = dir.resolve("pairs.jsonl");
        Files.write(f, lines);
        return f;
    }

    static String run(int expectedExit, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = System.out;
        PrintStream e = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Prefer.run(args);
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
        assertEquals(expectedExit, code, "exit code; stderr: " + err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void trainScoreEval(@TempDir Path dir) throws Exception {
        Path data = pairs(dir);
        Path model = dir.resolve("rm");
        String t = run(0, "train", "reward", "--backbone", "hash-64", "--head", "pal", "--data", data.toString(), "--out", model.toString(),
                "--epochs", "30", "--lr", "0.05", "--no-cache");
        assertTrue(t.contains("validation: pairs=9"), t);
        for (String f : new String[] {"config.json", "head.json", "manifest.json", "metrics.json"}) assertTrue(Files.exists(model.resolve(f)), f);
        JsonNode manifest = Json.MAPPER.readTree(Files.readString(model.resolve("manifest.json")));
        assertTrue(manifest.get("inputs").get("data").asText().startsWith("sha256:"));

        Path scored = dir.resolve("scored.jsonl");
        run(0, "score", "--model", model.toString(), "--data", data.toString(), "--out", scored.toString(), "--no-cache");
        List<String> rows = Files.readAllLines(scored);
        assertEquals(90, rows.size());
        JsonNode r0 = Json.MAPPER.readTree(rows.get(0));
        double p = r0.get("p_chosen").asDouble();
        double diff = r0.get("reward_chosen").asDouble() - r0.get("reward_rejected").asDouble();
        assertEquals(1 / (1 + Math.exp(-diff)), p, 1e-12, "PAL's probability is σ of the reward difference");
        assertTrue(Files.exists(dir.resolve("scored.jsonl.manifest.json")));

        String ev = run(0, "eval", "reward", "--model", model.toString(), "--data", data.toString(), "--no-cache");
        assertTrue(ev.contains("accuracy[ann-x]") && ev.contains("ece"), ev);
    }

    @Test
    void badInputIsOneLineNamingFileLineAndField(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("bad.jsonl");
        Files.writeString(data, "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}\n{\"prompt\":\"p\",\"chosen\":3,\"rejected\":\"b\"}\n");
        String msg = run(2, "train", "reward", "--backbone", "hash-8", "--data", data.toString(), "--out", dir.resolve("m").toString(), "--no-cache");
        assertTrue(msg.contains("bad.jsonl:2") && msg.contains("chosen"), msg);
        assertEquals(1, msg.strip().lines().count(), msg);
        String unknown = run(2, "train", "reward", "--head", "nope", "--data", data.toString(), "--out", dir.resolve("m").toString());
        assertTrue(unknown.contains("unknown head 'nope'"), unknown);
    }
}
