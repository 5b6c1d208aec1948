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
        Path tmp = root.resolve(".tmp-step-" + step + "-" + System.nanoTime());
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

    /** The last complete checkpoint, or null. */
    public static State latest(Path out) {
        Path latest = root(out).resolve("latest");
        if (!Files.exists(latest)) return null;
        try {
            Path dir = root(out).resolve(Files.readString(latest).strip());
            JsonNode s = Json.MAPPER.readTree(dir.resolve("state.json").toFile());
            return new State(s.get("step").asInt(), s.get("optimizer_step").asInt(), dir);
        } catch (IOException | RuntimeException e) {
            throw DataException.ofFile(latest, "unreadable checkpoint: " + e.getMessage());
        }
    }

    static JsonNode config(State s) {
        try {
            return Json.MAPPER.readTree(s.dir().resolve("state.json").toFile()).get("config");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
