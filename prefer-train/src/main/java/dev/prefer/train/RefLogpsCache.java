package dev.prefer.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Hashes;
import dev.prefer.data.Json;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.SequenceLogps;
import dev.prefer.lm.TokenizedSequence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reference log-probs computed once and kept on disk, keyed by SHA-256 of (reference model folder hash, tokenized
 * data hash, length config, precision), so a run — or a resumed run, or the next run on the same data — never keeps
 * the reference model in memory while training.
 */
public final class RefLogpsCache {
    private RefLogpsCache() {}

    /** Where a key's file lives. */
    static Path file(Path cacheDir, String key) {
        return cacheDir.resolve(key + ".json");
    }

    public static String key(String modelHash, String dataHash, TrainConfig config) {
        return Hashes.sha256("ref-logps/v1|" + modelHash + "|" + dataHash + "|" + config.toMap().get("length") + "|" + config.precision());
    }

    /** Summed log-probs of every response of every group under {@code lm}, no gradients. */
    static List<double[]> score(List<TrainExample> groups, CausalLM lm, int batchSize) {
        return score(groups, lm, batchSize, TrainConfig.PrefixSharing.OFF);
    }

    /** As {@link #score(List, CausalLM, int)}, sharing each group's prompt as {@code sharing} says. */
    static List<double[]> score(List<TrainExample> groups, CausalLM lm, int batchSize, TrainConfig.PrefixSharing sharing) {
        List<TokenizedSequence> seqs = new ArrayList<>();
        for (TrainExample e : groups) seqs.addAll(e.scored());
        List<SequenceLogps> lp = lm.logpsOfIds(seqs, Trainer.groupSizes(groups, seqs, sharing, lm.config().hiddenSize()), batchSize, false);
        List<double[]> out = new ArrayList<>(groups.size());
        int at = 0;
        for (TrainExample e : groups) {
            double[] v = new double[e.scoredCount()];
            for (int j = 0; j < v.length; j++) v[j] = lp.get(at++).sum();
            out.add(v);
        }
        return out;
    }

    /**
     * Summed log-probs of every scored sequence of every group ({@link TrainExample#scored()}: K responses, plus the
     * KL sample when there is one), from the cache or computed with {@code lm}.
     */
    public static List<double[]> get(Path cacheDir, String key, List<TrainExample> groups, CausalLM lm, int batchSize, boolean[] hit) {
        Path f = file(cacheDir, key);
        if (Files.exists(f)) {
            try {
                JsonNode root = Json.MAPPER.readTree(f.toFile());
                JsonNode rows = root.get("logps");
                if (rows != null && rows.size() == groups.size()) {
                    List<double[]> out = new ArrayList<>(groups.size());
                    for (JsonNode r : rows) {
                        double[] v = new double[r.size()];
                        for (int i = 0; i < v.length; i++) v[i] = r.get(i).asDouble();
                        out.add(v);
                    }
                    if (hit != null) hit[0] = true;
                    return out;
                }
            } catch (IOException | RuntimeException e) {
                // unreadable cache file: recompute and overwrite
            }
        }
        List<double[]> out = score(groups, lm, batchSize);
        try {
            Files.createDirectories(cacheDir);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", key);
            m.put("logps", out);
            AtomicFiles.writeString(f, Json.MAPPER.writeValueAsString(m));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the reference cache " + f + ": " + e.getMessage(), e);
        }
        if (hit != null) hit[0] = false;
        return out;
    }
}
