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
                f.resolve("pairs.jsonl").toString(), "--out", tmp.resolve("x").toString(), "--precision", "fp8");
        assertTrue(err.contains("--precision"), err);
    }

    /**
     * bf16 LoRA-DPO: the base (a bfloat16 checkpoint) stays bfloat16, 5 steps move the log-probs, the adapter and the merged
     * model (saved back as bfloat16) load again; and full fine-tuning with bfloat16 products over float32 masters runs.
     */
    @org.junit.jupiter.api.Test
    void bf16LoraDpoTrainsAndSavesBf16(@TempDir Path tmp) throws Exception {
        Path f = LmCommandsTest.fixtures();
        Path model = tmp.resolve("bf16-model");
        try (CausalLM lm = CausalLM.load(f.resolve("qwen2/policy"))) {
            lm.save(model, dev.prefer.lm.io.DType.BF16);
        }
        Path out = tmp.resolve("run");
        LmCommandsTest.runCapturing(0, "train", "dpo", "--model", model.toString(), "--data", f.resolve("pairs.jsonl").toString(),
                "--out", out.toString(), "--max-steps", "5", "--batch-size", "4", "--learning-rate", "2e-2", "--lora", "--lora-rank", "4",
                "--precision", "bf16", "--cache-dir", tmp.resolve("cache").toString());
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(5, metrics.size());
        for (String m : metrics) assertTrue(Double.isFinite(Json.MAPPER.readTree(m).get("loss").asDouble()), m);
        for (var e : dev.prefer.lm.io.SafeTensors.readHeader(out.resolve("merged/model.safetensors")).entries()) {
            assertEquals(dev.prefer.lm.io.DType.BF16, e.dtype(), e.name());
        }
        List<PromptResponse> data = List.of(new PromptResponse("The cat", " sat on the mat."));
        double base, adapted, merged;
        try (CausalLM lm = CausalLM.load(model, dev.prefer.lm.Precision.BF16)) {
            base = lm.logps(data).get(0).sum();
            try (Lora lora = Lora.load(lm, out)) {
                adapted = lm.logps(data).get(0).sum();
            }
        }
        assertTrue(Math.abs(adapted - base) > 1e-2, "5 bf16 LoRA steps left the log-prob where it was: " + base + " -> " + adapted);
        try (CausalLM lm = CausalLM.load(out.resolve("merged"), dev.prefer.lm.Precision.BF16)) {
            merged = lm.logps(data).get(0).sum();
        }
        // the merged weights are W + s B A rounded to bfloat16 (as PEFT's merge into a bfloat16 base): derived on the host
        var baseT = dev.prefer.lm.io.SafeTensors.read(model.resolve("model.safetensors"));
        var mergedT = dev.prefer.lm.io.SafeTensors.read(out.resolve("merged/model.safetensors"));
        var adapterT = dev.prefer.lm.io.SafeTensors.read(out.resolve("adapter_model.safetensors"));
        var cfg = Json.MAPPER.readTree(Files.readString(out.resolve("adapter_config.json")));
        double scale = cfg.get("lora_alpha").asDouble() / cfg.get("r").asInt();
        int modules = 0, exact = 0, total = 0;
        for (String key : adapterT.keySet()) {
            if (!key.endsWith(".lora_A.weight")) continue;
            String module = key.substring("base_model.model.".length(), key.length() - ".lora_A.weight".length());
            var a = adapterT.get(key);
            var b = adapterT.get(key.replace("lora_A", "lora_B"));
            float[] w = baseT.get(module + ".weight").data(), got = mergedT.get(module + ".weight").data();
            int r = (int) a.shape()[0], in = (int) a.shape()[1], outDim = (int) b.shape()[0];
            for (int o = 0; o < outDim; o++) {
                for (int i = 0; i < in; i++) {
                    double d = 0;
                    for (int k = 0; k < r; k++) d += (double) b.data()[o * r + k] * a.data()[k * in + i];
                    double want = w[o * in + i] + scale * d;
                    float rounded = dev.prefer.lm.io.HalfFloats.bf16ToFloat(dev.prefer.lm.io.HalfFloats.floatToBf16((float) want));
                    float g = got[o * in + i];
                    // the engine forms s B A in float32 and rounds W + that once: the host's double may round the other way
                    assertEquals(want, g, Math.abs(want) * Math.scalb(1.0, -8) + 1e-30, module + "[" + o + "," + i + "]");
                    exact += g == rounded ? 1 : 0;
                    total++;
                }
            }
            modules++;
        }
        assertTrue(modules > 0 && exact > 0.95 * total, exact + " of " + total + " merged weights are the rounded W + s B A");
        System.out.printf("bf16 LoRA: log-prob %.4f (base) -> %.4f (adapter) -> %.4f (merged into bfloat16)%n", base, adapted, merged);

        Path full = tmp.resolve("full");
        LmCommandsTest.runCapturing(0, "train", "dpo", "--model", model.toString(), "--data", f.resolve("pairs.jsonl").toString(),
                "--out", full.toString(), "--max-steps", "2", "--batch-size", "2", "--learning-rate", "1e-3", "--precision", "bf16",
                "--cache-dir", tmp.resolve("cache").toString());
        for (String m : Files.readAllLines(full.resolve("metrics.jsonl"))) assertTrue(Double.isFinite(Json.MAPPER.readTree(m).get("loss").asDouble()), m);
        for (var e : dev.prefer.lm.io.SafeTensors.readHeader(full.resolve("model.safetensors")).entries()) {
            assertEquals(dev.prefer.lm.io.DType.BF16, e.dtype(), e.name());
        }
    }
}
