package dev.prefer.cli;

import dev.prefer.serve.CampaignImport;
import dev.prefer.serve.CampaignSpec;
import dev.prefer.serve.Role;
import dev.prefer.serve.Serve;
import dev.prefer.serve.ServeConfig;
import dev.prefer.serve.export.ExportFormat;
import dev.prefer.serve.security.RateLimiter.Limit;
import dev.prefer.serve.store.Database;
import dev.prefer.serve.store.Store;
import dev.prefer.serve.web.PreferServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code prefer serve}: the preference-collection web app. Without a subcommand it runs the server; the
 * subcommands create users, import campaigns, export votes and benchmark. Thin: each calls one
 * {@link Serve} / {@link CampaignImport} entry point.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Collect preferences: an Arena-style voting app over SQLite or PostgreSQL, with a live leaderboard.",
        subcommands = {ServeCommand.CreateAdmin.class, ServeCommand.CreateUser.class, ServeCommand.Import.class,
                ServeCommand.Export.class, ServeCommand.Bench.class},
        footer = {"", "Examples:",
                "  ./prefer serve create-admin --db prefer.db --username alice      # asks for the password",
                "  ./prefer serve import --db prefer.db --name pilot --file prompts.jsonl --policy active --render markdown",
                "  ./prefer serve --db prefer.db --port 8080                        # then open http://localhost:8080",
                "  ./prefer serve --jdbc-url 'jdbc:postgresql://127.0.0.1:5432/prefer?user=prefer&password=...'",
                "  ./prefer serve export --db prefer.db --campaign pilot --format trl --out exports/pilot",
                "  ./prefer serve bench --annotators 50 --votes 10000"})
public final class ServeCommand implements Callable<Integer> {

    /** Where the data lives; shared by the subcommands. */
    static final class DbOptions {
        @Option(names = "--db", defaultValue = "prefer.db", description = "SQLite database file (WAL mode, full sync).")
        Path db;

        @Option(names = "--jdbc-url", description = "Use this database instead of --db: jdbc:postgresql://HOST:PORT/DB?user=...&password=... or jdbc:sqlite:FILE.")
        String jdbcUrl;

        Database open() {
            return Serve.open(db, jdbcUrl);
        }
    }

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on (0 = any free port).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind. Use 0.0.0.0 only behind a TLS reverse proxy.")
    String host;

    @Option(names = "--trusted-proxy", description = "Address of a reverse proxy whose X-Forwarded-For is believed (default: none; the client address is the TCP peer).")
    String trustedProxy;

    @Option(names = "--insecure-cookies", description = "Drop the Secure flag from cookies (only for plain-HTTP access from a host other than localhost).")
    boolean insecureCookies;

    @Option(names = "--rate-per-address", defaultValue = "200", description = "Requests per second allowed from one client address (burst: twice this).")
    double ratePerAddress;

    @Option(names = "--rate-per-user", defaultValue = "10", description = "Voting-API requests per second allowed for one user (burst: three times this).")
    double ratePerUser;

