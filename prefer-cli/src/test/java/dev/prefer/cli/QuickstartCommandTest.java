package dev.prefer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prefer quickstart}: help shows the defaults; bad input exits 2 with one line (the pipeline itself is tested in prefer-quickstart). */
class QuickstartCommandTest {

    @Test
    void helpShowsDefaultsAndExamples() {
        String out = LmCommandsTest.runCapturing(0, "quickstart", "--help");
        assertTrue(out.contains("--sft-steps") && out.contains("Default: 600"), out);
        assertTrue(out.contains("./prefer quickstart --seed 1"), out);
    }

    @Test
    void badInputExitsWithOneLine(@TempDir Path tmp) {
        String err = LmCommandsTest.runCapturing(2, "quickstart", "--objective", "nope", "--out", tmp.resolve("a").toString());
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains("unknown objective 'nope'"), err);
        err = LmCommandsTest.runCapturing(2, "quickstart", "--rounds", "0", "--out", tmp.resolve("b").toString());
        assertTrue(err.contains("rounds must be >= 1"), err);
    }
}
