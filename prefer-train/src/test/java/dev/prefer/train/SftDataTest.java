package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.data.pref.LengthConfig;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.PromptResponse;
import dev.prefer.lm.TokenizedSequence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SFT rows: conversational rows rendered with the model's chat template, prompt masked; bad rows located. */
class SftDataTest {
    static final String TEMPLATE = "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}"
            + "{% if add_generation_prompt %}<|assistant|>{% endif %}";

    /** A copy of the GPT-2 fixture whose tokenizer_config.json carries a small chat template. */
    static Path modelWithTemplate(Path tmp) throws Exception {
        Path src = Fixtures.hfTiny("gpt2", "policy"), dst = tmp.resolve("gpt2-chat");
        Files.createDirectories(dst);
        try (var s = Files.list(src)) {
            for (Path f : s.toList()) Files.copy(f, dst.resolve(f.getFileName()));
        }
        ObjectNode cfg = (ObjectNode) Json.MAPPER.readTree(dst.resolve("tokenizer_config.json").toFile());
        cfg.put("chat_template", TEMPLATE);
        Files.writeString(dst.resolve("tokenizer_config.json"), Json.pretty(cfg));
        return dst;
    }

    @Test
    void conversationalRowsSplitAtTheLastAssistantTurn(@TempDir Path tmp) throws Exception {
        Path model = modelWithTemplate(tmp);
        Path data = tmp.resolve("chat.jsonl");
        Files.write(data, List.of(
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"hello\"}]}",
                "{\"prompt\": \"Q: 1+1=\", \"completion\": \" 2\"}"));
        try (CausalLM lm = CausalLM.load(model)) {
            List<TrainExample> ex = TrainData.sft(data, lm, LengthConfig.UNLIMITED, false).examples();
            assertEquals(2, ex.size());
            // by hand from the template: prompt "<|user|>hi\n<|assistant|>", completion "hello\n"
            TokenizedSequence want = lm.tokenize(new PromptResponse("<|user|>hi\n<|assistant|>", "hello\n"));
            assertArrayEquals(want.promptIds(), ex.get(0).prompt());
            assertArrayEquals(want.responseIds(), ex.get(0).responses().get(0));
            TokenizedSequence plain = lm.tokenize(new PromptResponse("Q: 1+1=", " 2"));
            assertArrayEquals(plain.responseIds(), ex.get(1).responses().get(0));
        }
        Trainer.TrainResult r = Trainer.run(TrainConfig.defaults(TrainConfig.Task.SFT, model, data, tmp.resolve("out"))
                .withBatch(2, 1).withSteps(2, 1).withLearningRate(1e-3), null);
        assertTrue(Double.isFinite(((Number) r.lastMetrics().get("loss")).doubleValue()));
    }

    @Test
    void badRowNamesFileLineAndField(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("bad.jsonl");
        Files.write(data, List.of("{\"prompt\": \"a\", \"completion\": \" b\"}", "{\"prompt\": \"a\"}"));
        try (CausalLM lm = CausalLM.load(Fixtures.hfTiny("gpt2", "policy"))) {
            DataException e = assertThrows(DataException.class, () -> TrainData.sft(data, lm, LengthConfig.UNLIMITED, false));
            assertTrue(e.getMessage().contains("bad.jsonl:2") && e.getMessage().contains("completion"), e.getMessage());
            assertEquals(1, TrainData.sft(data, lm, LengthConfig.UNLIMITED, true).examples().size());
        }
    }
}
