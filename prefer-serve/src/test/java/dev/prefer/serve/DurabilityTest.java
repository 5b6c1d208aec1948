package dev.prefer.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.serve.Records.Vote;
import dev.prefer.serve.bench.LoadGenerator;
import dev.prefer.serve.export.ExportFormat;
import dev.prefer.serve.export.Exporter;
import dev.prefer.serve.store.Database;
import dev.prefer.serve.store.Migrations;
import dev.prefer.serve.store.Store;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Durability: the server runs as its own JVM (ProcessBuilder, this test's classpath) under load from 50
 * annotators, and is killed with {@code kill -9} mid-load. After a restart on the same database: it opens
 * cleanly (SQLite integrity_check "ok", schema at the latest version), every acknowledged vote is there exactly
 * once, the only unacknowledged votes present are at most one in-flight request per annotator, the restarted
 * server takes votes again, and the export lists exactly the stored votes.
 */
class DurabilityTest {

    @TempDir
    Path tmp;

    static List<String> backends() {
        return TestDatabases.backends();
    }

    /** Default tier: 20 annotators, kill after 100 acknowledged votes. */
    @ParameterizedTest
    @MethodSource("backends")
    void killMinusNineMidLoadLosesNothingAcknowledged(String backend) throws Exception {
        run(backend, 20, 100);
    }

    /** Slow tier: the load test's 50 annotators, kill after 2,000 acknowledged votes. */
    @org.junit.jupiter.api.Tag("slow")
    @ParameterizedTest
    @MethodSource("backends")
    void killMinusNineUnderFullLoad(String backend) throws Exception {
        run(backend, 50, 2_000);
    }

    void run(String backend, int annotators, int killAfter) throws Exception {
        String url = TestDatabases.freshUrl(backend, tmp);
        long cid;
        try (Database db = Database.open(url)) {
            Store store = new Store(db, TestServer.FAST_KDF);
            for (int i = 1; i <= annotators; i++) store.createUser("ann" + i, TestServer.PASSWORD.toCharArray(), Role.annotator, null);
            cid = CampaignImport.importFile(store, "durable", CampaignSpec.defaults(), TestServer.prompts(tmp, 50, LoadTest.SYSTEMS, "", 21), null).id();
        }
        List<String> users = IntStream.rangeClosed(1, annotators).mapToObj(i -> "ann" + i).toList();

        // Run 1: load, then SIGKILL once enough votes were acknowledged.
        Process server = startServer(url, "run1");
        LoadGenerator gen = new LoadGenerator(new LoadGenerator.Config(baseUrl("run1"), cid, users, TestServer.PASSWORD,
                1_000_000, LoadTest.STRENGTHS, 3, 600));
        List<LoadGenerator.Ack> acks = new ArrayList<>();
        Thread t = new Thread(() -> {
            try {
                acks.addAll(gen.run().acks());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (gen.acknowledged() < killAfter && System.nanoTime() < until) Thread.sleep(20);
        assertTrue(gen.acknowledged() >= killAfter, "load did not get going: " + gen.acknowledged());
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(server.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
        assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, server.exitValue(), "killed by SIGKILL");
        Thread.sleep(300); // let clients see the dead socket
        gen.stop();
        t.join(120_000);
        assertFalse(t.isAlive());
        assertTrue(acks.size() >= killAfter);

        // Restart on the same database; it must open cleanly with everything acknowledged in it.
        Process again = startServer(url, "run2");
        try (Database db = Database.open(url)) {
            assertEquals("ok", db.integrityCheck());
            assertEquals(Migrations.latest(), Migrations.current(db));
            Store store = new Store(db, TestServer.FAST_KDF);
            List<Vote> stored = store.votes(cid);
            Map<String, Long> byComparison = new HashMap<>();
            for (Vote v : stored) assertNull(byComparison.put(v.comparisonId(), v.id()), "stored twice");
            for (LoadGenerator.Ack a : acks) assertEquals(a.voteId(), byComparison.get(a.comparisonId()), "acknowledged vote lost: " + a);
            int unacknowledged = stored.size() - acks.size();
            assertTrue(unacknowledged >= 0 && unacknowledged <= annotators,
                    "only in-flight votes may be stored unacknowledged: " + unacknowledged);
            System.out.println("[durability] " + backend + ", " + annotators + " annotators: " + acks.size() + " acknowledged before kill -9, all present; "
                    + unacknowledged + " committed but unacknowledged (in flight)");

            // The restarted server takes votes.
            LoadGenerator gen2 = new LoadGenerator(new LoadGenerator.Config(baseUrl("run2"), cid, users.subList(0, 5), TestServer.PASSWORD,
                    50, LoadTest.STRENGTHS, 4, 120));
            LoadGenerator.Result r2 = gen2.run();
            assertEquals(50, r2.acks().size());
            again.destroy();
            assertTrue(again.waitFor(30, TimeUnit.SECONDS));

            // Export matches the stored votes: acknowledged ones plus the in-flight ones, nothing else.
            List<Vote> all = store.votes(cid);
            assertEquals(stored.size() + 50, all.size());
            Path out = Exporter.exportTo(store, cid, ExportFormat.arena, tmp.resolve("export"));
            JsonNode arr = Json.MAPPER.readTree(out.toFile());
            Set<Long> exported = new HashSet<>();
            for (JsonNode row : arr) assertTrue(exported.add(row.get("vote_id").asLong()));
            Set<Long> ids = new HashSet<>();
            for (Vote v : all) ids.add(v.id());
            assertEquals(ids, exported);
            for (LoadGenerator.Ack a : acks) assertTrue(exported.contains(a.voteId()));
            for (LoadGenerator.Ack a : r2.acks()) assertTrue(exported.contains(a.voteId()));
            assertTrue(Files.exists(tmp.resolve("export").resolve("manifest.json")));
        } finally {
            again.destroyForcibly();
        }
    }

    private final Map<String, Integer> ports = new HashMap<>();

    private String baseUrl(String run) {
        return "http://127.0.0.1:" + ports.get(run);
    }

    private Process startServer(String url, String run) throws Exception {
        Path portFile = tmp.resolve(run + ".port");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "dev.prefer.serve.ServeMain", url, portFile.toString(), "100000", "10000");
        pb.redirectErrorStream(true);
        pb.redirectOutput(tmp.resolve(run + ".log").toFile());
        Process p = pb.start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(portFile)) {
            if (!p.isAlive()) fail("server exited: " + Files.readString(tmp.resolve(run + ".log")));
            if (System.nanoTime() > until) {
                p.destroyForcibly();
                fail("server did not start: " + Files.readString(tmp.resolve(run + ".log")));
            }
            Thread.sleep(50);
        }
        ports.put(run, Integer.parseInt(Files.readString(portFile).strip()));
        return p;
    }
}
