package dev.prefer.cli;

import static dev.prefer.cli.LmCommandsTest.fixtures;
import static dev.prefer.cli.LmCommandsTest.runCapturing;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefer.data.Json;
import dev.prefer.lm.CausalLM;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prefer generate --prompts FILE --n K --out FILE}: JSONL in and out, seeds, chat templates, stop strings, errors. */
class GenerateBatchCommandTest {

    static List<JsonNode> lines(Path f) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(f)) if (!l.isBlank()) out.add(Json.MAPPER.readTree(l));
        return out;
    }

    static long[] longs(JsonNode a) {
        long[] o = new long[a.size()];
        for (int i = 0; i < o.length; i++) o[i] = a.get(i).asLong();
        return o;
    }

    @Test
    void greedyJsonlMatchesTransformersForEveryPromptAndSample(@TempDir Path tmp) throws Exception {
        JsonNode greedy = Json.MAPPER.readTree(Files.readString(fixtures().resolve("gpt2/expected.json"))).get("greedy");
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < greedy.size(); i++) {
            in.append(Json.line(java.util.Map.of("prompt", greedy.get(i).get("prompt").asText(), "id", "p" + i))).append('\n');
            if (i == 0) in.append('\n'); // blank lines are skipped
        }
        Path prompts = Files.writeString(tmp.resolve("prompts.jsonl"), in.toString());
        Path out = tmp.resolve("out.jsonl");
        runCapturing(0, "generate", "--model", fixtures().resolve("gpt2/policy").toString(), "--prompts", prompts.toString(),
                "--n", "2", "--greedy", "--max-new-tokens", "16", "--max-batch", "4", "--out", out.toString());
        List<JsonNode> rows = lines(out);
        assertEquals(2 * greedy.size(), rows.size());
        for (int r = 0; r < rows.size(); r++) {
            JsonNode row = rows.get(r), g = greedy.get(r / 2);
            assertEquals("p" + (r / 2), row.get("id").asText());
            assertEquals(r % 2, row.get("sample").asInt());
            assertEquals(r / 2 == 0 ? 1 : r / 2 + 2, row.get("line").asInt(), "file line numbers (a blank line after the first)");
            assertArrayEquals(longs(g.get("prompt_ids")), longs(row.get("prompt_ids")));
            assertArrayEquals(longs(g.get("greedy_new_ids")), longs(row.get("token_ids")));
            assertEquals(16, row.get("logps").size());
            for (JsonNode lp : row.get("logps")) assertTrue(lp.asDouble() <= 0);
            assertEquals("length", row.get("finish_reason").asText());
            assertTrue(row.get("text").isTextual());
        }
        JsonNode manifest = Json.MAPPER.readTree(Files.readString(tmp.resolve("out.jsonl.manifest.json")));
        assertEquals("generate", manifest.get("kind").asText());
        assertEquals(2, manifest.get("config").get("samples_per_prompt").asInt());
        assertTrue(manifest.get("inputs").get("prompts").asText().startsWith("sha256:"));
    }

    @Test
    void aPromptsSamplesDoNotDependOnTheRestOfTheFile(@TempDir Path tmp) throws Exception {
        String model = fixtures().resolve("llama/policy").toString();
        Path both = Files.writeString(tmp.resolve("both.jsonl"), "{\"prompt\":\"the cat\",\"seed\":5}\n{\"prompt\":\"Q: 5+5=\",\"seed\":6}\n");
        Path one = Files.writeString(tmp.resolve("one.jsonl"), "{\"prompt\":\"Q: 5+5=\",\"seed\":6}\n");
        String[] common = {"--n", "3", "--temperature", "1.1", "--top-p", "0.95", "--min-p", "0.02", "--max-new-tokens", "12"};
        List<String> a = new ArrayList<>(List.of("generate", "--model", model, "--prompts", both.toString(), "--out", tmp.resolve("a.jsonl").toString()));
        a.addAll(List.of(common));
        runCapturing(0, a.toArray(String[]::new));
        List<String> b = new ArrayList<>(List.of("generate", "--model", model, "--prompts", one.toString(), "--out", tmp.resolve("b.jsonl").toString()));
        b.addAll(List.of(common));
        runCapturing(0, b.toArray(String[]::new));
        List<JsonNode> ra = lines(tmp.resolve("a.jsonl")), rb = lines(tmp.resolve("b.jsonl"));
        assertEquals(6, ra.size());
        assertEquals(3, rb.size());
        boolean differ = false;
        for (int k = 0; k < 3; k++) {
            assertEquals(ra.get(3 + k).get("token_ids"), rb.get(k).get("token_ids"), "sample " + k + " of the second prompt");
            assertEquals(ra.get(3 + k).get("text"), rb.get(k).get("text"));
            differ |= !ra.get(3 + k).get("token_ids").equals(ra.get(3).get("token_ids"));
        }
        assertTrue(differ, "the K samples differ");
        // line 1 of a file without seeds samples as --prompt with the same --seed does
        Path plain = Files.writeString(tmp.resolve("plain.jsonl"), "{\"prompt\":\"Q: 5+5=\"}\n{\"prompt\":\"the cat\"}\n");
        runCapturing(0, "generate", "--model", model, "--prompts", plain.toString(), "--out", tmp.resolve("c.jsonl").toString(),
                "--seed", "11", "--temperature", "1.1", "--max-new-tokens", "12");
        String single = runCapturing(0, "generate", "--model", model, "--prompt", "Q: 5+5=", "--seed", "11", "--temperature", "1.1",
                "--max-new-tokens", "12", "--json");
        assertEquals(Json.MAPPER.readTree(single.strip()).get("new_ids"), lines(tmp.resolve("c.jsonl")).get(0).get("token_ids"));
    }

    @Test
    void chatTemplateOfTheModelRendersThePrompt(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        try (var files = Files.list(fixtures().resolve("gpt2/policy"))) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, model.resolve(f.getFileName()));
        }
        ObjectNode cfg = (ObjectNode) Json.MAPPER.readTree(Files.readString(model.resolve("tokenizer_config.json")));
        cfg.put("chat_template", "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}");
        Files.writeString(model.resolve("tokenizer_config.json"), Json.pretty(cfg));
        Path prompts = Files.writeString(tmp.resolve("p.jsonl"),
                "{\"prompt\":\"the cat\"}\n{\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"Q: 5+5=\"}]}\n");
        Path out = tmp.resolve("o.jsonl");
        runCapturing(0, "generate", "--model", model.toString(), "--prompts", prompts.toString(), "--chat", "--greedy",
                "--max-new-tokens", "4", "--out", out.toString());
        List<JsonNode> rows = lines(out);
        try (CausalLM lm = CausalLM.load(model)) {
            assertArrayEquals(lm.encodePrompt("<user>the cat\n<assistant>"), longs(rows.get(0).get("prompt_ids")));
            assertArrayEquals(lm.encodePrompt("<system>be brief\n<user>Q: 5+5=\n<assistant>"), longs(rows.get(1).get("prompt_ids")));
        }
        // a conversation without --chat, and --chat on a checkpoint without a template: one-line errors
        String err = runCapturing(2, "generate", "--model", model.toString(), "--prompts", prompts.toString(), "--out", out.toString());
        assertTrue(err.contains("p.jsonl:2") && err.contains("messages") && err.contains("--chat"), err);
        err = runCapturing(2, "generate", "--model", fixtures().resolve("gpt2/policy").toString(), "--prompts", prompts.toString(),
                "--chat", "--out", out.toString());
        assertTrue(err.contains("tokenizer_config.json") && err.contains("chat"), err);
        assertEquals(1, err.strip().lines().count(), err);
    }

    @Test
    void stopStringsEndSamplesAndCutTheText(@TempDir Path tmp) throws Exception {
        String model = fixtures().resolve("qwen2/policy").toString();
        Path prompts = Files.writeString(tmp.resolve("p.jsonl"), "{\"prompt\":\"the cat\"}\n{\"prompt\":\"Q: 5+5=\"}\n{\"prompt\":\"hello\"}\n");
        Path full = tmp.resolve("full.jsonl"), cut = tmp.resolve("cut.jsonl");
        runCapturing(0, "generate", "--model", model, "--prompts", prompts.toString(), "--greedy", "--max-new-tokens", "16", "--out", full.toString());
        String text = lines(full).get(0).get("text").asText();
        String stop = text.substring(text.length() / 2, text.length() / 2 + 1);
        runCapturing(0, "generate", "--model", model, "--prompts", prompts.toString(), "--greedy", "--max-new-tokens", "16",
                "--stop", stop, "--out", cut.toString());
        List<JsonNode> a = lines(full), b = lines(cut);
        for (int i = 0; i < 3; i++) {
            String t = a.get(i).get("text").asText();
            if (t.contains(stop)) {
                assertEquals("stop", b.get(i).get("finish_reason").asText());
                assertTrue(t.startsWith(b.get(i).get("text").asText()));
                assertFalse(b.get(i).get("text").asText().contains(stop));
                assertTrue(b.get(i).get("token_ids").size() <= 16);
            } else {
                assertEquals(a.get(i).get("token_ids"), b.get(i).get("token_ids"));
            }
        }
        assertEquals("stop", b.get(0).get("finish_reason").asText());
    }

    @Test
    void badInputIsOneLineNamingFileAndLine(@TempDir Path tmp) throws Exception {
        String model = fixtures().resolve("gpt2/policy").toString();
        Path out = tmp.resolve("o.jsonl");
        String[][] cases = {
                {"{\"prompt\":\"a\"}\n{\"prompt\": \"b\"\n", "bad.jsonl:2", "invalid JSON"},
                {"{\"prompt\":\"a\"}\n{\"text\":\"b\"}\n", "bad.jsonl:2", "prompt"},
                {"{\"prompt\":\"a\",\"seed\":\"x\"}\n", "bad.jsonl:1", "seed"},
                {"{\"prompt\":3}\n", "bad.jsonl:1", "prompt"},
                {"[1,2]\n", "bad.jsonl:1", "object"},
                {"\n\n", "bad.jsonl", "no prompts"},
        };
        for (String[] c : cases) {
            Path bad = Files.writeString(tmp.resolve("bad.jsonl"), c[0]);
            String err = runCapturing(2, "generate", "--model", model, "--prompts", bad.toString(), "--out", out.toString());
            assertEquals(1, err.strip().lines().count(), err);
            assertTrue(err.contains(c[1]) && err.contains(c[2]), c[0] + " -> " + err);
        }
        assertFalse(Files.exists(out), "nothing written on bad input");
        String err = runCapturing(2, "generate", "--model", model, "--prompts", tmp.resolve("bad.jsonl").toString());
        assertTrue(err.contains("--out"), err);
        err = runCapturing(2, "generate", "--model", model, "--prompt", "x", "--prompts", tmp.resolve("bad.jsonl").toString());
        assertTrue(err.contains("mutually exclusive"), err);
    }
}
