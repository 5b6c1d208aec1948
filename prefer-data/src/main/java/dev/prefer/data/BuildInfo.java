package dev.prefer.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** What this build of Prefer is: version and git commit, for manifests and {@code --version}. */
public final class BuildInfo {
    private BuildInfo() {}

    private static final String VERSION = loadVersion();
    private static volatile String commit;

    public static String version() {
        return VERSION;
    }

    /**
     * The git commit of the source tree Prefer runs from, "+dirty" when it has uncommitted changes, or "unknown"
     * outside a checkout. Looked up once, from the folder of the running code.
     */
    public static String gitCommit() {
        String c = commit;
        if (c == null) {
            c = lookUpCommit();
            commit = c;
        }
        return c;
    }

    /** Versions of everything that shapes a result: Prefer, commit, Java, OS. */
    public static Map<String, String> versions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("prefer", version());
        m.put("commit", gitCommit());
        m.put("java", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return m;
    }

    private static String loadVersion() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("prefer-build.properties")) {
            if (in == null) return "dev";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "dev");
            return v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }

    private static String lookUpCommit() {
        try {
            Path here = Path.of(BuildInfo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = Files.isDirectory(here) ? here : here.getParent();
            String head = run(dir, "git", "rev-parse", "HEAD");
            if (head == null || head.isBlank()) return "unknown";
            String status = run(dir, "git", "status", "--porcelain", "--untracked-files=no");
            return head.strip() + (status != null && !status.isBlank() ? "+dirty" : "");
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(false).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return null;
        }
        return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
    }
}
