package dev.prefer.serve.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The app's database: SQLite (WAL journal, {@code synchronous=FULL}, so a committed transaction survives a crash
 * or power loss) or PostgreSQL, behind a HikariCP pool. Every write runs in one transaction through
 * {@link #write}; on SQLite writers are serialised in the process (SQLite allows one writer at a time, and
 * waiting on a Java lock is cheaper and fairer than retrying on {@code SQLITE_BUSY}), while readers run
 * concurrently on WAL snapshots.
 */
public final class Database implements AutoCloseable {

    /** A unit of work on one connection, inside one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T apply(Connection c) throws SQLException;
    }

    private final HikariDataSource pool;
    private final Dialect dialect;
    private final String url;
    private final ReentrantLock writeLock = new ReentrantLock(true);

    private Database(String url, int poolSize) {
        this.url = url;
        this.dialect = Dialect.ofJdbcUrl(url);
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setPoolName("prefer-serve");
        hc.setMaximumPoolSize(poolSize);
        hc.setAutoCommit(false);
        hc.setConnectionTimeout(30_000);
        if (dialect == Dialect.SQLITE) {
            hc.addDataSourceProperty("journal_mode", "WAL");
            hc.addDataSourceProperty("synchronous", "FULL");
            hc.addDataSourceProperty("foreign_keys", "true");
            hc.addDataSourceProperty("busy_timeout", "30000");
            hc.setConnectionInitSql("PRAGMA journal_mode=WAL");
        }
        this.pool = new HikariDataSource(hc);
        if (dialect == Dialect.SQLITE) {
            // Pragmas are per connection; check the one that matters for durability really took.
            read(c -> {
                try (Statement s = c.createStatement(); var rs = s.executeQuery("PRAGMA synchronous")) {
                    rs.next();
                    if (rs.getInt(1) != 2) throw new SQLException("SQLite synchronous is " + rs.getInt(1) + ", want 2 (FULL)");
                }
                try (Statement s = c.createStatement(); var rs = s.executeQuery("PRAGMA journal_mode")) {
                    rs.next();
                    if (!"wal".equalsIgnoreCase(rs.getString(1))) throw new SQLException("SQLite journal_mode is " + rs.getString(1));
                }
                return null;
            });
        }
    }

    /** Opens (creating if needed) a SQLite file and brings its schema up to date. */
    public static Database sqlite(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return open("jdbc:sqlite:" + file.toAbsolutePath(), 4);
    }

    /** Opens a database by JDBC URL ({@code jdbc:sqlite:FILE} or {@code jdbc:postgresql://...}) and migrates it. */
    public static Database open(String jdbcUrl) {
        return open(jdbcUrl, Dialect.ofJdbcUrl(jdbcUrl) == Dialect.SQLITE ? 4 : 16);
    }

    private static Database open(String jdbcUrl, int poolSize) {
        Database db = new Database(jdbcUrl, poolSize);
        try {
            Migrations.migrate(db);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return db;
    }

    public Dialect dialect() { return dialect; }

    /** The JDBC URL with any password hidden. */
    public String describe() { return Dialect.redact(url); }

    /** Runs {@code work} in one write transaction, committing on success and rolling back on any failure. */
    public <T> T write(Work<T> work) {
        boolean lock = dialect == Dialect.SQLITE;
        if (lock) writeLock.lock();
        try (Connection c = pool.getConnection()) {
            try {
                T out = work.apply(c);
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        } finally {
            if (lock) writeLock.unlock();
        }
    }

    /** Runs read-only {@code work} (a consistent snapshot) and rolls back. */
    public <T> T read(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            try {
                return work.apply(c);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** SQLite's {@code PRAGMA integrity_check} (or a trivial query on PostgreSQL); "ok" when the file is sound. */
    public String integrityCheck() {
        return read(c -> {
            String sql = dialect == Dialect.SQLITE ? "PRAGMA integrity_check" : "SELECT 'ok'";
            try (Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
                StringBuilder sb = new StringBuilder();
                while (rs.next()) sb.append(sb.length() == 0 ? "" : "; ").append(rs.getString(1));
                return sb.toString();
            }
        });
    }

    @Override
    public void close() {
        pool.close();
    }
}
