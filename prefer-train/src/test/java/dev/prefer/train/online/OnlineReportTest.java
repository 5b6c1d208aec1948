package dev.prefer.train.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.lm.CausalLM;
import dev.prefer.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An online run with an output folder writes report.html beside metrics.jsonl: one chart per health series (reward,
 * KL, completion length, entropy, clip ratios), each polyline with one point per logged step, and the held-out
 * table with the evaluation before training (eval_before.json) and after it (the last metrics row).
 */
class OnlineReportTest {

    @Test
    void reportHoldsTheSeriesAndTheHeldOutEvaluation(@TempDir Path tmp) throws Exception {
        Path policyDir = OnlineFixtures.llama("policy");
        Path out = tmp.resolve("run");
        int steps = 3;
        TrainConfig c = TrainConfig.builder(TrainConfig.Task.PREFERENCE).model(policyDir).out(out).learningRate(1e-3)
                .maxSteps(steps).batchSize(2).seed(4).build();
        OnlineConfig o = OnlineConfig.builder(OnlineConfig.Method.GRPO).numGenerations(2).maxCompletionLength(4).beta(0.04).build();
        try (CausalLM policy = CausalLM.load(policyDir); CausalLM reference = CausalLM.load(policyDir)) {
            OnlineTrainer.train(policy, reference, c, o, OnlineFixtures.prompts(4), OnlineFixtures.prompts(2),
                    List.of(OnlineFixtures.letterE()), null);
        }
        String html = Files.readString(out.resolve("report.html"));
        for (String series : List.of("reward", "rewards/letter_e/mean", "kl", "completions/mean_length", "entropy", "clip_ratio/low_mean",
                "clip_ratio/high_mean", "clip_ratio/region_mean")) {
            Matcher m = Pattern.compile("points=\"([^\"]*)\"><title>" + Pattern.quote(series) + "</title>").matcher(html);
            assertTrue(m.find(), "no line for " + series);
            assertEquals(steps, m.group(1).trim().split(" ").length, series + ": one point per step");
        }
        assertTrue(html.contains("Held-out evaluation"), "no held-out table");
        JsonNode before = Json.MAPPER.readTree(out.resolve("eval_before.json").toFile());
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        JsonNode last = Json.MAPPER.readTree(lines.get(lines.size() - 1));
        String row = String.format(Locale.ROOT, "<td class=\"l\">eval/reward</td><td>%.4f</td><td>%.4f</td>",
                before.get("eval/reward").asDouble(), last.get("eval/reward").asDouble());
        assertTrue(html.contains(row), "held-out row " + row + " missing");
        assertTrue(html.contains("How this was made"), "no manifest");
    }
}
