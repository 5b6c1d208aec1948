package dev.prefer.data;

/** Where a record came from: file and 1-based line (0 when built in memory). Carried for error messages. */
public record Source(String file, long line) {
    public static final Source MEMORY = new Source("<memory>", 0);

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line : file;
    }
}
