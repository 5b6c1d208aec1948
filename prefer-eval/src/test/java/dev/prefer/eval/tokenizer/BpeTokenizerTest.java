package dev.prefer.eval.tokenizer;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.lm.tokenizer.BpeTokenizer;
import dev.prefer.lm.tokenizer.BpeTrainer;
import dev.prefer.eval.tasks.ArithmeticTask;
import dev.prefer.eval.tasks.CountingTask;
import dev.prefer.eval.tasks.FormatTask;
import dev.prefer.eval.tasks.Problem;
import dev.prefer.eval.tasks.TaskData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTokenizerTest {

    static Path shared() {
        String s = System.getProperty("prefer.shared");
        assertNotNull(s, "system property prefer.shared is not set (surefire sets it)");
        return Path.of(s);
    }

    /** The fixture texts: unicode, emoji, tabs, newlines, long repeats. */
    static List<String> fixtureTexts() throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(shared().resolve("fixtures/hf-tiny/pairs.jsonl"))) {
            if (line.isBlank()) continue;
            JsonNode r = Json.MAPPER.readTree(line);
            out.add(r.get("prompt").asText());
            out.add(r.get("chosen").asText());
            out.add(r.get("rejected").asText());
        }
        return out;
    }

    /** Prompts and references of all three tasks. */
    static List<String> taskTexts(int perTask) {
        List<String> out = new ArrayList<>();
        List<dev.prefer.eval.tasks.VerifiableTask<? extends Problem>> tasks = List.of(ArithmeticTask.defaults(), FormatTask.defaults(), CountingTask.defaults());
        for (dev.prefer.eval.tasks.VerifiableTask<? extends Problem> task : tasks) {
            TaskData<? extends Problem> d = TaskData.generate(task, new TaskData.Config(perTask, perTask / 4, 0));
            for (Problem p : d.train()) {
                out.add(p.prompt());
                out.add(p.reference());
            }
            for (Problem p : d.heldOut()) {
                out.add(p.prompt());
                out.add(p.reference());
            }
        }
        return out;
    }

    @Test
    void reproducesTransformersIdsOnTheFixtureTokenizer() throws Exception {
        // expected.json holds the ids transformers computed: prompt ids, and response ids + [eos = 0].
        for (String arch : List.of("gpt2", "llama", "qwen2")) {
            Path dir = shared().resolve("fixtures/hf-tiny/" + arch);
            BpeTokenizer tok = BpeTokenizer.load(dir.resolve("policy/tokenizer.json"));
            assertEquals(0, tok.specialId("<|endoftext|>"));
            JsonNode expected = Json.MAPPER.readTree(dir.resolve("expected.json").toFile());
            List<String> lines = Files.readAllLines(shared().resolve("fixtures/hf-tiny/pairs.jsonl")).stream().filter(l -> !l.isBlank()).toList();
            JsonNode examples = expected.get("examples");
            assertEquals(lines.size(), examples.size());
            for (int i = 0; i < lines.size(); i++) {
                JsonNode row = Json.MAPPER.readTree(lines.get(i));
                JsonNode ex = examples.get(i);
                assertArrayEquals(ids(ex.get("prompt_ids"), 0), tok.encode(row.get("prompt").asText()), arch + " prompt " + i);
                assertArrayEquals(ids(ex.get("chosen_ids"), 1), tok.encode(row.get("chosen").asText()), arch + " chosen " + i);
                assertArrayEquals(ids(ex.get("rejected_ids"), 1), tok.encode(row.get("rejected").asText()), arch + " rejected " + i);
                assertEquals(row.get("chosen").asText(), tok.decode(tok.encode(row.get("chosen").asText()), true));
            }
        }
    }

    private static int[] ids(JsonNode arr, int dropLast) {
        int[] a = new int[arr.size() - dropLast];
        for (int i = 0; i < a.length; i++) a[i] = arr.get(i).asInt();
        return a;
    }

    @Test
    void handDerivedTraining() {
        // Corpus "aaab aab" -> pre-tokens "aaab", "Ġaab". Pair counts: (a,a) 3, (a,b) 2, (Ġ,a) 1 -> merge a+a.
        // Then every pair occurs once; ties go to the smallest (left, right): (a,b), (aa,ab), (aa,b), (Ġ,aab).
        BpeTokenizer t = new BpeTrainer(1000, 1, List.of("<|endoftext|>")).train(List.of("aaab aab"));
        List<String> merges = t.merges().stream().map(m -> m[0] + " " + m[1]).toList();
        assertEquals(List.of("a a", "a b", "aa ab", "aa b", "Ġ aab"), merges);
        assertEquals(257, t.vocab().get("aa"));
        assertEquals(261, t.vocab().get("Ġaab"));
        assertEquals(262, t.vocabSize());
        assertArrayEquals(new int[] {259, 261}, t.encode("aaab aab"));
        // With the default minimum frequency 2 only the first merge is made.
        assertEquals(1, BpeTrainer.of(1000).train(List.of("aaab aab")).merges().size());
        // The byte alphabet: id 1 is '!', id 0 the special token.
        assertEquals(1, t.vocab().get("!"));
        assertEquals(0, t.vocab().get("<|endoftext|>"));
    }

    @Test
    void trainedTokenizerIsStandardAndAgreesWithTheTokenizersLibrary(@TempDir Path dir) throws Exception {
        List<String> corpus = taskTexts(400);
        BpeTokenizer mine = BpeTrainer.of(512).train(corpus);
        assertEquals(512, mine.vocabSize());
        mine.save(dir, 128);

        // Deterministic: training again gives the same file.
        Path again = Files.createDirectory(dir.resolve("again"));
        BpeTrainer.of(512).train(corpus).save(again, 128);
        assertEquals(Files.readString(dir.resolve("tokenizer.json")), Files.readString(again.resolve("tokenizer.json")));

        JsonNode cfg = Json.MAPPER.readTree(dir.resolve("tokenizer_config.json").toFile());
        assertEquals("<|endoftext|>", cfg.get("eos_token").asText());
        assertEquals("<|endoftext|>", cfg.get("pad_token").asText());
        assertEquals("<|endoftext|>", cfg.get("bos_token").asText());
        assertEquals(128, cfg.get("model_max_length").asInt());

        List<String> texts = new ArrayList<>(corpus);
        texts.addAll(fixtureTexts()); // text the tokenizer never saw: falls back to bytes
        texts.add("");
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"), Map.of("addSpecialTokens", "false"))) {
            BpeTokenizer reloaded = BpeTokenizer.load(dir.resolve("tokenizer.json"));
            for (String text : texts) {
                Encoding e = hf.encode(text, false, false);
                int[] theirs = Arrays.stream(e.getIds()).mapToInt(x -> (int) x).toArray();
                int[] ours = mine.encode(text);
                assertArrayEquals(theirs, ours, "ids of \"" + text + "\"");
                assertArrayEquals(ours, reloaded.encode(text));
                assertEquals(text, hf.decode(e.getIds(), true), "library round trip");
                assertEquals(text, mine.decode(ours, true), "our round trip");
            }
            // eos as id 0, and decoding keeps or skips it
            long[] withEos = {mine.encode("12+35=")[0], 0};
            assertEquals(mine.decode(new int[] {(int) withEos[0]}, true), hf.decode(withEos, true));
            assertTrue(mine.decode(new int[] {(int) withEos[0], 0}, false).endsWith("<|endoftext|>"));
        }
        // The task texts compress well: fewer tokens than bytes.
        long bytes = 0, tokens = 0;
        for (String t : corpus) {
            bytes += t.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            tokens += mine.encode(t).length;
        }
        assertTrue(tokens < bytes / 2, "tokens " + tokens + " vs bytes " + bytes);
    }

    @Test
    void badFilesAreLocatedErrors(@TempDir Path dir) throws Exception {
        DataException missing = assertThrows(DataException.class, () -> BpeTokenizer.load(dir.resolve("nope.json")));
        assertTrue(missing.getMessage().contains("nope.json"));
        Files.writeString(dir.resolve("wp.json"), "{\"model\": {\"type\": \"WordPiece\"}}");
        DataException wp = assertThrows(DataException.class, () -> BpeTokenizer.load(dir.resolve("wp.json")));
        assertEquals("model.type", wp.field());
    }

    @Test
    void validation() {
        assertThrows(IllegalArgumentException.class, () -> BpeTrainer.of(100));
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(300, 0, List.of("<|endoftext|>")));
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(300, 2, List.of()));
    }
}
