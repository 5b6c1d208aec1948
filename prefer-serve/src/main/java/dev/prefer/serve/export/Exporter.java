package dev.prefer.serve.export;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Hashes;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.data.votes.Outcome;
import dev.prefer.serve.Records.Campaign;
import dev.prefer.serve.Records.Item;
import dev.prefer.serve.Records.Vote;
import dev.prefer.serve.store.Store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a campaign's included votes (excluded votes and annotators left out) in the formats the rest of Prefer
 * reads. Every row carries the vote id, the annotator, the attribute ratings and rationale where there are any,
 * and the sampling probability of the pair, so inverse-probability weights can be applied downstream.
 */
public final class Exporter {
    private Exporter() {}

    /** Writes one format to a writer. Returns the number of rows (JSONL lines or JSON array elements). */
    public static long write(ExportFormat format, Campaign campaign, List<Item> items, List<Vote> votes, Writer out) throws IOException {
        Map<Long, Item> byId = new HashMap<>();
        for (Item it : items) byId.put(it.id(), it);
        return switch (format) {
            case trl -> trl(byId, votes, out);
            case kto -> kto(byId, votes, out);
            case ranked -> ranked(items, votes, out);
            case arena -> arena(campaign, byId, votes, out);
        };
    }

    /** Writes one format as a string. */
    public static String toString(ExportFormat format, Campaign campaign, List<Item> items, List<Vote> votes) {
        var sw = new java.io.StringWriter();
        try {
            write(format, campaign, items, votes, sw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }

    /**
     * Exports a campaign from the store into {@code folder}: the file for {@code format} (atomically) and a
     * manifest recording the campaign, the format, the vote count and the hash of the written file.
     */
    public static Path exportTo(Store store, long campaignId, ExportFormat format, Path folder) {
        Campaign c = store.campaign(campaignId).orElseThrow(() -> new IllegalArgumentException("no campaign " + campaignId));
        List<Item> items = store.items(campaignId);
        List<Vote> votes = store.includedVotes(campaignId);
        Path file = folder.resolve(format.fileName());
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long[] rows = new long[1];
        AtomicFiles.write(file, os -> {
            Writer w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(os, StandardCharsets.UTF_8));
            rows[0] = write(format, c, items, votes, w);
            w.flush();
        });
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("campaign", c.name());
        config.put("campaign_id", c.id());
        config.put("format", format.name());
        config.put("votes_included", votes.size());
        config.put("rows", rows[0]);
        config.put("database", store.database().describe());
        config.put("spec", c.spec());
        Manifest.of("serve-export", config, null)
                .withInputHash("prompts", c.sourceSha256())
                .withInputHash(format.fileName(), Hashes.sha256(file))
                .writeTo(folder);
        return file;
    }

    private static Map<String, Object> common(Vote v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vote_id", v.id());
        m.put("annotator", v.username());
        m.put("sampling_probability", v.probability());
        if (!v.attributes().isEmpty()) m.put("attributes", v.attributes());
        if (v.rationale() != null) m.put("rationale", v.rationale());
        return m;
    }

    private static long trl(Map<Long, Item> items, List<Vote> votes, Writer out) throws IOException {
        long n = 0;
        for (Vote v : votes) {
            if (v.winner() == null) continue;
            Item it = items.get(v.itemId());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt", it.prompt());
            row.put("chosen", it.responses().get(v.winner()));
            row.put("rejected", it.responses().get(v.loser()));
            row.put("chosen_system", v.winner());
            row.put("rejected_system", v.loser());
            row.putAll(common(v));
            out.write(Json.line(row));
            out.write('\n');
            n++;
        }
        return n;
    }

    private static long kto(Map<Long, Item> items, List<Vote> votes, Writer out) throws IOException {
        long n = 0;
        for (Vote v : votes) {
            if (v.outcome() == Outcome.TIE) continue;
            Item it = items.get(v.itemId());
            for (String system : List.of(v.leftSystem(), v.rightSystem())) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("prompt", it.prompt());
                row.put("completion", it.responses().get(system));
                row.put("label", system.equals(v.winner()));
                row.put("system", system);
                row.putAll(common(v));
                out.write(Json.line(row));
                out.write('\n');
                n++;
            }
        }
        return n;
    }

    /**
     * Per prompt with votes covering three or more systems: systems ordered by Copeland score (wins minus losses
     * in that prompt's votes; ties and both-bad count zero), ties in score broken by name for a stable order.
     */
    private static long ranked(List<Item> items, List<Vote> votes, Writer out) throws IOException {
        Map<Long, List<Vote>> byItem = new TreeMap<>();
        for (Vote v : votes) byItem.computeIfAbsent(v.itemId(), k -> new ArrayList<>()).add(v);
        long n = 0;
        for (Item it : items) {
            List<Vote> vs = byItem.get(it.id());
            if (vs == null) continue;
            Map<String, Integer> score = new TreeMap<>();
            for (Vote v : vs) {
                score.putIfAbsent(v.leftSystem(), 0);
                score.putIfAbsent(v.rightSystem(), 0);
                if (v.winner() != null) {
                    score.merge(v.winner(), 1, Integer::sum);
                    score.merge(v.loser(), -1, Integer::sum);
                }
            }
            if (score.size() < 3) continue;
            List<String> order = new ArrayList<>(score.keySet());
            order.sort((a, b) -> score.get(b) - score.get(a) != 0 ? score.get(b) - score.get(a) : a.compareTo(b));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt", it.prompt());
            row.put("ranking", order);
            row.put("responses", order.stream().map(s -> it.responses().get(s)).toList());
            row.put("scores", order.stream().map(score::get).toList());
            row.put("votes", vs.size());
            out.write(Json.line(row));
            out.write('\n');
            n++;
        }
        return n;
    }

    private static long arena(Campaign c, Map<Long, Item> items, List<Vote> votes, Writer out) throws IOException {
        out.write("[\n");
        long n = 0;
        for (Vote v : votes) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("question_id", c.name() + ":" + items.get(v.itemId()).lineNo());
            row.put("model_a", v.leftSystem());
            row.put("model_b", v.rightSystem());
            row.put("winner", switch (v.outcome()) {
                case A_WINS -> "model_a";
                case B_WINS -> "model_b";
                case TIE -> "tie";
                case BOTH_BAD -> "tie (bothbad)";
            });
            row.put("judge", v.username());
            row.put("turn", 1);
            row.put("anony", true);
            row.put("tstamp", v.createdAt() / 1000.0);
            row.put("weight", 1.0 / v.probability());
            row.putAll(common(v));
            out.write(n == 0 ? "  " : ",\n  ");
            out.write(Json.line(row));
            n++;
        }
        out.write(n == 0 ? "]\n" : "\n]\n");
        return n;
    }
}
