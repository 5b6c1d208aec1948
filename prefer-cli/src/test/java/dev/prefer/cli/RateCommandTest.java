package dev.prefer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RateCommandTest {
    @TempDir
    Path dir;

    static String shared(String rel) {
        return Path.of(System.getProperty("prefer.shared")).resolve(rel).toString();
    }

    @Test
    void ratesLlmfaoAndWritesEveryArtifact() throws IOException {
        Path out = dir.resolve("out");
        int rc = Prefer.run("rate", shared("data/llmfao/crowd-comparisons.csv"), "--a", "left", "--b", "right",
                "--bootstrap", "20", "--seed", "3", "--out", out.toString());
        assertEquals(0, rc);
        for (String f : new String[] {"leaderboard.csv", "leaderboard.json", "win-probabilities.csv", "report.html", "manifest.json"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        JsonNode m = Json.MAPPER.readTree(out.resolve("manifest.json").toFile());
        assertEquals("ratings", m.get("kind").asText());
        assertEquals(3, m.get("seed").asLong());
        assertTrue(m.get("inputs").get("votes").asText().startsWith("sha256:"));
        assertEquals("bt", m.get("config").get("model").asText());
        JsonNode lb = Json.MAPPER.readTree(out.resolve("leaderboard.json").toFile());
        assertEquals(59, lb.get("entries").size());
        assertEquals("bootstrap", lb.get("intervals").asText());
        assertTrue(Files.readString(out.resolve("report.html")).contains("<svg"));
    }

    @Test
    void preflibWithPlackettLuce() {
        assertEquals(0, Prefer.run("rate", shared("data/preflib/00002-00000001.soi"), "--model", "pl", "--scale", "log"));
    }

    @Test
    void badRowGivesOneLineAndNonZeroExit() throws IOException {
        Path f = dir.resolve("v.csv");
        Files.writeString(f, "model_a,model_b,winner\na,b,model_a\nb,a,nobody\n");
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        int rc;
        try {
            rc = Prefer.run("rate", f.toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(2, rc);
        String msg = err.toString().strip();
        assertTrue(msg.startsWith("prefer: " + f + ":3: field 'winner': unknown value 'nobody'"), msg);
        assertEquals(1, msg.lines().count());
    }
}
