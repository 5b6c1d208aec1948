package dev.prefer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.AtomicFiles;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.lm.io.DType;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training checkpoints under {@code out/checkpoints}: {@code step-N/} holds {@code trainable.safetensors} (the
 * trained parameters, float32), {@code optimizer.safetensors} (AdamW's m and v) and {@code state.json} (step,
 * optimizer step, config). A checkpoint is written to a temporary folder, synced, then renamed into place, and
 * {@code latest} (written atomically) names it: a kill at any moment leaves the previous checkpoint intact.
 */
public final class Checkpoints {
    private Checkpoints() {}

    public record State(int step, int optimizerStep, Path dir) {}

    static Path root(Path out) {
        return out.resolve("checkpoints");
    }

    static Path write(Path out, int step, Map<String, NDArray> trainable, AdamW opt, Map<String, Object> config) {
        return write(out, step, trainable, opt, config, null);
    }

    /** As above, plus the objective's running state ({@code objective_state} in state.json), when it has one. */
    public static Path write(Path out, int step, Map<String, NDArray> trainable, AdamW opt, Map<String, Object> config, double[] objectiveState) {
        Path root = root(out);
        Path target = root.resolve("step-" + step);
        Path tmp = root.resolve(TMP_PREFIX + step + "-" + System.nanoTime());
        cleanPartial(out);
        try {
            Files.createDirectories(tmp);
            SafeTensors.write(tmp.resolve("trainable.safetensors"), host(trainable, ""), Map.of(), DType.F32);
            LinkedHashMap<String, HostTensor> o = new LinkedHashMap<>();
            o.putAll(host(opt.firstMoments(), "m."));
            o.putAll(host(opt.secondMoments(), "v."));
            SafeTensors.write(tmp.resolve("optimizer.safetensors"), o, Map.of(), DType.F32);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("step", step);
            s.put("optimizer_step", opt.stepCount());
            s.put("config", config);
            if (objectiveState != null) s.put("objective_state", objectiveState);
            AtomicFiles.writeString(tmp.resolve("state.json"), Json.pretty(s) + "\n");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (IOException ignored) {
                // directories cannot be opened for sync on every file system
            }
            if (Files.exists(target)) deleteTree(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.writeString(root.resolve("latest"), target.getFileName() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        }
        return target;
    }

    /** Prefix of the folder a checkpoint is written to before it is renamed into place. */
    static final String TMP_PREFIX = ".tmp-step-";

    /**
     * Deletes partial checkpoint folders ({@code .tmp-step-N-*}) that a killed run left behind; a complete checkpoint
     * is never among them (it is renamed to {@code step-N} before {@code latest} names it).
     *
     * @return how many were deleted
     */
    static int cleanPartial(Path out) {
        Path root = root(out);
        if (!Files.isDirectory(root)) return 0;
        int n = 0;
        try (var s = Files.list(root)) {
            for (Path p : s.filter(q -> q.getFileName().toString().startsWith(TMP_PREFIX) && Files.isDirectory(q)).toList()) {
                deleteTree(p);
                n++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean partial checkpoints in " + root + ": " + e.getMessage(), e);
        }
        return n;
    }

    /** The last complete checkpoint, or null. Partial folders of a killed run are deleted first. */
    public static State latest(Path out) {
        Path latest = root(out).resolve("latest");
        if (!Files.exists(latest)) return null;
        cleanPartial(out);
        String name;
        try {
            name = Files.readString(latest).strip();
        } catch (IOException e) {
            throw DataException.ofFile(latest, "unreadable: " + DataException.oneLine(e.getMessage()));
        }
        if (!name.matches("step-[0-9]{1,9}")) throw DataException.ofFile(latest, "names '" + DataException.oneLine(name) + "', not a step-N checkpoint folder");
        Path dir = root(out).resolve(name);
        if (!Files.isDirectory(dir)) throw DataException.ofFile(latest, "names " + name + ", which does not exist in " + root(out));
        JsonNode s = readState(dir);
        return new State(intField(dir, s, "step"), intField(dir, s, "optimizer_step"), dir);
    }

    /** A checkpoint's state.json; errors name that file (and the line, for bad JSON). */
    static JsonNode readState(Path dir) {
        Path state = dir.resolve("state.json");
        JsonNode s;
        try {
            s = Json.MAPPER.readTree(Files.readString(state));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new DataException(state, line, null, "corrupt checkpoint state: not valid JSON: " + e.getOriginalMessage());
        } catch (java.nio.file.NoSuchFileException e) {
            throw DataException.ofFile(state, "missing: the checkpoint folder is incomplete");
        } catch (IOException e) {
            throw DataException.ofFile(state, "unreadable: " + DataException.oneLine(e.getMessage()));
        }
        if (s == null || !s.isObject()) throw DataException.ofFile(state, "corrupt checkpoint state: expected a JSON object");
        return s;
    }

    private static int intField(Path dir, JsonNode s, String field) {
        JsonNode v = s.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0) {
            throw new DataException(dir.resolve("state.json"), 0, field, "corrupt checkpoint state: expected a non-negative integer");
        }
        return v.asInt();
    }

    static JsonNode config(State s) {
        JsonNode c = readState(s.dir()).get("config");
        if (c == null || !c.isObject()) throw new DataException(s.dir().resolve("state.json"), 0, "config", "corrupt checkpoint state: missing");
        return c;
    }

    static LinkedHashMap<String, HostTensor> host(Map<String, NDArray> arrays, String prefix) {
        LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray a = e.getValue();
            float[] d = floats(a);
            out.put(prefix + e.getKey(), new HostTensor(prefix + e.getKey(), DType.F32, a.getShape().getShape(), d));
        }
        return out;
    }

    /** Host float32 copy; never closes {@code a} (toType with an unchanged type may return the array itself). */
    static float[] floats(NDArray a) {
        if (a.getDataType() == DataType.FLOAT32) return a.toFloatArray();
        try (NDArray f = a.toType(DataType.FLOAT32, false)) {
            return f.toFloatArray();
        }
    }

    static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
