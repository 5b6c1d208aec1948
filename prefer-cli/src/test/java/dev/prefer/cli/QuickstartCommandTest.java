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
        assertTrue(out.contains("--sft-steps") && out.contains("Default: 1500"), out);
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

    @Test
    void overwriteReplacesOnlyAnEarlierQuickstartRun(@TempDir Path tmp) throws java.io.IOException {
        Path other = tmp.resolve("other");
        java.nio.file.Files.createDirectories(other);
        java.nio.file.Files.writeString(other.resolve("notes.txt"), "keep me");
        String err = LmCommandsTest.runCapturing(2, "quickstart", "--out", other.toString());
        assertTrue(err.contains("not empty") && err.contains("--overwrite"), err);
        err = LmCommandsTest.runCapturing(2, "quickstart", "--out", other.toString(), "--overwrite");
        assertTrue(err.contains("not an earlier quickstart run"), err);
        assertEquals("keep me", java.nio.file.Files.readString(other.resolve("notes.txt")));

        // An earlier run (manifest of kind quickstart): a bad config is refused before anything is deleted ...
        Path earlier = tmp.resolve("earlier");
        java.nio.file.Files.createDirectories(earlier.resolve("sft"));
        java.nio.file.Files.writeString(earlier.resolve("manifest.json"), "{\"kind\":\"quickstart\"}");
        java.nio.file.Files.writeString(earlier.resolve("sft/old.txt"), "old");
        LmCommandsTest.runCapturing(2, "quickstart", "--out", earlier.toString(), "--overwrite", "--objective", "nope");
        assertTrue(java.nio.file.Files.exists(earlier.resolve("sft/old.txt")));
        // ... and a good one replaces it (a tiny pipeline, as in prefer-quickstart's QuickstartTest).
        LmCommandsTest.runCapturing(0, "quickstart", "--out", earlier.toString(), "--overwrite", "--task", "counting",
                "--train-count", "120", "--held-out-count", "16", "--layers", "1", "--hidden-size", "32", "--vocab-size", "512",
                "--sft-steps", "2", "--sft-batch-size", "8", "--objective", "dpo", "--rounds", "1", "--prompts-per-round", "8",
                "--samples-per-prompt", "2", "--steps-per-round", "1", "--batch-size", "4", "--eval-samples", "1");
        assertTrue(java.nio.file.Files.notExists(earlier.resolve("sft/old.txt")));
        assertTrue(java.nio.file.Files.isRegularFile(earlier.resolve("report.html")));
    }
}
