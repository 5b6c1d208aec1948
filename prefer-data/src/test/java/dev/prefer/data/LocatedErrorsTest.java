package dev.prefer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.pref.PreferenceData;
import dev.prefer.data.pref.PreferenceReader;
import dev.prefer.data.votes.VoteColumns;
import dev.prefer.data.votes.VoteReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue #16 items 1 and 3 in the data layer: bad bytes blamed on their own line; pairs that state no preference refused. */
class LocatedErrorsTest {

    @TempDir
    Path dir;

    private static final String GOOD = "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}\n";

    /** 300 good rows (~13 KB, inside one decode block of a BufferedReader), then a row with a Latin-1 byte. */
    private Path badByteOnLine301(String name, boolean gzip) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < 300; i++) b.write(GOOD.getBytes(StandardCharsets.UTF_8));
        b.write("{\"prompt\":\"caf".getBytes(StandardCharsets.UTF_8));
        b.write(0xE9);
        b.write("\",\"chosen\":\"a\",\"rejected\":\"b\"}\n".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 300; i++) b.write(GOOD.getBytes(StandardCharsets.UTF_8));
        Path p = dir.resolve(name);
        if (gzip) {
            try (GZIPOutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
                o.write(b.toByteArray());
            }
        } else {
            Files.write(p, b.toByteArray());
        }
        return p;
    }

    @Test
    void invalidUtf8IsBlamedOnTheLineWithTheBadByte() throws IOException {
        for (boolean gz : new boolean[] {false, true}) {
            Path p = badByteOnLine301("latin1" + gz + ".jsonl", gz);
            DataException e = assertThrows(DataException.class, () -> PreferenceReader.read(p));
            // {"prompt":"caf is 14 bytes, so the bad byte is the 15th
            assertEquals(p + ":301: not valid UTF-8 (byte 15 of the line)", e.getMessage());
        }
    }

    @Test
    void invalidUtf8InCsvVotesIsBlamedOnItsLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write("model_a,model_b,winner\n".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 500; i++) b.write("x,y,model_a\n".getBytes(StandardCharsets.UTF_8));
        b.write(new byte[] {'x', (byte) 0xFF, ',', 'y', ',', 'm', 'o', 'd', 'e', 'l', '_', 'a', '\n'});
        Path p = dir.resolve("votes.csv");
        Files.write(p, b.toByteArray());
        DataException e = assertThrows(DataException.class, () -> VoteReader.read(p, VoteColumns.DEFAULT, false));
        assertEquals(p + ":502: not valid UTF-8 (byte 2 of the line)", e.getMessage());
    }

    @Test
    void truncatedGzipIsALocatedDataErrorWithoutAnIOExceptionPrefix() throws IOException {
        Path whole = badByteOnLine301("whole.jsonl.gz", true);
        byte[] all = Files.readAllBytes(whole);
        Path cut = dir.resolve("cut.jsonl.gz");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        DataException e = assertThrows(DataException.class, () -> Jsonl.read(cut, false, (l, r) -> {}));
        assertTrue(e.getMessage().startsWith(cut + ":"), e.getMessage());
        assertTrue(e.line() > 0, e.getMessage());
        assertTrue(e.getMessage().endsWith("gzip data ends early (truncated file)"), e.getMessage());
        assertFalse(e.getMessage().contains("java.io"), e.getMessage());
        Path garbage = dir.resolve("garbage.jsonl.gz");
        byte[] g = Arrays.copyOf(all, 200);
        for (int i = 20; i < 200; i++) g[i] = (byte) (i * 37);
        Files.write(garbage, g);
        DataException e2 = assertThrows(DataException.class, () -> Jsonl.read(garbage, false, (l, r) -> {}));
        assertTrue(e2.getMessage().startsWith(garbage + ":1: corrupt gzip data"), e2.getMessage());
    }

    private static String stderrOf(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            r.run();
        } finally {
            System.setErr(old);
        }
        return err.toString(StandardCharsets.UTF_8).replace("\r", "");
    }

    @Test
    void emptyPairsAreRefusedOrSkippedWithACountedWarning() throws IOException {
        Path p = dir.resolve("empty.jsonl");
        Files.writeString(p, GOOD
                + "{\"prompt\":\"\",\"chosen\":\"\",\"rejected\":\"\"}\n"
                + "{\"prompt\":\" \",\"chosen\":\"\\n\",\"rejected\":\"\"}\n"
                + "{\"prompt\":\"\",\"chosen\":\"x\",\"rejected\":\"\"}\n");
        DataException e = assertThrows(DataException.class, () -> PreferenceReader.read(p));
        assertEquals(p + ":2: field 'prompt': prompt, chosen and rejected are all empty: the pair states nothing", e.getMessage());
        PreferenceData[] d = new PreferenceData[1];
        String err = stderrOf(() -> d[0] = PreferenceReader.read(p, PreferenceReader.Options.DEFAULT.withSkipBadRows(true)));
        assertEquals(2, d[0].pairs().size()); // line 1, and line 4 (an empty prompt alone is allowed)
        assertEquals(2, d[0].skipped());
        assertEquals("prefer: warning: skipped 2 of 4 rows (--skip-bad-rows); first: " + e.getMessage() + "\n", err);
    }

    @Test
    void identicalPairsAreKeptWithACountedWarningAndSkippedOnRequest() throws IOException {
        Path p = dir.resolve("same.jsonl");
        String same = "{\"prompt\":\"p\",\"chosen\":\"same\",\"rejected\":\"same\"}\n";
        Files.writeString(p, GOOD + same + GOOD + same);
        PreferenceData[] d = new PreferenceData[1];
        String err = stderrOf(() -> d[0] = PreferenceReader.read(p));
        assertEquals(4, d[0].pairs().size());
        assertEquals("prefer: warning: " + p + ": 2 pairs have chosen identical to rejected (first at line 2): no preference"
                + " to learn; --skip-bad-rows drops them\n", err);
        String err2 = stderrOf(() -> d[0] = PreferenceReader.read(p, PreferenceReader.Options.DEFAULT.withSkipBadRows(true)));
        assertEquals(2, d[0].pairs().size());
        assertEquals("prefer: warning: skipped 2 of 4 rows (--skip-bad-rows); first: " + p
                + ":2: field 'rejected': identical to chosen: the pair states no preference\n", err2);
    }
}
