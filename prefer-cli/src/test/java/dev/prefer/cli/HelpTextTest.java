package dev.prefer.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's --help renders without picocli format warnings (a bare '%' in a description is a format error
 * that picocli reports on stderr and then prints unformatted).
 */
class HelpTextTest {

    @Test
    void everyCommandsHelpRendersCleanly() {
        List<CommandLine> all = new ArrayList<>();
        collect(new CommandLine(new Prefer()), all);
        assertTrue(all.size() > 20, "found only " + all.size() + " commands");
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            for (CommandLine c : all) {
                String usage = c.getUsageMessage(CommandLine.Help.Ansi.OFF);
                assertFalse(usage.isBlank(), c.getCommandName());
            }
        } finally {
            System.setErr(saved);
        }
        String warnings = err.toString(StandardCharsets.UTF_8);
        assertFalse(warnings.contains("picocli WARN"), warnings.lines().findFirst().orElse(""));
    }

    private static void collect(CommandLine c, List<CommandLine> out) {
        out.add(c);
        for (CommandLine sub : c.getSubcommands().values()) if (!out.contains(sub)) collect(sub, out);
    }
}
