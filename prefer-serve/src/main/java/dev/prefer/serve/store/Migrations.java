package dev.prefer.serve.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A small versioned-migration runner: the same numbered SQL scripts for SQLite and PostgreSQL, applied in order,
 * each in its own transaction together with its row in {@code schema_version}. A script is
 * {@code migrations/V<n>__<name>.sql} (portable; {@code ${id}} stands for the auto-increment key) or, where the two
 * databases need different spellings, {@code V<n>__<name>.sqlite.sql} and {@code V<n>__<name>.postgresql.sql}.
 * A database newer than this build is refused rather than guessed at.
 */
public final class Migrations {
    private Migrations() {}

    /** The scripts, in order; each entry is a base name, looked up portable-first then per dialect. */
    static final List<String> SCRIPTS = List.of(
            "V1__schema",
            "V2__append_only");

    public static int latest() { return SCRIPTS.size(); }

    public static void migrate(Database db) {
        db.write(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
            }
            return null;
        });
        int current = current(db);
        if (current > latest()) {
            throw new StoreException("database schema version " + current + " is newer than this build (" + latest() + "): " + db.describe());
        }
        for (int v = current + 1; v <= latest(); v++) {
            String name = SCRIPTS.get(v - 1);
            String sql = load(name, db.dialect()).replace("${id}", db.dialect().autoId());
            int version = v;
            db.write(c -> {
                try (Statement s = c.createStatement()) {
                    for (String stmt : split(sql)) s.execute(stmt);
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)")) {
                    ps.setInt(1, version);
                    ps.setString(2, name);
                    ps.setLong(3, System.currentTimeMillis());
                    ps.executeUpdate();
                }
                return null;
            });
        }
    }

    public static int current(Database db) {
        return db.read(c -> currentVersion(c));
    }

    private static int currentVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String load(String name, Dialect dialect) {
        String base = "/dev/prefer/serve/migrations/" + name;
        for (String path : new String[] {base + ".sql", base + "." + dialect.id() + ".sql"}) {
            try (InputStream in = Migrations.class.getResourceAsStream(path)) {
                if (in != null) return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        throw new StoreException("missing migration script " + base + ".sql or ." + dialect.id() + ".sql");
    }

    /**
     * Splits a script into statements at lines holding only {@code ;;} when present (trigger bodies contain
     * semicolons), else at semicolons ending a line. Comment lines starting with {@code --} are dropped.
     */
    static List<String> split(String sql) {
        StringBuilder clean = new StringBuilder();
        for (String line : sql.split("\n")) {
            if (line.strip().startsWith("--")) continue;
            clean.append(line).append('\n');
        }
        String text = clean.toString();
        String[] parts = text.contains("\n;;") ? text.split("\n;;\\s*\n?") : text.split(";\\s*\n");
        List<String> out = new ArrayList<>();
        for (String p : parts) {
            String t = p.strip();
            if (t.endsWith(";") && !text.contains("\n;;")) t = t.substring(0, t.length() - 1).strip();
            if (!t.isEmpty()) out.add(t);
        }
        return out;
    }
}
