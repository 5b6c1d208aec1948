package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console progress bar when the output is not a terminal (CI logs, files): one plain line per logging step. */
class MetricsLogTest {

    static Map<String, Object> row(int step) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("step", step);
        r.put("loss", 0.5 / step);
        r.put("rewards/accuracies", 0.75);
        r.put("learning_rate", 1e-6);
        return r;
    }

    @Test
    void oneLinePerLoggingStepWithoutCarriageReturns(@TempDir Path tmp) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(buf, true, StandardCharsets.UTF_8);
        assertFalse(MetricsLog.interactive(console));
        try (MetricsLog log = new MetricsLog(tmp.resolve("metrics.jsonl"), console, -1)) {
            for (int step = 1; step <= 20; step++) {
                log.write(row(step));
                if (step % 5 == 0) log.progress(step, 20, row(step));
            }
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("\r"), text);
        assertFalse(text.contains("\u001b"), "no escape sequences: " + text);
        List<String> lines = text.lines().toList();
        assertEquals(4, lines.size(), text);
        for (int i = 0; i < 4; i++) {
            int step = 5 * (i + 1);
            String l = lines.get(i);
            assertTrue(l.startsWith("train "), l);
            assertTrue(l.contains(" " + step + "/20 "), l);
            assertTrue(l.contains(String.format(java.util.Locale.ROOT, "loss %.4f", 0.5 / step)), l);
            assertTrue(l.contains("acc 0.75"), l);
            assertTrue(l.length() <= MetricsLog.LINE_WIDTH, l);
        }
        assertTrue(lines.get(3).contains("100%"), lines.get(3));
        assertEquals(20, Files.readAllLines(tmp.resolve("metrics.jsonl")).size(), "metrics.jsonl keeps every step");
    }

    @Test
    void resumedRunCountsFromItsStartStep(@TempDir Path tmp) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(buf, true, StandardCharsets.UTF_8);
        try (MetricsLog log = new MetricsLog(tmp.resolve("metrics.jsonl"), console, 10)) {
            log.progress(11, 20, row(11));
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).contains(" 11/20 ") && lines.get(0).contains("55%"), lines.get(0));
    }

    @Test
    void silentWithoutConsole(@TempDir Path tmp) {
        try (MetricsLog log = new MetricsLog(tmp.resolve("metrics.jsonl"), null, -1)) {
            log.progress(1, 2, row(1));
        }
    }
}
