package dev.prefer.reward.backbone;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Hashes;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A {@link Backbone} that remembers every vector it has computed: in memory, and optionally on disk so that a
 * second run over the same data does not run the encoder again.
 *
 * <p>Keys are SHA-256 of the text's UTF-8 bytes. The disk cache is a folder {@code DIR/<backbone id>/} of segment
 * files; each {@link #flush()} writes the vectors computed since the last flush as one new segment, atomically
 * (temp file, fsync, rename: {@link AtomicFiles}), so a crash loses at most the unflushed vectors and never leaves a
 * half-written segment. Segment format (big-endian): magic {@code PRFEMB1\n}, int dimension, int count, then count
 * times (32-byte key, dimension floats). A segment with a wrong magic or dimension is ignored (and reported by
 * {@link #skippedSegments()}), never trusted.
 */
public final class CachedBackbone implements Backbone {
    private static final byte[] MAGIC = "PRFEMB1\n".getBytes(StandardCharsets.US_ASCII);

    private final Backbone delegate;
    private final Path folder;
    private final Map<String, float[]> memory = new ConcurrentHashMap<>();
    private final Map<String, float[]> pending = new LinkedHashMap<>();
    private int skippedSegments;
    private long hits;
    private long misses;

    /** Memory-only cache. */
    public CachedBackbone(Backbone delegate) {
        this(delegate, null);
    }

    /** Memory cache backed by {@code cacheRoot/<id>/}; {@code cacheRoot} null means memory only. */
    public CachedBackbone(Backbone delegate, Path cacheRoot) {
        this.delegate = delegate;
        this.folder = cacheRoot == null ? null : cacheRoot.resolve(delegate.id());
        if (folder != null) load();
    }

    /** The default on-disk location: {@code $XDG_CACHE_HOME/prefer/embeddings} or {@code ~/.cache/prefer/embeddings}. */
    public static Path defaultRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("prefer").resolve("embeddings");
    }

    public Backbone delegate() {
        return delegate;
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public int dimension() {
        return delegate.dimension();
    }

    public static String key(String text) {
        return Hashes.sha256(text);
    }

    @Override
    public float[] embed(String text) {
        return embedAll(List.of(text)).get(0);
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        float[][] out = new float[texts.size()][];
        List<String> missingTexts = new ArrayList<>();
        List<String> missingKeys = new ArrayList<>();
        Map<String, Integer> firstMissing = new LinkedHashMap<>();
        String[] keys = new String[texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            String k = key(texts.get(i));
            keys[i] = k;
            float[] v = memory.get(k);
            if (v != null) {
                out[i] = v;
            } else if (!firstMissing.containsKey(k)) {
                firstMissing.put(k, missingTexts.size());
                missingTexts.add(texts.get(i));
                missingKeys.add(k);
            }
        }
        synchronized (this) {
            misses += missingTexts.size();
            hits += texts.size() - missingTexts.size();
        }
        if (!missingTexts.isEmpty()) {
            List<float[]> computed = delegate.embedAll(missingTexts);
            synchronized (this) {
                for (int j = 0; j < computed.size(); j++) {
                    memory.put(missingKeys.get(j), computed.get(j));
                    if (folder != null) pending.put(missingKeys.get(j), computed.get(j));
                }
            }
            for (int i = 0; i < out.length; i++) if (out[i] == null) out[i] = memory.get(keys[i]);
        }
        return java.util.Arrays.asList(out);
    }

    /** Writes the vectors computed since the last flush as one new segment (no-op without a folder or new vectors). */
    public synchronized void flush() {
        if (folder == null || pending.isEmpty()) return;
        int dim = dimension();
        Map<String, float[]> batch = new LinkedHashMap<>(pending);
        StringBuilder names = new StringBuilder();
        for (String k : batch.keySet()) names.append(k);
        Path seg = folder.resolve("seg-" + Hashes.sha256(names.toString()).substring(0, 24) + ".bin");
        AtomicFiles.write(seg, out -> {
            DataOutputStream d = new DataOutputStream(out);
            d.write(MAGIC);
            d.writeInt(dim);
            d.writeInt(batch.size());
            HexFormat hex = HexFormat.of();
            for (Map.Entry<String, float[]> e : batch.entrySet()) {
                d.write(hex.parseHex(e.getKey()));
                for (float f : e.getValue()) d.writeFloat(f);
            }
            d.flush();
        });
        pending.clear();
    }

    private void load() {
        if (!Files.isDirectory(folder)) return;
        List<Path> segs;
        try (Stream<Path> s = Files.list(folder)) {
            segs = s.filter(p -> p.getFileName().toString().startsWith("seg-") && p.getFileName().toString().endsWith(".bin")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list embedding cache " + folder + ": " + e.getMessage(), e);
        }
        int dim = dimension();
        HexFormat hex = HexFormat.of();
        for (Path p : segs) {
            try (InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(p), 1 << 16);
                 DataInputStream d = new DataInputStream(raw)) {
                byte[] magic = d.readNBytes(MAGIC.length);
                if (!java.util.Arrays.equals(magic, MAGIC) || d.readInt() != dim) {
                    skippedSegments++;
                    continue;
                }
                int n = d.readInt();
                Map<String, float[]> seg = new LinkedHashMap<>();
                byte[] k = new byte[32];
                for (int i = 0; i < n; i++) {
                    d.readFully(k);
                    float[] v = new float[dim];
                    for (int j = 0; j < dim; j++) v[j] = d.readFloat();
                    seg.put(hex.formatHex(k), v);
                }
                memory.putAll(seg);
            } catch (IOException e) {
                skippedSegments++;
            }
        }
    }

    /** Number of on-disk segments that could not be read (wrong format or truncated) and were ignored. */
    public int skippedSegments() {
        return skippedSegments;
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }

    public int size() {
        return memory.size();
    }

    @Override
    public void close() {
        flush();
        delegate.close();
    }
}
