package dev.prefer.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads JSON Lines, plain or gzip-compressed (detected by content, not by name), one object per line, with the
 * line number of every row (lines are split and decoded by {@link TextLines}, so bad bytes are blamed on their own
 * line). Blank lines are skipped. A line that is not a JSON object is a {@link DataException}
 * naming the file and line; with {@code skipBadRows} it is counted and skipped instead, and the same goes for a
 * {@link DataException} thrown by the row handler.
 */
public final class Jsonl {
    private Jsonl() {}

    /** Receives one parsed row. */
    @FunctionalInterface
    public interface RowHandler {
        void accept(long line, JsonNode row);
    }

    /** Counts of what a read did. */
    public record ReadStats(long rows, long skipped, DataException firstSkipped) {}

    /** Opens a file as a text stream, transparently un-gzipping. Invalid UTF-8 is an error, not a replacement. */
    public static BufferedReader open(Path file) {
        try {
            InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
            var decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            return new BufferedReader(new InputStreamReader(in, decoder), 1 << 16);
        } catch (NoSuchFileException e) {
            throw DataException.ofFile(file, "no such file");
        } catch (IOException e) {
            throw DataException.ofFile(file, "cannot open: " + e.getMessage());
        }
    }

    public static ReadStats read(Path file, boolean skipBadRows, RowHandler handler) {
        long rows = 0;
        long skipped = 0;
        DataException first = null;
        try (TextLines r = TextLines.open(file)) {
            String line;
            while ((line = r.next()) != null) {
                long lineNo = r.line();
                if (line.isBlank()) continue;
                try {
                    JsonNode node;
                    try {
                        node = Json.MAPPER.readTree(line);
                    } catch (JsonProcessingException e) {
                        throw new DataException(file, lineNo, null, "not valid JSON: " + e.getOriginalMessage());
                    }
                    if (node == null || !node.isObject()) {
                        throw new DataException(file, lineNo, null, "expected a JSON object");
                    }
                    handler.accept(lineNo, node);
                    rows++;
                } catch (DataException e) {
                    if (!skipBadRows) throw e;
                    skipped++;
                    if (first == null) first = e;
                }
            }
        }
        return new ReadStats(rows, skipped, first);
    }

    /** A string field that must be present; errors name the file, line and field. */
    public static String requireString(Path file, long line, JsonNode row, String field) {
        JsonNode v = row.get(field);
        if (v == null || v.isNull()) throw new DataException(file, line, field, "missing");
        if (!v.isTextual()) throw new DataException(file, line, field, "expected a string, got " + v.getNodeType().toString().toLowerCase());
        return v.asText();
    }

    /** An optional number; null when absent. */
    public static Double optionalNumber(Path file, long line, JsonNode row, String field) {
        JsonNode v = row.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber()) throw new DataException(file, line, field, "expected a number, got " + v.getNodeType().toString().toLowerCase());
        double d = v.asDouble();
        if (!Double.isFinite(d)) throw new DataException(file, line, field, "must be finite");
        return d;
    }

    /** An optional string; null when absent. */
    public static String optionalString(Path file, long line, JsonNode row, String field) {
        JsonNode v = row.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw new DataException(file, line, field, "expected a string, got " + v.getNodeType().toString().toLowerCase());
        return v.asText();
    }
}
