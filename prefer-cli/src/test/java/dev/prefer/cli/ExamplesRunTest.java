package dev.prefer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command lines users copy run: every {@code ./prefer ...} line of the README's code blocks and of every
 * command's {@code --help} examples whose inputs are all fixtures (../shared/fixtures) or outputs of an earlier
 * example (runs/...) is executed in order and must exit 0. Lines with placeholders (M, pairs.jsonl, votes.csv) or
 * other data, and the long-running commands (serve, quickstart, bench, rl train, spark: its own JVM, tested by
 * prefer-spark), are not run here.
 */
class ExamplesRunTest {
    private static final Set<String> LONG_RUNNING = Set.of("serve", "quickstart", "bench", "spark");
    private static final Pattern PATHISH = Pattern.compile(".*(/|\\.(jsonl|json|csv|gz|soi|soc|txt|safetensors|html))$|.*/.*");

    @Test
    void readmeAndHelpExamplesRunOnTheFixtures(@TempDir Path tmp) throws Exception {
        Path shared = LmCommandsTest.fixtures().getParent().getParent();
        List<String> lines = new ArrayList<>(readmeLines());
        List<CommandLine> all = new ArrayList<>();
        collect(new CommandLine(new Prefer()), all);
        for (CommandLine c : all) {
            for (String f : c.getCommandSpec().usageMessage().footer()) {
                String s = f.strip();
                if (s.startsWith("./prefer ")) lines.add(s);
            }
        }
        lines = joinContinuations(lines);
        Set<String> ran = new LinkedHashSet<>();
        for (String line : lines) {
            List<String> args = tokens(line);
            if (args.isEmpty() || !args.get(0).equals("./prefer") || args.size() < 2 || LONG_RUNNING.contains(args.get(1))) continue;
            if (args.stream().anyMatch(a -> a.equals(">") || a.equals("|") || a.equals("<") || a.equals("&&"))) continue; // shell plumbing
            if (args.get(1).equals("rl") && args.size() > 2 && args.get(2).equals("train")) continue; // control experiments (minutes each)
            if (!runnable(args, tmp)) continue;
            List<String> real = new ArrayList<>();
            for (String a : args.subList(1, args.size())) {
                real.add(a.startsWith("../shared/") ? shared.resolve(a.substring("../shared/".length())).toString()
                        : a.startsWith("runs/") ? tmp.resolve(a).toString() : a);
            }
            if (!ran.add(String.join(" ", real))) continue;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream oldOut = System.out, oldErr = System.err;
            int code;
            long t0 = System.nanoTime();
            try {
                System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                code = Prefer.run(real.toArray(String[]::new));
            } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
            }
            System.err.printf("example %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, line);
            assertEquals(0, code, line + "\n" + err.toString(StandardCharsets.UTF_8));
        }
        assertTrue(ran.size() >= 8, "ran only " + ran.size() + " examples: " + ran);
    }

    /** Inputs are fixtures, or outputs under runs/ that an earlier example made; no placeholder file names. */
    private static boolean runnable(List<String> args, Path tmp) {
        for (int i = 2; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("-") || !PATHISH.matcher(a).matches() || a.startsWith("'")) continue;
            boolean output = i > 0 && List.of("--out", "--cache-dir").contains(args.get(i - 1));
            if (a.startsWith("../shared/fixtures/")) continue;
            if (a.startsWith("runs/") && (output || Files.exists(tmp.resolve(a)))) continue;
            return false;
        }
        return true;
    }

    private static List<String> readmeLines() throws Exception {
        Path readme = Path.of("..", "README.md");
        assertTrue(Files.isRegularFile(readme), "README.md not found from " + Path.of("").toAbsolutePath());
        List<String> out = new ArrayList<>();
        boolean code = false;
        for (String l : Files.readAllLines(readme)) {
            if (l.startsWith("```")) {
                code = !code;
                continue;
            }
            if (code && l.strip().startsWith("./prefer ")) out.add(l.strip());
        }
        return out;
    }

    private static List<String> joinContinuations(List<String> lines) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        for (String l : lines) {
            String s = stripComment(l).strip();
            if (cur != null) {
                cur.append(' ').append(s.endsWith("\\") ? s.substring(0, s.length() - 1) : s);
                if (!s.endsWith("\\")) {
                    out.add(cur.toString());
                    cur = null;
                }
            } else if (s.endsWith("\\")) {
                cur = new StringBuilder(s.substring(0, s.length() - 1));
            } else {
                out.add(s);
            }
        }
        if (cur != null) out.add(cur.toString());
        return out;
    }

    /** The line without a trailing {@code # comment} (outside quotes). */
    private static String stripComment(String l) {
        boolean quoted = false;
        for (int i = 0; i < l.length(); i++) {
            char ch = l.charAt(i);
            if (ch == '\'') quoted = !quoted;
            if (ch == '#' && !quoted && i > 0 && l.charAt(i - 1) == ' ') return l.substring(0, i);
        }
        return l;
    }

    /** Shell words: whitespace-separated; single quotes group (and are removed); {@code $'...'} interprets backslash escapes (bash's ANSI-C quoting). */
    private static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false, ansi = false, any = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (!quoted && ch == '$' && i + 1 < line.length() && line.charAt(i + 1) == '\'') {
                quoted = true;
                ansi = true;
                any = true;
                i++;
            } else if (quoted && ansi && ch == '\\' && i + 1 < line.length()) {
                char e = line.charAt(++i);
                cur.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> e;
                });
            } else if (ch == '\'') {
                quoted = !quoted;
                ansi = false;
                any = true;
            } else if (Character.isWhitespace(ch) && !quoted) {
                if (any) out.add(cur.toString());
                cur.setLength(0);
                any = false;
            } else {
                cur.append(ch);
                any = true;
            }
        }
        if (any) out.add(cur.toString());
        return out;
    }

    private static void collect(CommandLine c, List<CommandLine> out) {
        out.add(c);
        for (CommandLine sub : c.getSubcommands().values()) if (!out.contains(sub)) collect(sub, out);
    }
}
