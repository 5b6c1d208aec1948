package dev.prefer.train.online;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.lm.CausalLM;
import dev.prefer.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Exact resume of the Nash and self-play methods, in one JVM (the separate-JVM kill -9 test is {@link OnlineResumeTest}):
 * the reward source fails in the middle of a round (INPO: two generation batches per round, both sampled from π_t
 * before any update; Nash-MD: while scoring policy-versus-mixture samples), after a checkpoint; a fresh policy
 * resumed from that checkpoint ends with an adapter bitwise identical to an uninterrupted run's, and metrics.jsonl
 * matches line for line (step_time aside): the round is sampled again from the checkpointed π_t with the same seeds.
 */
class SelfPlayResumeTest {

    static final class Crash extends RuntimeException {
        Crash() {
            super("simulated crash");
        }
    }

    static void run(OnlineConfig.Method method, Path out, boolean resume, int crashAtCall) {
        Path policyDir = OnlineFixtures.llama("policy");
        TrainConfig c = TrainConfig.builder(TrainConfig.Task.PREFERENCE).model(policyDir).out(out).objective("dpo", Map.of("beta", 0.1))
                .learningRate(5e-3).schedule(TrainConfig.Schedule.COSINE, 1).maxSteps(8).batchSize(2).seed(21).every(1, 2, 0)
                .lora(new TrainConfig.LoraConfig(4, 8, 0.1, List.of("q_proj", "v_proj"), false)).resume(resume).build();
        OnlineConfig.Builder b = OnlineConfig.builder(method).numGenerations(4).maxCompletionLength(5);
        OnlineConfig o = (method == OnlineConfig.Method.INPO ? b.eta(4).tau(0.1).roundBatches(2) : b.beta(0.05).mixtureCoef(0.4)).build();
        RewardFunction judge = SelfPlayLearningTest.letterEJudge();
        AtomicInteger calls = new AtomicInteger();
        RewardFunction failing = new RewardFunction() {
            @Override public String name() { return judge.name(); }

            @Override
            public double[] score(String prompt, List<String> completions, Map<String, Object> fields) {
                return judge.score(prompt, completions, fields);
            }

            @Override
            public Scored scoreGroup(String prompt, List<String> completions, Map<String, Object> fields) {
                if (calls.incrementAndGet() == crashAtCall) throw new Crash();
                return judge.scoreGroup(prompt, completions, fields);
            }
        };
        try (CausalLM policy = CausalLM.load(policyDir); CausalLM reference = CausalLM.load(OnlineFixtures.llama("reference"))) {
            OnlineTrainer.train(policy, reference, c, o, OnlineFixtures.prompts(6), List.of(), List.of(failing), null);
        }
    }

    @ParameterizedTest
    @EnumSource(value = OnlineConfig.Method.class, names = {"INPO", "NASH_MD"})
    void crashedInsideARoundAndResumedEndsIdentical(OnlineConfig.Method method, @TempDir Path tmp) throws Exception {
        run(method, tmp.resolve("full"), false, -1);
        Path out = tmp.resolve("crashed");
        // two prompts per generation batch, one scoring call each: call 12 scores batch 5 (0-based), the second
        // batch of the round that starts at step 4, after the checkpoint at step 4
        assertThrows(Crash.class, () -> run(method, out, false, 12));
        assertTrue(Files.exists(out.resolve("checkpoints/latest")), "no checkpoint before the crash");
        assertFalse(Files.exists(out.resolve("adapter_model.safetensors")), "the run finished before the crash");
        run(method, out, true, -1);
        List<String> ma = Files.readAllLines(tmp.resolve("full/metrics.jsonl"));
        List<String> mb = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(8, ma.size());
        assertEquals(ma.size(), mb.size());
        for (int i = 0; i < ma.size(); i++) assertEquals(strip(ma.get(i)), strip(mb.get(i)), "metrics line " + (i + 1));
        assertArrayEquals(Files.readAllBytes(tmp.resolve("full/adapter_model.safetensors")),
                Files.readAllBytes(out.resolve("adapter_model.safetensors")), "final adapters differ");
    }

    private static String strip(String line) {
        return line.replaceAll("\"step_time\":[^,}]*,?", "");
    }
}
