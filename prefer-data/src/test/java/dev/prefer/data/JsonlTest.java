package dev.prefer.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlTest {
    @TempDir Path dir;

    @Test
    void readsPlainAndGzipWithLineNumbers() throws IOException {
        String text = "{\"prompt\":\"a\"}\n\n{\"prompt\":\"b\"}\n";
        Path plain = dir.resolve("x.jsonl");
        Files.writeString(plain, text);
        Path gz = dir.resolve("x.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        for (Path p : List.of(plain, gz)) {
            List<String> seen = new ArrayList<>();
            Jsonl.ReadStats st = Jsonl.read(p, false, (line, row) -> seen.add(line + ":" + Jsonl.requireString(p, line, row, "prompt")));
            assertEquals(List.of("1:a", "3:b"), seen);
            assertEquals(2, st.rows());
        }
    }

    @Test
    void badRowsNameFileLineAndField() throws IOException {
        Path p = dir.resolve("bad.jsonl");
        Files.writeString(p, "{\"prompt\":\"a\"}\n{\"prompt\":3}\n{oops\n");
        DataException e = assertThrows(DataException.class,
                () -> Jsonl.read(p, false, (line, row) -> Jsonl.requireString(p, line, row, "prompt")));
        assertEquals(p + ":2: field 'prompt': expected a string, got number", e.getMessage());

        Jsonl.ReadStats st = Jsonl.read(p, true, (line, row) -> Jsonl.requireString(p, line, row, "prompt"));
        assertEquals(1, st.rows());
        assertEquals(2, st.skipped());
        assertEquals(2, st.firstSkipped().line());
    }

    @Test
    void invalidUtf8IsALocatedError() throws IOException {
        Path p = dir.resolve("latin1.jsonl");
        Files.write(p, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xE9, '"', '}', '\n'});
        DataException e = assertThrows(DataException.class, () -> Jsonl.read(p, false, (l, r) -> {}));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void hashesAreSha256() {
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Hashes.sha256("abc"));
    }
}
