package dev.prefer.serve;

import dev.prefer.serve.Records.Campaign;
import dev.prefer.serve.bench.Client;
import dev.prefer.serve.security.RateLimiter.Limit;
import dev.prefer.serve.store.Database;
import dev.prefer.serve.store.Store;
import dev.prefer.serve.web.PreferServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A server on a loopback port over a fresh database, with an admin, annotators and one campaign. */
public final class TestServer implements AutoCloseable {
    public static final String PASSWORD = "correct horse battery";

    /** Cheap Argon2id costs so that tests creating many users stay fast; production uses Passwords.Params.DEFAULT. */
    public static final dev.prefer.serve.security.Passwords.Params FAST_KDF = new dev.prefer.serve.security.Passwords.Params(1024, 1, 1);

    public final Database db;
    public final Store store;
    public final PreferServer server;
    public final Campaign campaign;

    public TestServer(String backend, Path tmp, int annotators, CampaignSpec spec, Path prompts, ServeConfig config) throws Exception {
        db = TestDatabases.open(backend, tmp);
        store = new Store(db, FAST_KDF);
        store.createUser("admin", PASSWORD.toCharArray(), Role.admin, null);
        for (int i = 1; i <= annotators; i++) store.createUser("ann" + i, PASSWORD.toCharArray(), Role.annotator, null);
        campaign = CampaignImport.importFile(store, "test", spec, prompts, null);
        server = new PreferServer(store, config.withPort(0)).start();
    }

    /** Generous limits, so that only tests about limits meet them. */
    public static ServeConfig roomy() {
        return ServeConfig.defaults().withLimits(new Limit(100_000, 200_000), new Limit(10_000, 20_000), new Limit(1000, 1000));
    }

    public String url() {
        return server.baseUrl();
    }

    /**
     * Writes a prompts file: {@code n} prompts, each answered by every system; response text says which system
     * wrote it and carries the given extra text.
     */
    public static Path prompts(Path dir, int n, List<String> systems, String extra, long seed) throws Exception {
        Random r = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder b = new StringBuilder("{\"prompt\": \"Question " + i + ": what is " + r.nextInt(100) + " + " + r.nextInt(100) + "?\", \"responses\": {");
            for (int s = 0; s < systems.size(); s++) {
                if (s > 0) b.append(", ");
                b.append('"').append(systems.get(s)).append("\": ").append(dev.prefer.data.Json.line("Answer from " + systems.get(s) + " to " + i + ". " + extra));
            }
            b.append("}, \"topic\": \"arith\"}");
            lines.add(b.toString());
        }
        Path p = dir.resolve("prompts-" + seed + ".jsonl");
        Files.write(p, lines);
        return p;
    }

    @Override
    public void close() {
        server.close();
        db.close();
    }
}
