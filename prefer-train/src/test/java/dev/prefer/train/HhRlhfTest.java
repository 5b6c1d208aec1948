package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Jsonl;
import dev.prefer.data.PreferencePair;
import dev.prefer.data.pref.LengthConfig;
import dev.prefer.data.pref.PreferenceData;
import dev.prefer.data.pref.PreferenceFormat;
import dev.prefer.data.pref.PreferenceReader;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.PromptResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ../shared/data/hh-rlhf-harmless: prompts split at the last assistant turn of the shared prefix, and a small slice
 * trained end to end on the fixture Llama with LoRA (PEFT adapter + merged model) and with full fine-tuning.
 */
class HhRlhfTest {
    static Path file() {
        Path f = Fixtures.shared().resolve("data/hh-rlhf-harmless/dev.jsonl.gz");
        if (!Files.exists(f)) throw new IllegalStateException("missing fixture " + f);
        return f;
    }

    @Test
    void loadsWithPromptsSplit() {
        PreferenceData d = PreferenceReader.read(file());
        assertEquals(PreferenceFormat.IMPLICIT_PROMPT, d.format());
        assertEquals(1156, d.pairs().size()); // docs/preference-data.md: 1,156 pairs, 0 bad rows
        assertEquals(0, d.skipped());
        for (PreferencePair p : d.pairs()) {
            assertTrue(p.prompt().endsWith("\n\nAssistant:"), p.source().toString());
            assertTrue(p.prompt().startsWith("\n\nHuman:"), p.source().toString());
        }
    }

    static Path slice(Path tmp, int n) throws Exception {
        List<String> lines = new ArrayList<>();
        try (var r = Jsonl.open(file())) {
            String l;
            while (lines.size() < n && (l = r.readLine()) != null) lines.add(l);
        }
        Path out = tmp.resolve("hh-slice.jsonl");
        Files.write(out, lines);
        return out;
    }

    @Test
    void trainsSmallSliceWithLoraAndFull(@TempDir Path tmp) throws Exception {
        Path data = slice(tmp, 16);
        TrainConfig base = TrainConfig.defaults(TrainConfig.Task.PREFERENCE, Fixtures.hfTiny("llama", "policy"), data, tmp.resolve("full"))
                .withCacheDir(tmp.resolve("cache")).withBatch(4, 1).withSteps(3, 1).withLearningRate(1e-3)
                .withLength(LengthConfig.truncate(48, 96)).withEval(null, 0.25);
        Trainer.TrainResult full = Trainer.run(base, null);
        Trainer.TrainResult lora = Trainer.run(base.withOut(tmp.resolve("lora")).withLora(TrainConfig.LoraConfig.defaults()), null);
        for (Trainer.TrainResult r : List.of(full, lora)) {
            assertTrue(Double.isFinite(((Number) r.lastMetrics().get("loss")).doubleValue()));
            assertTrue(r.evalMetrics().containsKey("eval/ranking_accuracy"));
            assertTrue(r.evalMetrics().containsKey("eval/alignment_gap"));
        }
        assertTrue(Files.exists(tmp.resolve("lora/adapter_config.json")));
        assertTrue(Files.exists(tmp.resolve("lora/adapter_model.safetensors")));
        JsonNode manifest = dev.prefer.data.Json.MAPPER.readTree(tmp.resolve("full/manifest.json").toFile());
        assertEquals(12, manifest.get("config").get("train_groups").asInt());
        assertTrue(manifest.get("inputs").get("data").asText().startsWith("sha256:"));
        // the outputs load as ordinary Hugging Face folders
        for (Path m : List.of(tmp.resolve("full"), tmp.resolve("lora/merged"))) {
            try (CausalLM lm = CausalLM.load(m)) {
                assertTrue(Double.isFinite(lm.logps(List.of(new PromptResponse("\n\nHuman: hi\n\nAssistant:", " hello"))).get(0).sum()));
            }
        }
    }

    /** The larger version: 256 pairs, 32 steps of LoRA DPO and of full fine-tuning with evaluation (slow tier). */
    @Test
    @org.junit.jupiter.api.Tag("slow")
    void trainsLargerSlice(@TempDir Path tmp) throws Exception {
        Path data = slice(tmp, 256);
        TrainConfig base = TrainConfig.defaults(TrainConfig.Task.PREFERENCE, Fixtures.hfTiny("llama", "policy"), data, tmp.resolve("full"))
                .withCacheDir(tmp.resolve("cache")).withBatch(4, 2).withSteps(32, 1).withLearningRate(5e-4)
                .withLength(LengthConfig.truncate(64, 128)).withEval(null, 0.1).withEvery(4, 16, 16);
        for (TrainConfig c : List.of(base, base.withOut(tmp.resolve("lora")).withLora(TrainConfig.LoraConfig.defaults()))) {
            Trainer.TrainResult r = Trainer.run(c, null);
            List<JsonNode> rows = Fixtures.metrics(c.out());
            assertTrue(rows.get(rows.size() - 1).get("loss").asDouble() < rows.get(0).get("loss").asDouble(), c.out().toString());
            assertTrue(r.evalMetrics().containsKey("eval/alignment_gap"));
        }
    }
}
