package dev.prefer.data;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How an artifact was made: what made it, its full configuration, the content hashes of its inputs, the seed, and
 * the versions of everything involved. Written as {@code manifest.json} beside every checkpoint, report and rating
 * table (Tribuo's provenance; nanoGPT keeping its config in the checkpoint).
 *
 * @param kind    what the artifact is, e.g. "ratings", "dpo-checkpoint"
 * @param config  the full configuration, as plain JSON-able values
 * @param inputs  input name to SHA-256 of its content
 * @param seed    the seed, or null when nothing random happened
 * @param versions Prefer, commit, Java, OS ({@link BuildInfo#versions()})
 * @param created creation time, ISO-8601
 */
public record Manifest(String kind, Map<String, Object> config, Map<String, String> inputs, Long seed,
                       Map<String, String> versions, String created) {

    public Manifest {
        Objects.requireNonNull(kind, "kind");
        config = Map.copyOf(config == null ? Map.of() : config);
        inputs = Map.copyOf(inputs == null ? Map.of() : inputs);
        versions = Map.copyOf(versions == null ? BuildInfo.versions() : versions);
        created = created == null ? Instant.now().toString() : created;
    }

    /** Starts a manifest with the current versions and time. */
    public static Manifest of(String kind, Map<String, Object> config, Long seed) {
        return new Manifest(kind, config, Map.of(), seed, BuildInfo.versions(), null);
    }

    /** A copy that also records the content hash of a file or folder. */
    public Manifest withInput(String name, Path path) {
        Map<String, String> m = new LinkedHashMap<>(inputs);
        m.put(name, "sha256:" + Hashes.sha256(path));
        return new Manifest(kind, config, m, seed, versions, created);
    }

    /** A copy that records an already-computed hash (e.g. of votes held in memory). */
    public Manifest withInputHash(String name, String sha256) {
        Map<String, String> m = new LinkedHashMap<>(inputs);
        m.put(name, "sha256:" + sha256);
        return new Manifest(kind, config, m, seed, versions, created);
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("created", created);
        m.put("seed", seed);
        m.put("inputs", inputs);
        m.put("config", config);
        m.put("versions", versions);
        return Json.pretty(m);
    }

    /** Writes {@code manifest.json} into the folder, atomically. */
    public Path writeTo(Path folder) {
        Path p = folder.resolve("manifest.json");
        AtomicFiles.writeString(p, toJson() + "\n");
        return p;
    }
}