    @Override
    public Integer call() throws Exception {
        Database db = dbOptions.open();
        Store store = new Store(db);
        ServeConfig cfg = ServeConfig.defaults().withHost(host).withPort(port).withTrustedProxy(trustedProxy)
                .withSecureCookies(!insecureCookies)
                .withLimits(new Limit(ratePerAddress, (int) Math.max(1, 2 * ratePerAddress)),
                        new Limit(ratePerUser, (int) Math.max(1, 3 * ratePerUser)), null);
        PreferServer server;
        try {
            server = Serve.start(store, cfg);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        System.out.println("prefer serve: listening on " + server.baseUrl().replace("127.0.0.1", "localhost") + " (database " + db.describe() + "); Ctrl-C stops");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            db.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }

    /** Reads a new password: from a file, the PREFER_PASSWORD environment variable, the console, or one stdin line. */
    static char[] readPassword(Path file, String prompt) throws Exception {
        if (file != null) return Files.readString(file, StandardCharsets.UTF_8).strip().toCharArray();
        String env = System.getenv("PREFER_PASSWORD");
        if (env != null && !env.isEmpty()) return env.toCharArray();
        if (System.console() != null) {
            char[] a = System.console().readPassword("%s: ", prompt);
            char[] b = System.console().readPassword("again: ");
            if (a == null || !java.util.Arrays.equals(a, b)) throw new IllegalArgumentException("passwords differ");
            return a;
        }
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (line == null) throw new IllegalArgumentException("no password given (use --password-file, PREFER_PASSWORD, or stdin)");
        return line.strip().toCharArray();
    }

    @Command(name = "create-admin", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Create an admin account (the first admin must be created here: there are no default credentials).",
            footer = {"", "Examples:",
                    "  ./prefer serve create-admin --db prefer.db --username alice",
                    "  PREFER_PASSWORD='a long passphrase' ./prefer serve create-admin --username alice",
                    "  ./prefer serve create-admin --username alice --password-file secret.txt"})
    static final class CreateAdmin implements Callable<Integer> {
        @Mixin
        DbOptions dbOptions;

        @Option(names = "--username", required = true, description = "Login name.")
        String username;

        @Option(names = "--password-file", description = "Read the password from this file (else PREFER_PASSWORD, the console, or stdin).")
        Path passwordFile;

        Role role() { return Role.admin; }

        @Override
        public Integer call() throws Exception {
            char[] pw = readPassword(passwordFile, "password for " + username);
            try (Database db = dbOptions.open()) {
                var u = Serve.createUser(new Store(db), username, pw, role());
                System.out.println("created " + u.role() + " '" + u.username() + "' in " + db.describe());
            }
            return 0;
        }
    }

    @Command(name = "create-user", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Create an annotator (or admin) account. Admins can also do this on the admin page.",
            footer = {"", "Examples:",
                    "  ./prefer serve create-user --db prefer.db --username bob",
                    "  ./prefer serve create-user --username carol --role admin --password-file pw.txt"})
    static final class CreateUser implements Callable<Integer> {
        @Mixin
        DbOptions dbOptions;

        @Option(names = "--username", required = true, description = "Login name.")
        String username;

        @Option(names = "--role", defaultValue = "annotator", description = "annotator or admin.")
        Role role;

        @Option(names = "--password-file", description = "Read the password from this file (else PREFER_PASSWORD, the console, or stdin).")
        Path passwordFile;

        @Override
        public Integer call() throws Exception {
            char[] pw = readPassword(passwordFile, "password for " + username);
            try (Database db = dbOptions.open()) {
                var u = Serve.createUser(new Store(db), username, pw, role);
                System.out.println("created " + u.role() + " '" + u.username() + "' in " + db.describe());
            }
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Create a campaign from a JSONL of prompts: {\"prompt\": ..., \"responses\": {\"system-a\": ..., \"system-b\": ...}, \"gold\": \"system-a\"?}; other fields are kept as metadata.",
            footer = {"", "Examples:",
                    "  ./prefer serve import --db prefer.db --name pilot --file prompts.jsonl",
                    "  ./prefer serve import --name pilot2 --file prompts.jsonl --policy active --attribute helpfulness:1-5 --attribute verbosity:1-5 --rationale optional"})
    static final class Import implements Callable<Integer> {
        @Mixin
        DbOptions dbOptions;

        @Option(names = "--name", required = true, description = "Campaign name.")
        String name;

        @Option(names = "--file", required = true, description = "Prompts JSONL (plain or gzip).")
        Path file;

        @Option(names = "--question", defaultValue = "Which response is better?", description = "Question shown to annotators.")
        String question;

        @Option(names = "--attribute", description = "Attribute rated per response, NAME:MIN-MAX (repeatable).")
        List<String> attributes = new ArrayList<>();

        @Option(names = "--rationale", defaultValue = "off", description = "Free-text rationale: off, optional, required.")
        CampaignSpec.Rationale rationale;

        @Option(names = "--render", defaultValue = "text", description = "Show responses as text or as sanitised markdown.")
        CampaignSpec.Render render;

        @Option(names = "--policy", defaultValue = "uniform", description = "Pair selection: uniform or active (Chatbot Arena rule).")
        CampaignSpec.Policy policy;

        @Option(names = "--mixing", defaultValue = "0.1", description = "Uniform share mixed into the active policy, in (0, 1].")
        double mixing;

        @Option(names = "--min-response-ms", defaultValue = "1500", description = "Votes faster than this are flagged as careless.")
        long minResponseMs;

        @Override
        public Integer call() {
            List<CampaignSpec.Attribute> attrs = attributes.stream().map(CampaignSpec.Attribute::parse).toList();
            CampaignSpec spec = new CampaignSpec(question, attrs, rationale, render, policy, mixing, minResponseMs);
            try (Database db = dbOptions.open()) {
                var c = CampaignImport.importFile(new Store(db), name, spec, file, null);
                System.out.println("created campaign '" + c.name() + "' (id " + c.id() + ") from " + file + " (sha256 " + c.sourceSha256().substring(0, 12) + "...)");
            }
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Export a campaign's votes (excluded votes left out) with a manifest.json beside them.",
            footer = {"", "Formats: trl (prompt/chosen/rejected JSONL), kto (prompt/completion/label JSONL),",
                    "ranked (ranked lists per prompt), arena (Chatbot Arena clean_battle JSON, for 'prefer rate').",
                    "", "Examples:",
                    "  ./prefer serve export --db prefer.db --campaign pilot --format trl --out exports/pilot",
                    "  ./prefer serve export --campaign pilot --format arena --out exports/pilot && ./prefer rate exports/pilot/clean_battle.json --weight weight"})
    static final class Export implements Callable<Integer> {
        @Mixin
        DbOptions dbOptions;

        @Option(names = "--campaign", required = true, description = "Campaign name.")
        String campaign;

        @Option(names = "--format", defaultValue = "trl", description = "trl, kto, ranked or arena.")
        String format;

        @Option(names = "--out", required = true, description = "Output folder.")
        Path out;

        @Override
        public Integer call() {
            try (Database db = dbOptions.open()) {
                Path p = Serve.export(new Store(db), campaign, ExportFormat.parse(format), out);
                System.out.println("wrote " + p + " and " + out.resolve("manifest.json"));
            }
            return 0;
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Load benchmark on loopback: simulated annotators vote through the HTTP API; prints votes/s and latency percentiles, then checks every acknowledged vote is stored exactly once.",
            footer = {"", "Examples:",
                    "  ./prefer serve bench --annotators 50 --votes 10000",
                    "  ./prefer serve bench --votes 2000 --repeats 3",
                    "  ./prefer serve bench --jdbc-url 'jdbc:postgresql://127.0.0.1:5432/prefer_ci?user=prefer_ci&password=prefer_ci'"})
    static final class Bench implements Callable<Integer> {
        @Option(names = "--annotators", defaultValue = "50", description = "Concurrent simulated annotators.")
        int annotators;

        @Option(names = "--votes", defaultValue = "10000", description = "Votes in all, per run.")
        int votes;

        @Option(names = "--repeats", defaultValue = "1", description = "Runs (each on a fresh database); the median is reported.")
        int repeats;

        @Option(names = "--seed", defaultValue = "1", description = "Seed of the simulated annotators.")
        long seed;

        @Option(names = "--jdbc-url", description = "Benchmark on this database (an empty one) instead of a fresh SQLite file.")
        String jdbcUrl;

        @Option(names = "--work-dir", description = "Folder for the SQLite files (default: a temporary folder).")
        Path workDir;

        @Override
        public Integer call() throws Exception {
            Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("prefer-serve-bench");
            for (String line : Serve.bench(dir, jdbcUrl, annotators, votes, repeats, seed)) System.out.println(line);
            return 0;
        }
    }
}
