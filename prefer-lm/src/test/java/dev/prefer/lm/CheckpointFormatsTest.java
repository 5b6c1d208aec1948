package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefer.data.Json;
import dev.prefer.lm.io.DType;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sharded checkpoints, GPT-2 names without the {@code transformer.} prefix, and tokenizer_config extras. */
class CheckpointFormatsTest {

    @Test
    void shardedAndUnprefixedCheckpointsGiveTheSameNumbers(@TempDir Path tmp) throws Exception {
        Path src = Fixtures.model("gpt2", "policy");
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) Files.copy(src.resolve(f), tmp.resolve(f));
        LinkedHashMap<String, HostTensor> all = SafeTensors.read(src.resolve("model.safetensors"));
        // two shards, names as the original openai-community/gpt2 checkpoint stores them (no "transformer." prefix)
        Map<String, HostTensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
        ObjectNode index = Json.MAPPER.createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        int i = 0;
        for (Map.Entry<String, HostTensor> e : all.entrySet()) {
            String name = e.getKey().replaceFirst("^transformer\\.", "");
            HostTensor t = e.getValue();
            String shard = (i++ % 2 == 0) ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
            (shard.startsWith("model-00001") ? a : b).put(name, new HostTensor(name, t.storedAs(), t.shape(), t.data()));
            map.put(name, shard);
        }
        SafeTensors.write(tmp.resolve("model-00001-of-00002.safetensors"), a, Map.of("format", "pt"), DType.F32);
        SafeTensors.write(tmp.resolve("model-00002-of-00002.safetensors"), b, Map.of("format", "pt"), DType.F32);
        Files.writeString(tmp.resolve("model.safetensors.index.json"), index.toString());
        List<PromptResponse> data = Fixtures.chosenThenRejected();
        try (CausalLM original = CausalLM.load(src); CausalLM sharded = CausalLM.load(tmp)) {
            List<SequenceLogps> x = original.logps(data), y = sharded.logps(data);
            for (int k = 0; k < data.size(); k++) assertArrayEquals(x.get(k).tokenLogps(), y.get(k).tokenLogps(), 0.0);
        }
    }

    @Test
    void specialTokensAndChatTemplateComeFromTokenizerConfig(@TempDir Path tmp) throws Exception {
        Path src = Fixtures.model("qwen2", "policy");
        try (LmTokenizer t = LmTokenizer.load(src, ModelConfig.read(src.resolve("config.json")))) {
            assertEquals("<|endoftext|>", t.specialTokens().eos());
            assertEquals(0, t.specialTokens().eosId());
            assertEquals(0, t.specialTokens().padId());
            assertNull(t.chatTemplate());
            assertEquals("Café", t.decode(t.encode("Café"), true));
        }
        Files.copy(src.resolve("tokenizer.json"), tmp.resolve("tokenizer.json"));
        ObjectNode cfg = (ObjectNode) Json.MAPPER.readTree(Files.readString(src.resolve("tokenizer_config.json")));
        cfg.putObject("eos_token").put("content", "<|endoftext|>");
        cfg.put("chat_template", "{% for m in messages %}{{ m['content'] }}{% endfor %}");
        Files.writeString(tmp.resolve("tokenizer_config.json"), cfg.toString());
        try (LmTokenizer t = LmTokenizer.load(tmp, null)) {
            assertEquals("{% for m in messages %}{{ m['content'] }}{% endfor %}", t.chatTemplate());
            assertEquals("<|endoftext|>", t.specialTokens().eos());
            assertEquals(0, t.specialTokens().eosId()); // looked up in the vocabulary when no config gives the id
        }
    }
}
