package dev.prefer.serve;

import dev.prefer.serve.store.Database;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The databases the suite runs against: SQLite always, PostgreSQL through {@code PREFER_TEST_PG_URL} (set by
 * {@code .ci/run}). Each PostgreSQL test gets a fresh schema, so tests never see each other's rows.
 *
 * <p>When {@code PREFER_TEST_PG_URL} is not set: under {@code CI=true} the PostgreSQL cases FAIL (CI must run them);
 * elsewhere they are skipped with a message saying how to run them.
 */
public final class TestDatabases {
    private TestDatabases() {}

    public static final String PG_ENV = "PREFER_TEST_PG_URL";
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final List<String> SCHEMAS = new java.util.concurrent.CopyOnWriteArrayList<>();

    static {
        // Drop this JVM's test schemas when it ends, so repeated local runs do not pile them up.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            String url = System.getenv(PG_ENV);
            if (url == null || SCHEMAS.isEmpty()) return;
            try (var c = DriverManager.getConnection(url); var s = c.createStatement()) {
                for (String schema : SCHEMAS) s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            } catch (java.sql.SQLException e) {
                System.err.println("could not drop test schemas: " + e.getMessage());
            }
        }));
    }

    /** The backend names, for {@code @MethodSource}. */
    public static List<String> backends() {
        return List.of("sqlite", "postgresql");
    }

    /** A fresh, migrated database on the named backend. */
    public static Database open(String backend, Path tempDir) {
        return Database.open(freshUrl(backend, tempDir));
    }

    /** The JDBC URL of a fresh, empty database on the named backend (not yet migrated). */
    public static String freshUrl(String backend, Path tempDir) {
        if (backend.equals("sqlite")) return "jdbc:sqlite:" + tempDir.resolve("prefer-" + SEQ.incrementAndGet() + ".db").toAbsolutePath();
        String url = System.getenv(PG_ENV);
        if (url == null || url.isBlank()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(PG_ENV + " is not set but CI=true: the PostgreSQL tests must run in CI (.ci/run starts PostgreSQL and sets it)");
            }
            Assumptions.abort(PG_ENV + " not set: PostgreSQL cases skipped locally (start PostgreSQL and set it, as .ci/run does, to run them)");
        }
        String schema = "t_" + ProcessHandle.current().pid() + "_" + System.nanoTime() + "_" + SEQ.incrementAndGet();
        try (var c = DriverManager.getConnection(url); var s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            SCHEMAS.add(schema);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot create a test schema on " + url.replaceAll("password=[^&]*", "password=***") + ": " + e.getMessage(), e);
        }
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }
}
