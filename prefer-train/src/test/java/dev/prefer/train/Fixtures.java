package dev.prefer.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Paths of ../shared fixtures; a missing fixture fails. */
final class Fixtures {
    private Fixtures() {}

    static Path shared() {
        String s = System.getProperty("prefer.shared");
        if (s == null) throw new IllegalStateException("system property prefer.shared is not set");
        return Path.of(s);
    }

    static Path hfTiny(String... parts) {
        Path p = shared().resolve("fixtures/hf-tiny");
        for (String x : parts) p = p.resolve(x);
        if (!Files.exists(p)) throw new IllegalStateException("missing fixture " + p);
        return p;
    }

    static JsonNode expected(String arch) {
        try {
            return Json.MAPPER.readTree(hfTiny(arch, "expected.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> metrics(Path out) {
        try {
            List<JsonNode> rows = new ArrayList<>();
            for (String l : Files.readAllLines(out.resolve("metrics.jsonl"))) rows.add(Json.MAPPER.readTree(l));
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A DPO config on the hf-tiny pairs for one architecture, full fine-tuning, whole data per step. */
    static TrainConfig tiny(String arch, Path out, Path cache) {
        return TrainConfig.defaults(TrainConfig.Task.PREFERENCE, hfTiny(arch, "policy"), hfTiny("pairs.jsonl"), out)
                .withRef(hfTiny(arch, "reference")).withCacheDir(cache).withBatch(10, 1)
                .withObjective("dpo", Map.of("beta", 0.1)).withSchedule(TrainConfig.Schedule.CONSTANT, 0);
    }
}
