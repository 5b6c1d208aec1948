package dev.prefer.data;

import java.nio.file.Path;

/**
 * Bad input, located: a one-line message that names the file, the line (1-based, or 0 when the problem is not
 * tied to a line) and the field. Every reader in Prefer throws this, never a bare parse exception, so a user with
 * a million-row file learns exactly which row to fix.
 */
public final class DataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long line;
    private final String field;
    private final String reason;

    public DataException(String file, long line, String field, String reason) {
        super(format(file, line, field, reason));
        this.file = file;
        this.line = line;
        this.field = field;
        this.reason = reason;
    }

    public DataException(Path file, long line, String field, String reason) {
        this(file == null ? "<input>" : file.toString(), line, field, reason);
    }

    /** A problem with a whole file (no line), e.g. a bad header. */
    public static DataException ofFile(Path file, String reason) {
        return new DataException(file, 0, null, reason);
    }

    private static String format(String file, long line, String field, String reason) {
        StringBuilder b = new StringBuilder(file == null ? "<input>" : file);
        if (line > 0) b.append(':').append(line);
        if (field != null && !field.isEmpty()) b.append(": field '").append(field).append('\'');
        b.append(": ").append(oneLine(reason));
        return b.toString();
    }

    /** Keeps messages on one line whatever the cause's text holds. */
    public static String oneLine(String s) {
        if (s == null) return "";
        String t = s.replace("\r", " ").replace("\n", " ").strip();
        return t.length() > 400 ? t.substring(0, 400) + "..." : t;
    }

    public String file() { return file; }
    public long line() { return line; }
    public String field() { return field; }
    public String reason() { return reason; }
}
