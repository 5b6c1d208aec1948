package dev.prefer.ratings;

import dev.prefer.data.votes.VoteColumns;
import dev.prefer.data.votes.VoteFile;
import dev.prefer.data.votes.VoteReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Test access to ../shared; a missing fixture fails, never skips. */
final class Shared {
    private Shared() {}

    static Path path(String rel) {
        String root = System.getProperty("prefer.shared");
        if (root == null) throw new IllegalStateException("system property prefer.shared is not set (run through Maven)");
        Path p = Path.of(root).resolve(rel);
        if (!Files.exists(p)) throw new IllegalStateException("missing shared fixture: " + p);
        return p;
    }

    /** LLMFAO crowd votes: columns left,right,winner with winner in left/right/tie. */
    static VoteFile llmfaoCrowd() {
        return VoteReader.readCsv(path("data/llmfao/crowd-comparisons.csv"), ',', VoteColumns.DEFAULT.withItems("left", "right"), false);
    }

    static VoteFile evalicaSimple() {
        return VoteReader.readCsv(path("data/llmfao/evalica-simple.csv"), ',', VoteColumns.DEFAULT.withItems("left", "right"), false);
    }

    /** algorithm -> item -> score from an evalica golden CSV. */
    static Map<String, Map<String, Double>> golden(String name) {
        try {
            Map<String, Map<String, Double>> m = new HashMap<>();
            List<String> lines = Files.readAllLines(path("data/llmfao/evalica-" + name + "-golden.csv"));
            for (String line : lines.subList(1, lines.size())) {
                int c1 = line.indexOf(','), c2 = line.lastIndexOf(',');
                m.computeIfAbsent(line.substring(0, c1), k -> new HashMap<>()).put(line.substring(c1 + 1, c2), Double.parseDouble(line.substring(c2 + 1)));
            }
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
