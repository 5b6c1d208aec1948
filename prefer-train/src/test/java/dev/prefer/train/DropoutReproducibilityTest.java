package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.prefer.lm.Torch;
import dev.prefer.objectives.Num;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA dropout reproducibility and its root cause.
 *
 * <p>Root cause: DJL's PyTorch engine makes an array from host data with {@code torch::from_blob} over a Java
 * direct buffer, kept alive only while the Java array is open. {@code NDArray.mul(Number)} (likewise {@code div},
 * {@code pow}, {@code maximum}, {@code minimum} with a number) makes such a 0-d array for the number, applies the op
 * and closes it at once; autograd has meanwhile saved that tensor for the backward pass (d(x·c)/dx = c). Once the
 * garbage collector frees the buffer, malloc hands the memory to someone else and the backward reads whatever is
 * there. LoRA's dropout made that visible (it allocates more per forward pass, so a collection between forward and
 * backward became likely), but every op with a number on the gradient path (LoRA's α/r scale, β in the
 * objectives, the norm and GELU constants) was exposed. {@link #numberOperandSurvivesCollection} is the minimal
 * reproducer: with {@code w.mul(3.0)} instead of an engine-owned operand the gradient read 7.0 (or garbage) in
 * 20 of 20 repetitions here; the fix makes every such operand with {@code Num.scalar} / {@code Torch.scalar}
 * (an engine-owned copy made before the host buffer is released).
 */
class DropoutReproducibilityTest {

    /** Frees and reuses small direct buffers: what a collection between forward and backward does. */
    static void churn() {
        List<ByteBuffer> keep = new ArrayList<>();
        for (int g = 0; g < 2; g++) {
            System.gc();
            for (int i = 0; i < 20_000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
                b.putFloat(0, 7f).putFloat(4, 7f);
                keep.add(b);
            }
        }
    }

    @Test
    void numberOperandSurvivesCollection() {
        Torch.init();
        for (int rep = 0; rep < 10; rep++) {
            try (NDManager m = Torch.newManager()) {
                NDArray w = m.ones(new Shape(4));
                w.setRequiresGradient(true);
                try (GradientCollector gc = Torch.init().newGradientCollector()) {
                    NDArray y = w.mul(Num.scalar(w, 3.0f)).sum(); // the multiplier is saved for the backward pass
                    churn();
                    gc.backward(y);
                }
                assertArrayEquals(new float[] {3, 3, 3, 3}, w.getGradient().toFloatArray(), "repetition " + rep);
            }
        }
    }

    /** Collections and direct-buffer churn on another thread while training runs (as a busy JVM would have). */
    static final class Pressure implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread = new Thread(() -> {
            while (!stop.get()) churn();
        }, "gc-pressure");

        Pressure() {
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }

    static byte[] train(Path out, Path cache) throws Exception {
        TrainConfig c = TrainConfig.defaults(TrainConfig.Task.PREFERENCE, Fixtures.hfTiny("llama", "policy"), Fixtures.hfTiny("pairs.jsonl"), out)
                .withRef(Fixtures.hfTiny("llama", "reference")).withCacheDir(cache).withBatch(5, 2)
                .withObjective("dpo", Map.of("beta", 0.1)).withSchedule(TrainConfig.Schedule.CONSTANT, 0)
                .withLearningRate(1e-2).withSteps(6, 1).withSeed(11)
                .withLora(new TrainConfig.LoraConfig(4, 8, 0.3, List.of(), false));
        Trainer.run(c, null);
        return Files.readAllBytes(out.resolve("adapter_model.safetensors"));
    }

    @Test
    void seededLoraDropoutRunsAreBitIdentical(@TempDir Path tmp) throws Exception {
        Path cache = tmp.resolve("cache");
        byte[] first;
        try (Pressure p = new Pressure()) {
            first = train(tmp.resolve("run0"), cache);
            for (int rep = 1; rep <= 4; rep++) {
                byte[] again = train(tmp.resolve("run" + rep), cache);
                assertArrayEquals(first, again, "run " + rep + " differs from run 0");
                List<String> a = Files.readAllLines(tmp.resolve("run0/metrics.jsonl"));
                List<String> b = Files.readAllLines(tmp.resolve("run" + rep + "/metrics.jsonl"));
                assertEquals(a.size(), b.size());
                for (int i = 0; i < a.size(); i++) {
                    // every metric but the timing one is identical
                    assertEquals(a.get(i).replaceAll("\"tokens_per_second\":[^,}]*", ""), b.get(i).replaceAll("\"tokens_per_second\":[^,}]*", ""));
                }
            }
        }
        // The adapters did train (B starts at zero), so the comparison is not vacuous.
        boolean moved = false;
        for (var t : dev.prefer.lm.io.SafeTensors.read(tmp.resolve("run0/adapter_model.safetensors")).values()) {
            if (t.name().endsWith("lora_B.weight")) for (float v : t.data()) moved |= v != 0;
        }
        assertTrue(moved, "LoRA B stayed zero");
    }
}
