package dev.prefer.serve.store;

import dev.prefer.serve.CampaignImport;
import dev.prefer.serve.CampaignSpec;
import dev.prefer.data.votes.Outcome;
import dev.prefer.serve.Role;
import dev.prefer.serve.TestDatabases;
import dev.prefer.serve.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Schema, migrations and the store's rules on each backend. */
class StoreTest {

    @TempDir
    Path tmp;

    static List<String> backends() {
        return TestDatabases.backends();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void migrationsAreIdempotentAndVotesAppendOnly(String backend) throws Exception {
        String url = TestDatabases.freshUrl(backend, tmp);
        long voteId;
        try (Database db = Database.open(url)) {
            assertEquals(Migrations.latest(), Migrations.current(db));
            Store s = new Store(db, TestServer.FAST_KDF);
            var admin = s.createUser("root", "0123456789ab".toCharArray(), Role.admin, null);
            var ann = s.createUser("ann", "0123456789ab".toCharArray(), Role.annotator, admin.id());
            var c = CampaignImport.importFile(s, "c1", CampaignSpec.defaults(), TestServer.prompts(tmp, 2, List.of("x", "y"), "", 1), admin.id());
            var cmp = s.issue(c.id(), ann.id(), s.items(c.id()).get(0).id(), "x", "y", 1.0, "uniform");
            var res = s.castVote(cmp.id(), c.id(), ann.id(), Outcome.A_WINS, Map.of(), null);
            voteId = res.vote().id();
            assertEquals(Store.Refusal.ALREADY_USED, s.castVote(cmp.id(), c.id(), ann.id(), Outcome.A_WINS, Map.of(), null).refusal());
            assertEquals(Store.Refusal.UNKNOWN_COMPARISON, s.castVote(cmp.id(), c.id() + 1, ann.id(), Outcome.A_WINS, Map.of(), null).refusal());
            // The database itself refuses to change or delete a vote or an audit line.
            for (String sql : List.of("UPDATE votes SET outcome = 'right' WHERE id = " + voteId, "DELETE FROM votes",
                    "UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log")) {
                assertThrows(StoreException.class, () -> db.write(conn -> {
                    try (var st = conn.createStatement()) {
                        st.executeUpdate(sql);
                    }
                    return null;
                }), sql);
            }
            // Exclusions are records: the vote stays, results leave it out.
            s.exclude(c.id(), voteId, null, "test", admin.id());
            assertEquals(1, s.votes(c.id()).size());
            assertEquals(0, s.includedVotes(c.id()).size());
            assertTrue(s.auditLog(10).stream().anyMatch(a -> a.action().equals("exclude")));
            assertThrows(IllegalArgumentException.class, () -> s.createUser("ann", "0123456789ab".toCharArray(), Role.annotator, null));
            assertThrows(IllegalArgumentException.class, () -> s.createUser("bad name", "0123456789ab".toCharArray(), Role.annotator, null));
        }
        // Reopening runs no migration twice and keeps the data.
        try (Database db = Database.open(url)) {
            assertEquals(Migrations.latest(), Migrations.current(db));
            assertEquals("ok", db.integrityCheck());
            Store s = new Store(db, TestServer.FAST_KDF);
            assertEquals(1, s.votes(s.campaignByName("c1").orElseThrow().id()).size());
            assertTrue(s.authenticate("ann", "0123456789ab".toCharArray()).isPresent());
            assertTrue(s.authenticate("ann", "wrong-password".toCharArray()).isEmpty());
            assertTrue(s.authenticate("nobody", "wrong-password".toCharArray()).isEmpty());
        }
    }

    @Test
    void sqliteIsWalWithFullSync() throws Exception {
        try (Database db = Database.sqlite(tmp.resolve("x.db"))) {
            db.read(c -> {
                try (var st = c.createStatement(); var rs = st.executeQuery("PRAGMA journal_mode")) {
                    rs.next();
                    assertEquals("wal", rs.getString(1));
                }
                try (var st = c.createStatement(); var rs = st.executeQuery("PRAGMA synchronous")) {
                    rs.next();
                    assertEquals(2, rs.getInt(1), "FULL");
                }
                return null;
            });
        }
    }

    @Test
    void splitsScripts() {
        assertEquals(List.of("CREATE TABLE a (x INT)", "CREATE TABLE b (y INT)"),
                Migrations.split("-- c\nCREATE TABLE a (x INT);\nCREATE TABLE b (y INT);\n"));
        assertEquals(List.of("CREATE TRIGGER t BEGIN SELECT 1; END", "CREATE TRIGGER u BEGIN SELECT 2; END"),
                Migrations.split("CREATE TRIGGER t BEGIN SELECT 1; END\n;;\nCREATE TRIGGER u BEGIN SELECT 2; END\n;;\n"));
        assertThrows(IllegalArgumentException.class, () -> Dialect.ofJdbcUrl("jdbc:mysql://x"));
        assertEquals("jdbc:postgresql://h/d?user=u&password=***", Dialect.redact("jdbc:postgresql://h/d?user=u&password=secret"));
    }

}
