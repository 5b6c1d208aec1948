package dev.prefer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prefer train pref-grpo}: GRPO on within-group win rates of a pairwise source, on the hf-tiny fixtures. */
class PrefGrpoCommandTest {

    @Test
    void trainsOnWinRatesOfAPairwiseModel(@TempDir Path tmp) throws Exception {
        Path f = LmCommandsTest.fixtures();
        Path rm = f.getParent().resolve("hf-tiny-rm/llama-rm");
        Path prompts = TrainOnlineCommandTest.prompts(tmp);
        for (boolean hard : List.of(false, true)) {
            Path out = tmp.resolve(hard ? "hard" : "soft");
            List<String> args = new java.util.ArrayList<>(List.of("train", "pref-grpo", "--model", f.resolve("llama/policy").toString(),
                    "--prompts", prompts.toString(), "--reward", "pairwise:" + rm, "--out", out.toString(), "--max-steps", "2",
                    "--batch-size", "2", "--num-generations", "3", "--max-completion-length", "4", "--learning-rate", "1e-3"));
            if (hard) args.add("--hard-wins");
            String stdout = LmCommandsTest.runCapturing(0, args.toArray(String[]::new));
            assertTrue(stdout.contains("prefer train pref-grpo: 2 steps"), stdout);
            List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
            assertEquals(2, lines.size());
            for (String line : lines) {
                JsonNode row = Json.MAPPER.readTree(line);
                // win rates against the other two completions: each pair gives its two sides 1 in total (soft or counted,
                // ties 1/2), so a group's mean is exactly 1/2 whatever the model says
                assertEquals(0.5, row.get("reward").asDouble(), 1e-9, line);
                assertTrue(row.has("rewards/pairwise:" + rm + "/mean"), line);
            }
            assertTrue(Files.exists(out.resolve("model.safetensors")));
        }
    }

    @Test
    void refusesAPointwiseReward(@TempDir Path tmp) throws Exception {
        Path f = LmCommandsTest.fixtures();
        String err = LmCommandsTest.runCapturing(2, "train", "pref-grpo", "--model", f.resolve("llama/policy").toString(),
                "--prompts", TrainOnlineCommandTest.prompts(tmp).toString(), "--reward", "verifier:arithmetic", "--out", tmp.resolve("a").toString());
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains("pref-grpo needs a pairwise reward") && err.contains("verifier:arithmetic"), err);
    }
}
