package dev.prefer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.Json;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.PromptResponse;
import dev.prefer.lm.SequenceLogps;
import dev.prefer.train.Lora;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17's bar through the CLI: a llama3-rope-scaled Llama, a Qwen3 and a Gemma 3 tiny model (prefer-lm's reference
 * cases, checked there against the plain-PyTorch script) train DPO with LoRA for 10 steps; the merged folder loads back
 * (through {@code prefer logps} and the Java API) with the log-probs of the base model plus the saved adapter, and the
 * training moved them.
 */
class FamiliesTrainTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama-llama3", "qwen3-gqa", "gemma3-gqa"})
    void loraDpoTrainsSavesAndReloads(String name, @TempDir Path tmp) throws Exception {
        Path f = LmCommandsTest.fixtures();
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        Path src = Path.of("../prefer-lm/src/test/resources/families").resolve(name);
        for (String file : List.of("config.json", "model.safetensors")) Files.copy(src.resolve(file), model.resolve(file));
        for (String file : List.of("tokenizer.json", "tokenizer_config.json")) Files.copy(f.resolve("llama/policy").resolve(file), model.resolve(file));
        Path out = tmp.resolve("run");
        LmCommandsTest.runCapturing(0, "train", "dpo", "--model", model.toString(), "--data", f.resolve("pairs.jsonl").toString(),
                "--out", out.toString(), "--max-steps", "10", "--batch-size", "2", "--learning-rate", "5e-3", "--lora", "--lora-rank", "4",
                "--cache-dir", tmp.resolve("cache").toString());
        assertEquals(10, Files.readAllLines(out.resolve("metrics.jsonl")).size());
        assertTrue(Files.exists(out.resolve("adapter_model.safetensors")) && Files.exists(out.resolve("merged/model.safetensors")));

        List<PromptResponse> data = new ArrayList<>();
        for (String line : Files.readAllLines(f.resolve("pairs.jsonl"))) {
            if (line.isBlank()) continue;
            var n = Json.MAPPER.readTree(line);
            data.add(new PromptResponse(n.get("prompt").asText(), n.get("chosen").asText()));
        }
        List<SequenceLogps> base, adapted, merged;
        try (CausalLM lm = CausalLM.load(model)) {
            base = lm.logps(data);
            try (Lora lora = Lora.load(lm, out)) {
                adapted = lm.logps(data);
            }
        }
        try (CausalLM lm = CausalLM.load(out.resolve("merged"))) {
            assertEquals(name.substring(0, name.indexOf('-')).replace("gemma3", "gemma3_text"), lm.config().architecture().modelType());
            merged = lm.logps(data);
        }
        String cli = LmCommandsTest.runCapturing(0, "logps", "--model", out.resolve("merged").toString(), "--data", f.resolve("pairs.jsonl").toString());
        List<String> lines = cli.strip().lines().toList();
        assertEquals(data.size(), lines.size());
        double moved = 0;
        for (int i = 0; i < data.size(); i++) {
            // merged weights W + s B A against the adapter path x W^T + s (x A^T) B^T: float rounding only
            assertEquals(adapted.get(i).sum(), merged.get(i).sum(), 1e-4, name + " merged vs adapter " + i);
            double printed = Json.MAPPER.readTree(lines.get(i)).get("chosen_logps").asDouble();
            assertEquals(merged.get(i).sum(), printed, 1e-5, name + " prefer logps " + i);
            moved = Math.max(moved, Math.abs(merged.get(i).sum() - base.get(i).sum()));
        }
        assertTrue(moved > 1e-3, name + ": 10 LoRA steps left every log-prob where it was (max change " + moved + ")");
    }

    @org.junit.jupiter.api.Test
    void mixedPrecisionLoraDpoRuns(@TempDir Path tmp) throws Exception {
        Path f = LmCommandsTest.fixtures();
        Path out = tmp.resolve("run");
        LmCommandsTest.runCapturing(0, "train", "dpo", "--model", f.resolve("qwen2/policy").toString(), "--data", f.resolve("pairs.jsonl").toString(),
                "--out", out.toString(), "--max-steps", "3", "--batch-size", "2", "--learning-rate", "5e-3", "--lora", "--lora-rank", "4",
                "--precision", "fp16", "--cache-dir", tmp.resolve("cache").toString());
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(3, metrics.size());
        for (String m : metrics) assertTrue(Double.isFinite(Json.MAPPER.readTree(m).get("loss").asDouble()), m);
        String err = LmCommandsTest.runCapturing(2, "train", "dpo", "--model", f.resolve("qwen2/policy").toString(), "--data",
                f.resolve("pairs.jsonl").toString(), "--out", tmp.resolve("x").toString(), "--precision", "bf16");
        assertTrue(err.contains("--precision"), err);
    }
}
