package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --gradient-checkpointing} through the trainer changes memory only: DPO (full fine-tuning with prefix
 * sharing, and LoRA with dropout and two accumulation chunks) logs the same metrics and saves the same weights as
 * without it, and a run may be resumed with it switched off.
 */
class GradientCheckpointingTrainingTest {

    @Test
    void fullFineTuningIsUnchanged(@TempDir Path tmp) {
        TrainConfig base = Fixtures.tiny("llama", tmp.resolve("plain"), tmp.resolve("cache")).withLearningRate(1e-3).withSteps(3, 1)
                .withPrefixSharing(TrainConfig.PrefixSharing.ON);
        sameRun(base, tmp, "model.safetensors");
    }

    @Test
    void loraWithDropoutAndAccumulationIsUnchanged(@TempDir Path tmp) {
        TrainConfig base = Fixtures.tiny("gpt2", tmp.resolve("plain"), tmp.resolve("cache")).withLearningRate(1e-2).withSteps(3, 1)
                .withBatch(5, 2).withLora(new TrainConfig.LoraConfig(4, 8, 0.3, List.of(), false));
        sameRun(base, tmp, "adapter_model.safetensors");
    }

    @Test
    void aRunResumesWithCheckpointingSwitchedOff(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        TrainConfig c = Fixtures.tiny("gpt2", out, tmp.resolve("cache")).withLearningRate(1e-3).withSteps(3, 1).withEvery(1, 1, 0);
        Trainer.run(c.toBuilder().gradientCheckpointing(true).build(), null);
        assertTrue(Files.readString(out.resolve("manifest.json")).contains("\"gradient_checkpointing\""), "the manifest records it");
        Trainer.run(c.withResume(true), null); // the config check passes: the setting changes memory, not numbers
        assertEquals(3, Fixtures.metrics(out).size());
        assertFalse(Files.readString(out.resolve("manifest.json")).contains("\"gradient_checkpointing\""));
    }

    private static void sameRun(TrainConfig base, Path tmp, String weights) {
        Trainer.run(base, null);
        Path ckpt = tmp.resolve("checkpointed");
        Trainer.run(base.withOut(ckpt).toBuilder().gradientCheckpointing(true).build(), null);
        List<JsonNode> a = Fixtures.metrics(base.out()), b = Fixtures.metrics(ckpt);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            for (String k : List.of("loss", "grad_norm", "rewards/margins")) {
                assertEquals(a.get(i).get(k).asDouble(), b.get(i).get(k).asDouble(), 1e-6, "step " + (i + 1) + " " + k);
            }
        }
        Map<String, HostTensor> wa = SafeTensors.read(base.out().resolve(weights)), wb = SafeTensors.read(ckpt.resolve(weights));
        assertEquals(wa.keySet(), wb.keySet());
        for (String name : wa.keySet()) {
            float[] x = wa.get(name).data(), y = wb.get(name).data();
            for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 1e-6 * Math.max(1, Math.abs(x[i])), name + "[" + i + "]");
        }
    }
}
