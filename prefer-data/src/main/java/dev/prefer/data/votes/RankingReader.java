package dev.prefer.data.votes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Jsonl;
import dev.prefer.data.Source;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads rankings and top-1 choices from JSON Lines (plain or gzip).
 * <ul>
 *   <li>Rankings: {@code {"ranking": ["b", ["a", "c"], "d"], "weight": 2}} — best first; a nested array is a
 *       group of tied items; weight optional (1).</li>
 *   <li>Choices: {@code {"chosen": "a", "others": ["b", "c"], "weight": 1}} — "a" was picked over the others.</li>
 * </ul>
 * Item names may be strings or numbers. Bad rows are located errors, or skipped and counted on request.
 */
public final class RankingReader {
    private RankingReader() {}

    /** Rankings read, with the skip count. */
    public record Rankings(List<Ranking> rankings, long skipped, DataException firstSkipped) {}

    /** Choices read, with the skip count. */
    public record Choices(List<Choice> choices, long skipped, DataException firstSkipped) {}

    public static Rankings readRankings(Path file, String field, boolean skipBadRows) {
        List<Ranking> out = new ArrayList<>();
        Jsonl.ReadStats st = Jsonl.read(file, skipBadRows, (line, row) -> {
            JsonNode r = row.get(field);
            if (r == null || !r.isArray()) throw new DataException(file, line, field, "expected an array of items (nested arrays for ties)");
            List<List<String>> tiers = new ArrayList<>();
            for (JsonNode t : r) {
                List<String> tier = new ArrayList<>();
                if (t.isArray()) for (JsonNode x : t) tier.add(item(file, line, field, x));
                else tier.add(item(file, line, field, t));
                tiers.add(tier);
            }
            double w = weight(file, line, row);
            try {
                out.add(new Ranking(tiers, w, new Source(file.toString(), line)));
            } catch (IllegalArgumentException e) {
                throw new DataException(file, line, field, e.getMessage());
            }
        });
        return new Rankings(out, st.skipped(), st.firstSkipped());
    }

    public static Choices readChoices(Path file, String chosenField, String othersField, boolean skipBadRows) {
        List<Choice> out = new ArrayList<>();
        Jsonl.ReadStats st = Jsonl.read(file, skipBadRows, (line, row) -> {
            JsonNode c = row.get(chosenField);
            if (c == null || c.isNull()) throw new DataException(file, line, chosenField, "missing");
            JsonNode o = row.get(othersField);
            if (o == null || !o.isArray()) throw new DataException(file, line, othersField, "expected an array of items");
            List<String> others = new ArrayList<>();
            for (JsonNode x : o) others.add(item(file, line, othersField, x));
            try {
                out.add(new Choice(item(file, line, chosenField, c), others, weight(file, line, row), new Source(file.toString(), line)));
            } catch (IllegalArgumentException e) {
                throw new DataException(file, line, othersField, e.getMessage());
            }
        });
        return new Choices(out, st.skipped(), st.firstSkipped());
    }

    private static String item(Path file, long line, String field, JsonNode x) {
        if (!(x.isTextual() || x.isNumber()) || x.asText().isBlank()) throw new DataException(file, line, field, "items must be non-empty strings or numbers");
        return x.asText().strip();
    }

    private static double weight(Path file, long line, JsonNode row) {
        Double w = Jsonl.optionalNumber(file, line, row, "weight");
        if (w == null) return 1.0;
        if (!(w > 0)) throw new DataException(file, line, "weight", "must be > 0");
        return w;
    }
}
