package dev.prefer.serve.store;

/** The two databases the app runs on, with the few spellings that differ between them. */
public enum Dialect {
    SQLITE("sqlite", "INTEGER PRIMARY KEY AUTOINCREMENT"),
    POSTGRESQL("postgresql", "BIGSERIAL PRIMARY KEY");

    private final String id;
    private final String autoId;

    Dialect(String id, String autoId) {
        this.id = id;
        this.autoId = autoId;
    }

    /** Name used in dialect-specific migration files ({@code V2__x.sqlite.sql}). */
    public String id() { return id; }

    /** Column definition of an auto-increment primary key, substituted for {@code ${id}} in migrations. */
    public String autoId() { return autoId; }

    public static Dialect ofJdbcUrl(String url) {
        if (url.startsWith("jdbc:sqlite:")) return SQLITE;
        if (url.startsWith("jdbc:postgresql:")) return POSTGRESQL;
        throw new IllegalArgumentException("unsupported JDBC URL (want jdbc:sqlite: or jdbc:postgresql:): " + redact(url));
    }

    /** A JDBC URL with any password parameter hidden, for messages and manifests. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
