package dev.prefer.train.online;

import dev.prefer.lm.CausalLM;
import dev.prefer.train.TrainConfig;
import java.nio.file.Path;
import java.util.List;

/** Entry point of the separate JVM the online kill -9 resume test starts: {@code out resume(true|false) shared}. */
public final class OnlineResumeChild {
    public static void main(String[] args) {
        System.setProperty("prefer.shared", args[2]);
        Path policyDir = OnlineFixtures.llama("policy");
        TrainConfig c = TrainConfig.builder(TrainConfig.Task.PREFERENCE).model(policyDir).ref(OnlineFixtures.llama("reference"))
                .out(Path.of(args[0])).learningRate(5e-3).weightDecay(0.01).schedule(TrainConfig.Schedule.COSINE, 2)
                .maxSteps(24).batchSize(2).gradAccumulation(2).maxGradNorm(1.0).seed(99).every(1, 2, 0)
                .lora(new TrainConfig.LoraConfig(4, 8, 0.1, List.of("q_proj", "v_proj", "down_proj"), false))
                .resume(Boolean.parseBoolean(args[1])).build();
        OnlineConfig o = OnlineConfig.builder(OnlineConfig.Method.GRPO).numGenerations(4).maxCompletionLength(6).numIterations(2)
                .beta(0.04).epsilon(0.2, 0.28).build();
        try (CausalLM policy = CausalLM.load(policyDir); CausalLM reference = CausalLM.load(OnlineFixtures.llama("reference"))) {
            OnlineTrainer.train(policy, reference, c, o, OnlineFixtures.prompts(6), OnlineFixtures.prompts(3),
                    List.of(OnlineFixtures.letterE()), System.out);
        }
    }
}
