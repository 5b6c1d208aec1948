package dev.prefer.data.votes;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.data.Jsonl;
import dev.prefer.data.Source;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads pairwise votes from CSV/TSV, JSONL (plain or gzip) and Chatbot Arena {@code clean_battle} JSON (a JSON
 * array of battle objects with {@code model_a}, {@code model_b}, {@code winner}, e.g.
 * {@code clean_battle_20240814_public.json}). Columns and winner values come from {@link VoteColumns}.
 *
 * <p>A bad row (missing item, unknown winner value, a and b equal, bad weight or feature) is a
 * {@link DataException} naming the file, line and field; with {@code skipBadRows} it is skipped and counted in
 * {@link VoteFile#skipped()} instead.
 */
public final class VoteReader {
    private VoteReader() {}

    /** Input formats. */
    public enum Format {
        CSV, TSV, JSONL, ARENA_JSON;

        /** Guesses the format from the file name: .csv, .tsv, .jsonl/.ndjson (optionally .gz), .json. */
        public static Format guess(Path file) {
            String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (n.endsWith(".gz")) n = n.substring(0, n.length() - 3);
            if (n.endsWith(".csv")) return CSV;
            if (n.endsWith(".tsv") || n.endsWith(".tab")) return TSV;
            if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) return JSONL;
            if (n.endsWith(".json")) return ARENA_JSON;
            throw DataException.ofFile(file, "cannot tell the vote format from the name; give it (csv, tsv, jsonl, arena-json)");
        }
    }

    /** Reads a vote file of the given format. */
    public static VoteFile read(Path file, Format format, VoteColumns columns, boolean skipBadRows) {
        return switch (format) {
            case CSV -> readCsv(file, ',', columns, skipBadRows);
            case TSV -> readCsv(file, '\t', columns, skipBadRows);
            case JSONL -> readJsonl(file, columns, skipBadRows);
            case ARENA_JSON -> readArenaJson(file, columns, skipBadRows);
        };
    }

    /** Reads a vote file, guessing the format from its name. */
    public static VoteFile read(Path file, VoteColumns columns, boolean skipBadRows) {
        return read(file, Format.guess(file), columns, skipBadRows);
    }

    /** CSV (or TSV with {@code sep='\t'}) with a header row naming the columns. */
    public static VoteFile readCsv(Path file, char sep, VoteColumns columns, boolean skipBadRows) {
        try (Csv csv = new Csv(file, sep)) {
            List<String> header = csv.next();
            if (header == null) throw DataException.ofFile(file, "empty file: no header row");
            Map<String, Integer> col = new HashMap<>();
            for (int i = 0; i < header.size(); i++) col.putIfAbsent(header.get(i).strip(), i);
            int ia = requireColumn(file, col, columns.a());
            int ib = requireColumn(file, col, columns.b());
            int iw = requireColumn(file, col, columns.winner());
            int iwt = optionalColumn(file, col, columns.weight());
            int ian = optionalColumn(file, col, columns.annotator());
            int its = optionalColumn(file, col, columns.timestamp());
            int ica = optionalColumn(file, col, columns.category());
            int[] ifeat = new int[columns.features().size()];
            for (int k = 0; k < ifeat.length; k++) ifeat[k] = requireColumn(file, col, columns.features().get(k));
            Builder bld = new Builder(file, columns, skipBadRows);
            List<String> row;
            while ((row = csv.next()) != null) {
                final List<String> r = row;
                long line = csv.line();
                try {
                    if (r.size() != header.size()) {
                        throw new DataException(file, line, null, "expected " + header.size() + " fields, found " + r.size());
                    }
                    Function<Integer, String> get = i -> i < 0 ? null : r.get(i);
                    String[] feats = new String[ifeat.length];
                    for (int k = 0; k < ifeat.length; k++) feats[k] = r.get(ifeat[k]);
                    bld.add(line, r.get(ia), r.get(ib), r.get(iw), get.apply(iwt), get.apply(ian), get.apply(its), get.apply(ica), feats);
                } catch (DataException e) {
                    bld.skip(e);
                }
            }
            return bld.done();
        }
    }

    /** JSON Lines: one object per line with the fields named by {@code columns} (numbers allowed for items). */
    public static VoteFile readJsonl(Path file, VoteColumns columns, boolean skipBadRows) {
        Builder bld = new Builder(file, columns, true);
        Jsonl.ReadStats st = Jsonl.read(file, skipBadRows, (line, row) -> addJson(bld, file, columns, line, row));
        // Builder was told to skip so that Jsonl does the counting of handler errors too; rethrow if not skipping.
        VoteFile built = bld.done();
        long skipped = st.skipped() + built.skipped();
        DataException first = st.firstSkipped() != null ? st.firstSkipped() : built.firstSkipped();
        if (!skipBadRows && first != null) throw first;
        return new VoteFile(built.votes(), built.featureNames(), skipped, first);
    }

    /** Chatbot Arena {@code clean_battle} JSON: one array of battle objects (streamed, so large files are fine). */
    public static VoteFile readArenaJson(Path file, VoteColumns columns, boolean skipBadRows) {
        Builder bld = new Builder(file, columns, skipBadRows);
        try (BufferedReader r = Jsonl.open(file); JsonParser p = Json.MAPPER.getFactory().createParser(r)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_ARRAY) throw DataException.ofFile(file, "expected a JSON array of battles");
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) throw new DataException(file, p.currentLocation().getLineNr(), null, "unexpected end of file inside the array");
                long line = p.currentLocation().getLineNr();
                JsonNode node = Json.MAPPER.readTree(p);
                try {
                    if (node == null || !node.isObject()) throw new DataException(file, line, null, "expected a battle object");
                    addJson(bld, file, columns, line, node);
                } catch (DataException e) {
                    bld.skip(e);
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new DataException(file, line, null, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw DataException.ofFile(file, "cannot read: " + e.getMessage());
        }
        return bld.done();
    }

    private static void addJson(Builder bld, Path file, VoteColumns c, long line, JsonNode row) {
        String[] feats = new String[c.features().size()];
        for (int k = 0; k < feats.length; k++) {
            JsonNode v = row.get(c.features().get(k));
            if (v == null || v.isNull()) throw new DataException(file, line, c.features().get(k), "missing");
            if (!v.isNumber() && !v.isTextual() && !v.isBoolean()) throw new DataException(file, line, c.features().get(k), "expected a number");
            feats[k] = v.isBoolean() ? (v.asBoolean() ? "1" : "0") : v.asText();
        }
        bld.add(line, scalar(file, line, row, c.a(), true), scalar(file, line, row, c.b(), true),
                scalar(file, line, row, c.winner(), true), scalar(file, line, row, c.weight(), false),
                scalar(file, line, row, c.annotator(), false), scalar(file, line, row, c.timestamp(), false),
                scalar(file, line, row, c.category(), false), feats);
    }

    private static String scalar(Path file, long line, JsonNode row, String field, boolean required) {
        if (field == null) return null;
        JsonNode v = row.get(field);
        if (v == null || v.isNull()) {
            if (required) throw new DataException(file, line, field, "missing");
            return null;
        }
        if (!v.isValueNode()) throw new DataException(file, line, field, "expected a string or number, got " + v.getNodeType().toString().toLowerCase(Locale.ROOT));
        return v.asText();
    }

    private static int requireColumn(Path file, Map<String, Integer> col, String name) {
        Integer i = col.get(name);
        if (i == null) throw new DataException(file, 1, name, "no such column in the header (columns: " + String.join(",", col.keySet()) + ")");
        return i;
    }

    private static int optionalColumn(Path file, Map<String, Integer> col, String name) {
        return name == null ? -1 : requireColumn(file, col, name);
    }

    /** Turns raw field strings into validated votes; shares item name strings. */
    private static final class Builder {
        final Path file;
        final String fileName;
        final VoteColumns c;
        final boolean skip;
        final List<Vote> votes = new ArrayList<>();
        final Map<String, String> names = new HashMap<>();
        long skipped;
        DataException first;

        Builder(Path file, VoteColumns c, boolean skip) {
            this.file = file;
            this.fileName = file.toString();
            this.c = c;
            this.skip = skip;
        }

        void add(long line, String a, String b, String w, String weight, String annotator, String ts, String cat, String[] feats) {
            a = item(line, c.a(), a);
            b = item(line, c.b(), b);
            if (a.equals(b)) throw new DataException(file, line, c.b(), "same item as " + c.a() + " ('" + a + "')");
            if (w == null) throw new DataException(file, line, c.winner(), "missing");
            Outcome o = c.outcomeOf(w, a, b);
            if (o == null) throw new DataException(file, line, c.winner(), "unknown value '" + w.strip() + "'; expected " + c.acceptedValues());
            double wt = 1.0;
            if (weight != null && !weight.isBlank()) {
                wt = number(line, c.weight(), weight);
                if (!(wt > 0)) throw new DataException(file, line, c.weight(), "must be > 0, got " + weight.strip());
            }
            double[] f = new double[feats.length];
            for (int k = 0; k < f.length; k++) f[k] = number(line, c.features().get(k), feats[k]);
            votes.add(new Vote(a, b, o, wt, blankToNull(annotator), blankToNull(ts), blankToNull(cat), f, new Source(fileName, line)));
        }

        String item(long line, String field, String v) {
            if (v == null || v.isBlank()) throw new DataException(file, line, field, "missing item");
            String s = v.strip();
            String shared = names.putIfAbsent(s, s);
            return shared == null ? s : shared;
        }

        double number(long line, String field, String v) {
            try {
                double d = Double.parseDouble(v.strip());
                if (!Double.isFinite(d)) throw new DataException(file, line, field, "must be finite, got " + v.strip());
                return d;
            } catch (NumberFormatException e) {
                throw new DataException(file, line, field, "expected a number, got '" + v.strip() + "'");
            }
        }

        void skip(DataException e) {
            if (!skip) throw e;
            skipped++;
            if (first == null) first = e;
        }

        VoteFile done() {
            return new VoteFile(votes, c.features(), skipped, first);
        }

        static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.strip();
        }
    }
}
