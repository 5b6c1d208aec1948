package dev.prefer.reward.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachedBackboneTest {
    /** Counts how many texts reach the real backbone. */
    static final class Counting implements Backbone {
        final Backbone inner = new HashingBackbone(16);
        final AtomicInteger calls = new AtomicInteger();

        @Override public String id() { return inner.id(); }
        @Override public int dimension() { return inner.dimension(); }
        @Override public float[] embed(String text) {
            calls.incrementAndGet();
            return inner.embed(text);
        }
    }

    @Test
    void secondRunReadsVectorsFromDisk(@TempDir Path dir) throws Exception {
        List<String> texts = List.of("alpha beta", "gamma", "alpha beta", "delta epsilon");
        Counting first = new Counting();
        List<float[]> a;
        try (CachedBackbone c = new CachedBackbone(first, dir)) {
            a = c.embedAll(texts);
            assertEquals(3, first.calls.get(), "duplicates are embedded once");
            c.embedAll(texts);
            assertEquals(3, first.calls.get(), "memory hits");
        }
        Counting second = new Counting();
        try (CachedBackbone c = new CachedBackbone(second, dir)) {
            List<float[]> b = c.embedAll(texts);
            assertEquals(0, second.calls.get(), "all vectors come from disk");
            for (int i = 0; i < texts.size(); i++) assertArrayEquals(a.get(i), b.get(i));
        }
    }

    @Test
    void corruptSegmentsAreIgnoredNotTrusted(@TempDir Path dir) throws Exception {
        try (CachedBackbone c = new CachedBackbone(new Counting(), dir)) {
            c.embedAll(List.of("one", "two"));
        }
        Path seg;
        try (Stream<Path> s = Files.list(dir.resolve("hash-16"))) {
            seg = s.filter(p -> p.getFileName().toString().startsWith("seg-")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(seg);
        Files.write(seg, java.util.Arrays.copyOf(bytes, bytes.length / 2));   // a torn write
        Files.writeString(dir.resolve("hash-16").resolve("seg-junk.bin"), "not a segment");
        Counting again = new Counting();
        try (CachedBackbone c = new CachedBackbone(again, dir)) {
            assertEquals(2, c.skippedSegments());
            c.embedAll(List.of("one", "two"));
            assertEquals(2, again.calls.get(), "recomputed, not read from the broken segment");
        }
    }
}
