package dev.prefer.serve;

import dev.prefer.serve.security.RateLimiter.Limit;
import dev.prefer.serve.store.Database;
import dev.prefer.serve.store.Store;
import dev.prefer.serve.web.PreferServer;

import java.nio.file.Path;

/**
 * A bare entry point that runs the server until killed, for tests that need it in a separate JVM (the
 * durability test kills it with SIGKILL). Users run {@code prefer serve} instead.
 * <pre>
 *   java -cp ... dev.prefer.serve.ServeMain JDBC_URL PORT_FILE [PER_ADDRESS_PER_SECOND [PER_USER_PER_SECOND]]
 * </pre>
 * Once listening it writes the bound port to PORT_FILE (atomically).
 */
public final class ServeMain {
    private ServeMain() {}

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: ServeMain JDBC_URL PORT_FILE [PER_ADDRESS_PER_SECOND [PER_USER_PER_SECOND]]");
            System.exit(2);
        }
        double addr = args.length > 2 ? Double.parseDouble(args[2]) : 200;
        double user = args.length > 3 ? Double.parseDouble(args[3]) : 10;
        Database db = Database.open(args[0]);
        ServeConfig cfg = ServeConfig.defaults().withPort(0)
                .withLimits(new Limit(addr, (int) Math.max(1, 2 * addr)), new Limit(user, (int) Math.max(1, 3 * user)), null);
        PreferServer server = new PreferServer(new Store(db), cfg).start();
        dev.prefer.data.AtomicFiles.writeString(Path.of(args[1]), Integer.toString(server.port()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            db.close();
        }));
    }
}
