package dev.prefer.core.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A self-contained HTML evaluation report: headings, paragraphs, tables, inline-SVG charts ({@link Charts}) and the
 * manifest of the run at the end. One file, no scripts, no external resources. Build it section by section, then
 * {@link #render} or {@link #write}:
 * <pre>{@code
 * HtmlReport r = new HtmlReport("Quickstart: arithmetic")
 *     .heading("Accuracy before and after")
 *     .chart(Charts.groupedBars(...))
 *     .table(List.of("objective", "accuracy"), rows)
 *     .manifest(manifest.toJson());
 * r.write(out.resolve("report.html"));
 * }</pre>
 * Text is escaped; charts are trusted SVG from {@link Charts}.
 */
public final class HtmlReport {
    private final String title;
    private final List<String> body = new ArrayList<>();

    public HtmlReport(String title) {
        this.title = title;
    }

    public HtmlReport heading(String text) {
        body.add("<h2>" + Charts.esc(text) + "</h2>");
        return this;
    }

    public HtmlReport paragraph(String text) {
        body.add("<p>" + Charts.esc(text) + "</p>");
        return this;
    }

    /** An SVG chart from {@link Charts}. */
    public HtmlReport chart(String svg) {
        if (!svg.startsWith("<svg")) throw new IllegalArgumentException("not an SVG chart");
        body.add("<figure>" + svg + "</figure>");
        return this;
    }

    /** A table; cells that parse as numbers are right-aligned. */
    public HtmlReport table(List<String> header, List<List<String>> rows) {
        StringBuilder b = new StringBuilder("<table><tr>");
        for (String h : header) b.append("<th>").append(Charts.esc(h)).append("</th>");
        b.append("</tr>\n");
        for (List<String> row : rows) {
            if (row.size() != header.size()) throw new IllegalArgumentException("row has " + row.size() + " cells, header " + header.size());
            b.append("<tr>");
            for (String c : row) b.append(isNumeric(c) ? "<td>" : "<td class=\"l\">").append(Charts.esc(c)).append("</td>");
            b.append("</tr>\n");
        }
        body.add(b.append("</table>").toString());
        return this;
    }

    /** The run's manifest (its JSON), shown verbatim under "How this was made". */
    public HtmlReport manifest(String manifestJson) {
        body.add("<h2>How this was made</h2><pre>" + Charts.esc(manifestJson) + "</pre>");
        return this;
    }

    public String render() {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Charts.esc(title)).append("</title>\n")
                .append("<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}")
                .append("table{border-collapse:collapse;font-size:13px}td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}")
                .append("td.l,th:first-child{text-align:left}figure{margin:12px 0}")
                .append("pre{background:#f6f6f6;padding:8px;font-size:12px;overflow:auto}h2{margin-top:28px}</style></head><body>\n");
        b.append("<h1>").append(Charts.esc(title)).append("</h1>\n");
        for (String s : body) b.append(s).append('\n');
        return b.append("</body></html>\n").toString();
    }

    /** Writes the report atomically (a temporary file in the same folder, then renamed over {@code file}). */
    public Path write(Path file) {
        Path abs = file.toAbsolutePath();
        try {
            if (abs.getParent() != null) Files.createDirectories(abs.getParent());
            Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
            try {
                Files.writeString(tmp, render(), StandardCharsets.UTF_8);
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static boolean isNumeric(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) return false;
        if (t.equals("-")) return true; // a missing number keeps the column's alignment
        int space = t.indexOf(' ');
        if (space > 0) t = t.substring(0, space); // "0.61 [0.55, 0.66]"
        try {
            Double.parseDouble(t.replace("%", ""));
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
