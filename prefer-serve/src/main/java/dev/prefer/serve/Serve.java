package dev.prefer.serve;

import dev.prefer.serve.Records.User;
import dev.prefer.serve.bench.LoadGenerator;
import dev.prefer.serve.export.ExportFormat;
import dev.prefer.serve.export.Exporter;
import dev.prefer.serve.security.RateLimiter.Limit;
import dev.prefer.serve.store.Database;
import dev.prefer.serve.store.Store;
import dev.prefer.serve.web.PreferServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The library entry points behind {@code prefer serve}: open a database, create users, import a campaign, run
 * the server, export, benchmark. Each CLI subcommand is one call here.
 *
 * <pre>{@code
 * try (Database db = Serve.open(Path.of("prefer.db"), null)) {
 *     Store store = new Store(db);
 *     Serve.createUser(store, "alice", password, Role.admin);
 *     Campaign c = CampaignImport.importFile(store, "pilot", CampaignSpec.defaults(), Path.of("prompts.jsonl"), null);
 *     PreferServer server = Serve.start(store, ServeConfig.defaults());
 * }
 * }</pre>
 */
public final class Serve {
    private Serve() {}

    /** Opens (and migrates) the database: a JDBC URL when given, else the SQLite file. */
    public static Database open(Path dbFile, String jdbcUrl) {
        String what = jdbcUrl != null && !jdbcUrl.isBlank() ? dev.prefer.serve.store.Dialect.redact(jdbcUrl) : String.valueOf(dbFile);
        try {
            if (jdbcUrl != null && !jdbcUrl.isBlank()) return Database.open(jdbcUrl);
            return Database.sqlite(dbFile == null ? Path.of("prefer.db") : dbFile);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            throw new IllegalArgumentException("cannot open database " + what + ": " + root.getMessage(), e);
        }
    }

    public static User createUser(Store store, String username, char[] password, Role role) {
        return store.createUser(username, password, role, null);
    }

    /** Starts the server; refuses to start without any admin (there are no default credentials). */
    public static PreferServer start(Store store, ServeConfig config) {
        if (store.countAdmins() == 0) {
            throw new IllegalArgumentException("no admin yet: create one first with 'prefer serve create-admin --username NAME' (there are no default credentials)");
        }
        return new PreferServer(store, config).start();
    }

    public static Path export(Store store, String campaign, ExportFormat format, Path folder) {
        long id = store.campaignByName(campaign).orElseThrow(() -> new IllegalArgumentException("no campaign '" + campaign + "'")).id();
        return Exporter.exportTo(store, id, format, folder);
    }

    /**
     * Benchmark: a server on loopback over a fresh database (a SQLite file in {@code workDir}, or the given JDBC
     * URL, which should point at an empty database or schema), {@code annotators} simulated annotators casting
     * {@code votes} votes, then a check that every acknowledged vote is stored exactly once. Repeated
     * {@code repeats} times; returns one line per run and the median.
     */
    public static List<String> bench(Path workDir, String jdbcUrl, int annotators, int votes, int repeats, long seed) throws Exception {
        List<String> lines = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            Path dir = Files.createDirectories(workDir.resolve("run-" + r));
            try (Database db = jdbcUrl == null ? Database.sqlite(dir.resolve("bench.db")) : Database.open(jdbcUrl)) {
                Store store = new Store(db, new dev.prefer.serve.security.Passwords.Params(1024, 1, 1));
                String password = "bench-password-" + seed;
                List<String> users = new ArrayList<>();
                String tag = "r" + r + "-" + System.nanoTime();
                for (int i = 0; i < annotators; i++) {
                    users.add("bench" + tag + "-" + i);
                    store.createUser(users.get(i), password.toCharArray(), Role.annotator, null);
                }
                List<String> systems = List.of("sys-0", "sys-1", "sys-2", "sys-3", "sys-4");
                Map<String, Double> strengths = new LinkedHashMap<>();
                for (int s = 0; s < systems.size(); s++) strengths.put(systems.get(s), 0.4 * s);
                Path prompts = dir.resolve("prompts.jsonl");
                List<String> rows = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    Map<String, String> resp = new LinkedHashMap<>();
                    for (String s : systems) resp.put(s, "Answer from " + s + " to prompt " + i + ".");
                    rows.add(dev.prefer.data.Json.line(Map.of("prompt", "Prompt " + i, "responses", resp)));
                }
                Files.write(prompts, rows);
                var campaign = CampaignImport.importFile(store, "bench-" + tag, CampaignSpec.defaults().withPolicy(CampaignSpec.Policy.active), prompts, null);
                ServeConfig cfg = ServeConfig.defaults().withPort(0)
                        .withLimits(new Limit(1e6, 1_000_000), new Limit(1e6, 1_000_000), new Limit(1e6, 1_000_000));
                try (PreferServer server = new PreferServer(store, cfg).start()) {
                    LoadGenerator.Result res = new LoadGenerator(new LoadGenerator.Config(server.baseUrl(), campaign.id(), users,
                            password, votes, strengths, seed + r, 3600)).run();
                    var stored = store.votes(campaign.id());
                    var ids = new java.util.HashSet<String>();
                    for (var v : stored) ids.add(v.comparisonId());
                    long missing = res.acks().stream().filter(a -> !ids.contains(a.comparisonId())).count();
                    if (missing > 0 || ids.size() != stored.size() || stored.size() != res.acks().size()) {
                        throw new IllegalStateException("bench check failed: " + res.acks().size() + " acknowledged, " + stored.size()
                                + " stored, " + missing + " missing");
                    }
                    lines.add("run " + (r + 1) + ": " + db.dialect().id() + ", " + res.summary() + "; all " + stored.size() + " stored exactly once");
                    rates.add(res.votesPerSecond());
                    p50.add(res.percentileMs(50));
                    p99.add(res.percentileMs(99));
                }
            }
        }
        lines.add(String.format(java.util.Locale.ROOT, "median of %d: %.0f votes/s, p50 %.1f ms, p99 %.1f ms", repeats, median(rates), median(p50), median(p99)));
        return lines;
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
