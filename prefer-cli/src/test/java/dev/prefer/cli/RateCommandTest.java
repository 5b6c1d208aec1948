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

    /** Runs prefer with stdout and stderr captured: [exit code, stdout, stderr]. */
    static String[] capture(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            int rc = Prefer.run(args);
            return new String[] {String.valueOf(rc), out.toString(), err.toString()};
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Issue #16 item 5: online Elo follows --timestamp, so a reversed file gives the same leaderboard. */
    @Test
    void timestampOrdersEloSoAReversedFileGivesTheSameLeader() throws IOException {
        StringBuilder fwd = new StringBuilder("model_a,model_b,winner,ts\n");
        java.util.List<String> rows = new java.util.ArrayList<>();
        for (int t = 0; t < 20; t++) rows.add("A,B," + (t < 10 ? "model_a" : "model_b") + "," + (1700000000 + t));
        Path f = dir.resolve("f.csv"), r = dir.resolve("r.csv");
        Files.writeString(f, fwd + String.join("\n", rows) + "\n");
        java.util.Collections.reverse(rows);
        Files.writeString(r, fwd + String.join("\n", rows) + "\n");
        String[] a = capture("rate", f.toString(), "--model", "elo", "--timestamp", "ts");
        String[] b = capture("rate", r.toString(), "--model", "elo", "--timestamp", "ts");
        assertEquals("0", a[0], a[2]);
        assertEquals(a[1], b[1]);
        assertTrue(a[1].lines().skip(1).findFirst().orElseThrow().contains(" B "), a[1]);
        String[] c = capture("rate", r.toString(), "--model", "elo");
        assertTrue(c[1].lines().skip(1).findFirst().orElseThrow().contains(" A "), c[1]);
    }

    @Test
    void categoryGivesPerCategoryLeaderboards() throws IOException {
        Path f = dir.resolve("c.csv");
        Files.writeString(f, "model_a,model_b,winner,cat\nA,B,model_a,code\nA,B,model_a,code\nA,B,model_b,code\n"
                + "A,B,model_b,prose\nB,A,model_a,prose\nA,B,model_a,prose\n");
        Path out = dir.resolve("cat-out");
        String[] r = capture("rate", f.toString(), "--category", "cat", "--out", out.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("category 'code' (3 votes):"), r[1]);
        assertTrue(r[1].contains("category 'prose' (3 votes):"), r[1]);
        String csv = Files.readString(out.resolve("categories.csv"));
        assertTrue(csv.startsWith("category,rank,item"), csv);
        assertTrue(csv.contains("\ncode,1,A,"), csv);
        assertTrue(csv.contains("\nprose,1,B,"), csv);
    }

    @Test
    void eloBootstrapIsHonouredAndMixtureWithoutAnnotatorIsRefused() {
        String[] e = capture("rate", shared("data/llmfao/crowd-comparisons.csv"), "--a", "left", "--b", "right", "--model", "elo", "--bootstrap", "5", "--seed", "1");
        assertEquals("0", e[0], e[2]);
        assertTrue(e[1].contains("intervals bootstrap (5 rounds)"), e[1]);
        String[] m = capture("rate", shared("data/llmfao/crowd-comparisons.csv"), "--a", "left", "--b", "right", "--model", "mixture");
        assertEquals("2", m[0]);
        assertTrue(m[2].contains("needs annotators (--annotator COLUMN)"), m[2]);
        assertEquals(1, m[2].strip().lines().count(), m[2]);
    }

    /** Style control from answer texts in a JSONL vote file equals the Java API on the same votes and features. */
    @Test
    void styleFromJsonlTextsMatchesTheJavaApi() throws IOException {
        java.util.Map<String, String> text = new java.util.HashMap<>();
        for (String line : Files.readAllLines(Path.of(shared("data/llmfao/results.jsonl")))) {
            JsonNode r = Json.MAPPER.readTree(line);
            text.put(r.get("prompt").asInt() + "/" + r.get("name").asText(), r.get("result").asText());
        }
        java.util.List<String> lines = new java.util.ArrayList<>();
        java.util.List<dev.prefer.data.votes.Vote> votes = new java.util.ArrayList<>();
        java.util.List<String> csv = Files.readAllLines(Path.of(shared("data/llmfao/crowd-comparisons.csv")));
        for (String row : csv.subList(1, csv.size())) {
            String[] f = row.split(",", -1); // id,prompt,model_x,model_y,worker,winner,left,right (no quoted fields here)
            String ta = text.get(f[1] + "/" + f[6]), tb = text.get(f[1] + "/" + f[7]);
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("left", f[6]);
            m.put("right", f[7]);
            m.put("winner", f[5]);
            m.put("answer_a", ta);
            m.put("answer_b", tb);
            lines.add(Json.line(m));
            dev.prefer.data.votes.Outcome o = f[5].equals("left") ? dev.prefer.data.votes.Outcome.A_WINS
                    : f[5].equals("right") ? dev.prefer.data.votes.Outcome.B_WINS : dev.prefer.data.votes.Outcome.TIE;
            votes.add(new dev.prefer.data.votes.Vote(f[6], f[7], o, 1, null, null, null, dev.prefer.ratings.StyleFeatures.of(ta, tb), null));
        }
        Path jsonl = dir.resolve("battles.jsonl");
        Files.write(jsonl, lines);
        Path out = dir.resolve("style-out");
        String[] r = capture("rate", jsonl.toString(), "--a", "left", "--b", "right", "--model", "style", "--style-texts", "answer_a,answer_b", "--out", out.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("style tokens: beta"), r[1]);
        JsonNode arena = Json.MAPPER.readTree(out.resolve("style.json").toFile());
        assertEquals(4, arena.get("coeffs").size());
        dev.prefer.ratings.Leaderboard want = dev.prefer.ratings.Ratings.leaderboard(votes,
                dev.prefer.ratings.RatingOptions.DEFAULT.withModel("style").withFeatures(dev.prefer.ratings.StyleFeatures.NAMES).withReweight(50));
        JsonNode lb = Json.MAPPER.readTree(out.resolve("leaderboard.json").toFile());
        assertEquals(59, lb.get("entries").size());
        for (JsonNode e : lb.get("entries")) {
            assertEquals(want.entry(e.get("item").asText()).rating(), e.get("rating").asDouble(), 1e-9, e.get("item").asText());
            assertEquals(want.entry(e.get("item").asText()).upper(), e.get("upper").asDouble(), 1e-9, e.get("item").asText());
        }
    }
}
