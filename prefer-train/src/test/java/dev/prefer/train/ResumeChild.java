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
        TrainConfig c = TrainConfig.builder(TrainConfig.Task.PREFERENCE).model(tiny.resolve("llama/policy")).data(tiny.resolve("pairs.jsonl"))
                .out(Path.of(args[0])).objective("dpo", Map.of("beta", 0.1)).learningRate(1e-3).weightDecay(0.01).adam(0.9, 0.999, 1e-8)
                .schedule(TrainConfig.Schedule.COSINE, 3).maxSteps(40).epochs(1).batchSize(3).gradAccumulation(2).maxGradNorm(1.0)
                .seed(1234).every(1, 2, 0).lora(new TrainConfig.LoraConfig(4, 8, 0.1, List.of("q_proj", "v_proj", "down_proj"), false))
                .length(LengthConfig.UNLIMITED).cacheDir(Path.of(args[1])).precision(Precision.F32).resume(Boolean.parseBoolean(args[2]))
                .prefixSharing(TrainConfig.PrefixSharing.AUTO).build();
        Trainer.run(c, System.out);
    }
}
