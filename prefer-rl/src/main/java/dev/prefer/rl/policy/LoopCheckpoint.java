package dev.prefer.rl.policy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntConsumer;

/**
 * Mid-seed checkpoints of a training loop: where the loop writes its whole state (a null path: never), how often
 * (every {@code every} steps of the loop's own counter: environment steps, gradient steps or rounds; the loops that
 * train in chunks, {@link LoopState}, save after each chunk instead), and a hook called after each step or chunk
 * (tests use it to stop a run as a kill would). The state is Java-serialised with a key naming the
 * configuration and seed, written atomically ({@code AtomicFiles}), so a killed process leaves either the previous
 * checkpoint or the new one; a loop that finds a checkpoint with its own key continues from it to the result of an
 * uninterrupted run (every loop keeps its random stream in its state), and one with another key is refused.
 */
public record LoopCheckpoint(Path path, int every, IntConsumer afterStep) {
    public static final LoopCheckpoint NONE = new LoopCheckpoint(null, 0, s -> { });

    private record Stored(String key, Serializable state) implements Serializable {
    }

    /** Whether the loop should save after step {@code step} of {@code total} (never after the last one). */
    public boolean due(int step, int total) {
        return path != null && every > 0 && step % every == 0 && step < total;
    }

    /** Writes the state atomically under key. */
    public void save(String key, Serializable state) {
        var bytes = new ByteArrayOutputStream();
        try (var out = new ObjectOutputStream(bytes)) {
            out.writeObject(new Stored(key, state));
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot serialise the training state: " + e.getMessage(), e);
        }
        dev.prefer.data.AtomicFiles.write(path, bytes.toByteArray());
    }

    /**
     * The stored state, or null when there is no checkpoint or it holds another type (another phase of the same seed,
     * e.g. the reward fit before a distillation); a checkpoint of this type under another key is an error.
     */
    public <T> T load(String key, Class<T> type) {
        if (path == null || !Files.exists(path)) {
            return null;
        }
        try (var in = new ObjectInputStream(Files.newInputStream(path))) {
            Object o = in.readObject();
            if (!(o instanceof Stored s)) {
                throw new IllegalArgumentException(path + ": not a checkpoint of a training loop; delete it to restart the seed");
            }
            if (!type.isInstance(s.state())) {
                return null;                                // a checkpoint of another phase of the same run
            }
            if (!s.key().equals(key)) {
                throw new IllegalArgumentException(path + ": checkpoint of '" + s.key() + "', this run is '" + key + "'");
            }
            return type.cast(s.state());
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalArgumentException(path + ": unreadable checkpoint (" + e.getMessage() + "); delete it to restart the seed", e);
        }
    }

    /** Calls the hook. */
    public void after(int step) {
        afterStep.accept(step);
    }
}
