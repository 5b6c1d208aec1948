package dev.prefer.data.votes;

import dev.prefer.data.DataException;
import dev.prefer.data.TextLines;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 4180 CSV reader: comma (or tab) separated, double-quoted fields with {@code ""} escapes, quoted
 * fields may span lines, CRLF or LF, plain or gzip (via {@link TextLines}). Each record reports the line it
 * starts on. Written here rather than taken from a library because the vote readers parse millions of short rows
 * and the split below allocates only the field strings.
 */
final class Csv implements AutoCloseable {
    private final Path file;
    private final TextLines in;
    private final char sep;
    private long lineNo;
    private long recordLine;

    Csv(Path file, char sep) {
        this.file = file;
        this.in = TextLines.open(file);
        this.sep = sep;
    }

    /** 1-based line on which the last record returned started. */
    long line() {
        return recordLine;
    }

    /** The next record's fields, or null at end of file. Blank lines are skipped. */
    List<String> next() {
        String line;
        while (true) {
            line = readLine();
            if (line == null) return null;
            if (!line.isEmpty()) break;
        }
        recordLine = lineNo;
        List<String> out = new ArrayList<>(8);
        int i = 0;
        int n = line.length();
        StringBuilder sb = null;
        while (true) {
            if (i < n && line.charAt(i) == '"') {
                if (sb == null) sb = new StringBuilder();
                sb.setLength(0);
                i++;
                while (true) {
                    if (i >= n) {
                        String more = readLine();
                        if (more == null) throw new DataException(file, recordLine, null, "unterminated quoted field");
                        sb.append('\n');
                        line = more;
                        n = line.length();
                        i = 0;
                        continue;
                    }
                    char c = line.charAt(i);
                    if (c == '"') {
                        if (i + 1 < n && line.charAt(i + 1) == '"') {
                            sb.append('"');
                            i += 2;
                        } else {
                            i++;
                            break;
                        }
                    } else {
                        sb.append(c);
                        i++;
                    }
                }
                out.add(sb.toString());
                if (i < n && line.charAt(i) != sep) {
                    throw new DataException(file, lineNo, null, "unexpected character after a closing quote in field " + out.size());
                }
            } else {
                int j = line.indexOf(sep, i);
                if (j < 0) j = n;
                out.add(line.substring(i, j));
                i = j;
            }
            if (i >= n) break;
            i++; // separator
            if (i == n) {
                out.add("");
                break;
            }
        }
        return out;
    }

    private String readLine() {
        String s = in.next();
        if (s == null) return null;
        lineNo = in.line();
        if (lineNo == 1 && !s.isEmpty() && s.charAt(0) == '\uFEFF') s = s.substring(1);
        return s;
    }

    @Override
    public void close() {
        in.close();
    }
}
