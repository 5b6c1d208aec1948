package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The reference fixtures in ../shared/fixtures (made by transformers); a missing fixture fails, never skips. */
final class Fixtures {
    private Fixtures() {}

    static Path shared() {
        String s = System.getProperty("prefer.shared");
        Path p = s != null ? Path.of(s) : Path.of("../../shared");
        assertTrue(Files.isDirectory(p.resolve("fixtures")), "missing fixtures under " + p.toAbsolutePath());
        return p;
    }

    static Path hfTiny() {
        return shared().resolve("fixtures/hf-tiny");
    }

    static Path model(String arch, String role) {
        Path p = hfTiny().resolve(arch).resolve(role);
        assertTrue(Files.isRegularFile(p.resolve("model.safetensors")), "missing fixture " + p);
        return p;
    }

    static JsonNode expected(String arch) {
        return readJson(hfTiny().resolve(arch).resolve("expected.json"));
    }

    static JsonNode readJson(Path p) {
        assertTrue(Files.isRegularFile(p), "missing fixture " + p);
        try {
            return Json.MAPPER.readTree(Files.readString(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** pairs.jsonl rows as {prompt, chosen, rejected}. */
    static List<String[]> pairs() {
        Path p = hfTiny().resolve("pairs.jsonl");
        assertTrue(Files.isRegularFile(p), "missing fixture " + p);
        List<String[]> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(p)) {
                if (line.isBlank()) continue;
                JsonNode n = Json.MAPPER.readTree(line);
                out.add(new String[] {n.get("prompt").asText(), n.get("chosen").asText(), n.get("rejected").asText()});
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static long[] longs(JsonNode arr) {
        long[] out = new long[arr.size()];
        for (int i = 0; i < out.length; i++) out[i] = arr.get(i).asLong();
        return out;
    }

    static double[] doubles(JsonNode arr) {
        double[] out = new double[arr.size()];
        for (int i = 0; i < out.length; i++) out[i] = arr.get(i).asDouble();
        return out;
    }

    /** Chosen then rejected for every pair (20 sequences for the 10 pairs). */
    static List<PromptResponse> chosenThenRejected() {
        List<PromptResponse> out = new ArrayList<>();
        List<String[]> pairs = pairs();
        for (String[] p : pairs) out.add(new PromptResponse(p[0], p[1]));
        for (String[] p : pairs) out.add(new PromptResponse(p[0], p[2]));
        return out;
    }
}
