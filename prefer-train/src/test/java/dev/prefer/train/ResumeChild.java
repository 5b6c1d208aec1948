package dev.prefer.train;

import dev.prefer.data.pref.LengthConfig;
import dev.prefer.lm.Precision;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Entry point of the separate JVM the kill -9 resume test starts: {@code out cache resume(true|false) shared}. */
public final class ResumeChild {
    public static void main(String[] args) {
        Path shared = Path.of(args[3]);
        Path tiny = shared.resolve("fixtures/hf-tiny");
        TrainConfig c = new TrainConfig(TrainConfig.Task.PREFERENCE, tiny.resolve("llama/policy"), null, tiny.resolve("pairs.jsonl"),
                null, 0, Path.of(args[0]), "dpo", Map.of("beta", 0.1), 1e-3, 0.01, 0.9, 0.999, 1e-8,
                TrainConfig.Schedule.COSINE, 3, 40, 1, 3, 2, 1.0, 1234, 1, 2, 0,
                new TrainConfig.LoraConfig(4, 8, 0.1, List.of("q_proj", "v_proj", "down_proj"), false),
                LengthConfig.UNLIMITED, Path.of(args[1]), false, Precision.F32, Boolean.parseBoolean(args[2]), TrainConfig.PrefixSharing.AUTO);
        Trainer.run(c, System.out);
    }
}
