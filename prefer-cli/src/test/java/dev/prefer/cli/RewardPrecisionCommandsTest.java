package dev.prefer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.reward.EmbeddingEncoder;
import dev.prefer.reward.RewardModel;
import dev.prefer.reward.backbone.HashingBackbone;
import dev.prefer.reward.head.HeadConfig;
import dev.prefer.reward.head.Heads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The precision of reward models named in reward specs: {@code prefer score --reward SPEC --precision} and the online
 * verbs' {@code --reward-precision}, on ../shared/fixtures/hf-tiny-rm/llama-rm (transformers' float32 rewards in its
 * expected.json). Tolerance as prefer-reward's RewardPrecisionTest: 8 bfloat16 unit roundoffs (2^-8) of the largest
 * |reward| (3.761), 0.118; measured 0.040 there.
 */
class RewardPrecisionCommandsTest {
    static final Path SHARED = Path.of(System.getProperty("prefer.shared"));
    static final Path RM = SHARED.resolve("fixtures/hf-tiny-rm/llama-rm");
    static final double TOL = 8 * 0x1p-8 * 3.761;

    /** A Bradley-Terry head on a hashing backbone: an embedding reward model, float32 only. */
    static Path embeddingModel(Path dir) {
        RewardModel m = new RewardModel(new EmbeddingEncoder(new HashingBackbone(32), EmbeddingEncoder.ContextSource.PROMPT),
                Heads.create(HeadConfig.defaults("bt"), 32, 32, List.of(), 3));
        Path f = dir.resolve("rm-hash");
        m.save(f, Manifest.of("reward-model", Map.of("head", "bt"), 3L));
        return f;
    }

    @Test
    void scoreRewardSpecsInBf16(@TempDir Path dir) throws Exception {
        JsonNode ex = Json.readObject(RM.resolve("expected.json")).get("examples");
        Path pairs = SHARED.resolve("fixtures/hf-tiny/pairs.jsonl");
        Path out = dir.resolve("bf16.jsonl");
        LmCommandsTest.runCapturing(0, "score", "--reward", "model:" + RM, "--data", pairs.toString(), "--out", out.toString(), "--precision", "bf16");
        List<String> rows = Files.readAllLines(out);
        assertEquals(ex.size(), rows.size());
        double max = 0;
        for (int i = 0; i < rows.size(); i++) {
            JsonNode r = Json.MAPPER.readTree(rows.get(i));
            for (int k = 0; k < 2; k++) {
                double want = ex.get(i).get(k == 0 ? "reward_chosen" : "reward_rejected").asDouble();
                max = Math.max(max, Math.abs(want - r.get("rewards").get(k).asDouble()));
            }
        }
        System.out.printf("score --reward model: --precision bf16: max |reward - transformers fp32| %.4f (tolerance %.3f)%n", max, TOL);
        assertTrue(max < TOL && max > 1e-3, "bf16 rewards " + max + " from transformers' float32 (fp32 is within 1e-4: bf16 must show)");
        assertEquals("bf16", Json.readObject(dir.resolve("bf16.jsonl.manifest.json")).path("config").path("precision").asText());

        // an embedding head cannot: one line naming the spec, also inside a weighted sum
        Path hash = embeddingModel(dir);
        for (String[] rewards : List.of(new String[] {"--reward", "model:" + hash}, new String[] {"--reward", "verifier:arithmetic", "--reward", "0.5*pairwise:" + hash})) {
            List<String> args = new java.util.ArrayList<>(List.of("score", "--data", pairs.toString(), "--precision", "fp16"));
            args.addAll(List.of(rewards));
            String err = LmCommandsTest.runCapturing(2, args.toArray(String[]::new));
            String spec = rewards[rewards.length - 1];
            assertTrue(err.startsWith("prefer: reward spec '" + spec + "': precision fp16: ") && err.contains("embedding heads run in float32"), err);
            assertEquals(1, err.strip().lines().count(), err);
        }
    }

    @Test
    void grpoLoadsItsRewardModelInTheRewardPrecision(@TempDir Path tmp) throws Exception {
        Path f = LmCommandsTest.fixtures();
        Path prompts = TrainOnlineCommandTest.prompts(tmp);
        JsonNode[] first = new JsonNode[2];
        String key = "rewards/model:" + RM + "/mean";
        for (String p : List.of("fp32", "bf16")) {
            Path out = tmp.resolve("grpo-" + p);
            int steps = p.equals("bf16") ? 2 : 1;
            LmCommandsTest.runCapturing(0, "train", "grpo", "--model", f.resolve("llama/policy").toString(), "--prompts", prompts.toString(),
                    "--reward", "model:" + RM, "--out", out.toString(), "--max-steps", String.valueOf(steps), "--batch-size", "2",
                    "--num-generations", "2", "--max-completion-length", "4", "--learning-rate", "1e-3", "--reward-precision", p);
            List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
            assertEquals(steps, lines.size(), p);
            for (String l : lines) assertTrue(Double.isFinite(Json.MAPPER.readTree(l).get("loss").asDouble()), l);
            first[p.equals("fp32") ? 0 : 1] = Json.MAPPER.readTree(lines.get(0));
            // the run records the reward model's precision (absent when float32, the default)
            JsonNode settings = Json.readObject(out.resolve("manifest.json")).get("config").get("reward_settings");
            if (p.equals("fp32")) assertTrue(settings == null, "fp32: no reward_settings, got " + settings);
            else assertEquals("BF16", settings.get("model:" + RM).get("precision").asText(), String.valueOf(settings));
        }
        // same seed, same float32 policy: the first step scores the same completions, so its mean reward differs by the
        // reward model's bf16 rounding only (nonzero, and within the tolerance)
        double d = Math.abs(first[0].get(key).asDouble() - first[1].get(key).asDouble());
        System.out.printf("grpo --reward-precision bf16 vs fp32: first-step %s differs by %.4f%n", key, d);
        assertTrue(d > 0 && d < TOL, first[0] + " vs " + first[1]);

        String err = LmCommandsTest.runCapturing(2, "train", "grpo", "--model", f.resolve("llama/policy").toString(), "--prompts", prompts.toString(),
                "--reward", "model:" + RM, "--out", tmp.resolve("x").toString(), "--reward-precision", "fp8");
        assertTrue(err.contains("--reward-precision must be fp32, fp16 or bf16, got fp8"), err);
        assertEquals(1, err.strip().lines().count(), err);
        Path hash = embeddingModel(tmp);
        err = LmCommandsTest.runCapturing(2, "train", "rloo", "--model", f.resolve("llama/policy").toString(), "--prompts", prompts.toString(),
                "--reward", "verifier:arithmetic", "--reward", "model:" + hash, "--out", tmp.resolve("y").toString(), "--reward-precision", "bf16");
        assertTrue(err.startsWith("prefer: reward spec 'model:" + hash + "': precision bf16: "), err);
        assertEquals(1, err.strip().lines().count(), err);
    }
}
