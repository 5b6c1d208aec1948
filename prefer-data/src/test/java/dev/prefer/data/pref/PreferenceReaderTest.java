package dev.prefer.data.pref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.data.Jsonl;
import dev.prefer.data.PreferencePair;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreferenceReaderTest {
    static final Path SHARED = Path.of(System.getProperty("prefer.shared", "../../shared"));
    static final ChatTemplate CHATML = new ChatTemplate(
            "{% for m in messages %}{{'<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n'}}{% endfor %}"
                    + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}", Map.of());

    @TempDir Path dir;

    Path write(String name, String... lines) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    /**
     * hh-rlhf harmless-base test: 1,156 transcript pairs. Counts checked independently with Python: in 1,151 rows
     * both transcripts' own last "\n\nAssistant:" gives the same prompt; in 5 rows (lines 628, 845, 976, 977,
     * 1019) a response holds turn markers of its own, and the prompt must come from the shared prefix.
     */
    @Test
    void hhRlhfLoadsWithPromptsSplitAtTheLastSharedAssistantTurn() throws Exception {
        Path file = SHARED.resolve("data/hh-rlhf-harmless/dev.jsonl.gz");
        assertTrue(Files.isRegularFile(file), "missing fixture " + file);
        PreferenceData d = PreferenceReader.read(file);
        assertEquals(PreferenceFormat.IMPLICIT_PROMPT, d.format());
        assertEquals(1156, d.pairs().size());
        assertEquals(0, d.skipped());
        assertEquals(5, d.implicitSplitDisagreements());
        List<JsonNode> raw = new ArrayList<>();
        Jsonl.read(file, false, (line, row) -> raw.add(row));
        int emptyChosen = 0;
        for (int i = 0; i < raw.size(); i++) {
            PreferencePair p = d.pairs().get(i);
            assertTrue(p.prompt().startsWith("\n\nHuman: "), "line " + (i + 1));
            assertTrue(p.prompt().endsWith("\n\nAssistant:"), "line " + (i + 1));
            assertEquals(raw.get(i).get("chosen").asText(), p.prompt() + p.chosen());
            assertEquals(raw.get(i).get("rejected").asText(), p.prompt() + p.rejected());
            assertEquals(i + 1, p.source().line());
            if (p.chosen().isBlank()) emptyChosen++;
        }
        assertEquals(2, emptyChosen); // lines 44 and 259 end with "Assistant: " (counted with Python)
        // Line 628: the chosen response holds a turn marker of its own ("...  Human: Then how ...\n\nAssistant:  I
        // think ..."); splitting it at its own last marker would cut inside the response. Checked with Python.
        PreferencePair p628 = d.pairs().get(627);
        assertTrue(p628.prompt().endsWith("Isn't that drag kings?\n\nAssistant:"), p628.prompt());
        assertTrue(p628.chosen().startsWith(" No. Men who impersonate"), p628.chosen());
        assertTrue(p628.chosen().endsWith("\n\nAssistant:  I think they call them that because"), p628.chosen());
        assertEquals(" A drag king is the opposite of a drag queen, like a male who acts like a stereotypical woman.", p628.rejected());
    }

    @Test
    void standardFormatFromTheHfTinyFixture() {
        PreferenceData d = PreferenceReader.read(SHARED.resolve("fixtures/hf-tiny/pairs.jsonl"));
        assertEquals(PreferenceFormat.STANDARD, d.format());
        assertEquals(10, d.pairs().size());
        assertEquals(PreferencePair.of("Q: 12+7=", " 19", " 21"), withoutSource(d.pairs().get(0)));
        assertEquals(" Merci 🙂", d.pairs().get(3).chosen());
    }

    static PreferencePair withoutSource(PreferencePair p) {
        return new PreferencePair(p.prompt(), p.chosen(), p.rejected(), p.margin(), p.weight(), p.annotator(), p.attributes(), null);
    }

    @Test
    void optionalFieldsAndGzipAreRead() throws Exception {
        String rows = "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\",\"margin\":1.5,\"weight\":2,\"annotator\":\"w7\","
                + "\"attributes\":{\"helpful\":0.5},\"chosen_scores\":{\"safe\":0.9},\"rejected_scores\":{\"safe\":0.2}}\n";
        Path gz = dir.resolve("x.jsonl.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(rows.getBytes(StandardCharsets.UTF_8));
        }
        PreferencePair p = PreferenceReader.read(gz).pairs().get(0);
        assertEquals(1.5, p.margin());
        assertEquals(2.0, p.weight());
        assertEquals("w7", p.annotator());
        assertEquals(0.5, p.attributes().get("helpful"));
        assertEquals(0.9 - 0.2, p.attributes().get("safe"), 1e-15);
        assertEquals(gz + ":1", p.source().toString());
    }

    @Test
    void conversationalPairsAreRenderedWithTheChatTemplate() throws Exception {
        Path f = write("c.jsonl",
                "{\"prompt\":[{\"role\":\"user\",\"content\":\"2+2?\"}],\"chosen\":[{\"role\":\"assistant\",\"content\":\"4\"}],"
                        + "\"rejected\":[{\"role\":\"assistant\",\"content\":\"5\"}]}");
        PreferenceData d = PreferenceReader.read(f, PreferenceReader.Options.DEFAULT.withChatTemplate(CHATML));
        assertEquals(PreferenceFormat.CONVERSATIONAL, d.format());
        PreferencePair p = d.pairs().get(0);
        assertEquals("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n", p.prompt());
        assertEquals("4<|im_end|>\n", p.chosen());
        assertEquals("5<|im_end|>\n", p.rejected());
        var e = assertThrows(DataException.class, () -> PreferenceReader.read(f));
        assertEquals(f + ":1: field 'prompt': conversational rows (lists of messages) need a chat template"
                + " (the model's tokenizer_config.json)", e.getMessage());
    }

    @Test
    void implicitConversationalPromptIsTheSharedLeadingMessages() throws Exception {
        Path f = write("ic.jsonl",
                "{\"chosen\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"hello\"}],"
                        + "\"rejected\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"go away\"}]}");
        PreferenceData d = PreferenceReader.read(f, PreferenceReader.Options.DEFAULT.withChatTemplate(CHATML));
        assertEquals(PreferenceFormat.CONVERSATIONAL_IMPLICIT_PROMPT, d.format());
        assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", d.pairs().get(0).prompt());
        assertEquals("go away<|im_end|>\n", d.pairs().get(0).rejected());
    }

    @Test
    void templateErrorsAreLocated() throws Exception {
        ChatTemplate strict = new ChatTemplate("{% for m in messages %}{% if m.role == 'system' %}{{ raise_exception('no system role') }}"
                + "{% endif %}{{ m.content }}{% endfor %}", Map.of());
        Path f = write("s.jsonl", "{\"prompt\":[{\"role\":\"system\",\"content\":\"x\"}],\"chosen\":[],\"rejected\":[]}");
        var e = assertThrows(DataException.class, () -> PreferenceReader.read(f, PreferenceReader.Options.DEFAULT.withChatTemplate(strict)));
        assertEquals(f + ":1: field 'prompt': chat template: no system role", e.getMessage());
    }

    @Test
    void rankedListsWithScoresOrRanking() throws Exception {
        Path f = write("r.jsonl",
                "{\"prompt\":\"p\",\"responses\":[\"a\",\"b\",\"c\"],\"scores\":[0.1,0.9,0.5]}",
                "{\"prompt\":\"q\",\"responses\":[\"a\",\"b\",\"c\"],\"ranking\":[2,0,1],\"weight\":0.5}");
        PreferenceData d = PreferenceReader.read(f);
        assertEquals(PreferenceFormat.RANKED, d.format());
        assertArrayEquals(new double[] {0.1, 0.9, 0.5}, d.lists().get(0).scores());
        // ranking [2,0,1]: c best (score 2), then a (1), then b (0).
        assertArrayEquals(new double[] {1, 0, 2}, d.lists().get(1).scores());
        assertEquals(0.5, d.lists().get(1).weight());
        Path bad = write("rb.jsonl", "{\"prompt\":\"q\",\"responses\":[\"a\",\"b\"],\"ranking\":[0,0]}");
        var e = assertThrows(DataException.class, () -> PreferenceReader.read(bad));
        assertTrue(e.getMessage().startsWith(bad + ":1: field 'ranking': ranking must be a permutation"), e.getMessage());
    }

    @Test
    void unpairedRowsForKto() throws Exception {
        Path f = write("u.jsonl",
                "{\"prompt\":\"p\",\"completion\":\"good\",\"label\":true}",
                "{\"prompt\":\"p\",\"completion\":\"bad\",\"label\":0}");
        PreferenceData d = PreferenceReader.read(f);
        assertEquals(PreferenceFormat.UNPAIRED, d.format());
        assertTrue(d.unpaired().get(0).label());
        assertEquals(false, d.unpaired().get(1).label());
        Path bad = write("ub.jsonl", "{\"prompt\":\"p\",\"completion\":\"x\",\"label\":\"yes\"}");
        assertEquals(bad + ":1: field 'label': expected true/false (or 1/0)",
                assertThrows(DataException.class, () -> PreferenceReader.read(bad)).getMessage());
    }

    @Test
    void badRowsNameFileLineAndFieldOrAreCountedWhenSkipped() throws Exception {
        Path f = write("b.jsonl",
                "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}",
                "{\"prompt\":\"p\",\"chosen\":\"a\"}",
                "not json",
                "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\",\"weight\":-1}",
                "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":7}",
                "{\"prompt\":\"p\",\"chosen\":\"c\",\"rejected\":\"d\"}");
        var e = assertThrows(DataException.class, () -> PreferenceReader.read(f));
        assertEquals(f + ":2: field 'rejected': missing", e.getMessage());
        assertEquals(2, e.line());
        PreferenceData d = PreferenceReader.read(f, PreferenceReader.Options.DEFAULT.withSkipBadRows(true));
        assertEquals(2, d.pairs().size());
        assertEquals(4, d.skipped());
        assertEquals("rejected", d.firstSkipped().field());
        assertEquals(6, d.pairs().get(1).source().line());
    }

    @Test
    void explicitFormatOverridesDetection() throws Exception {
        Path f = write("i.jsonl", "{\"chosen\":\"\\n\\nHuman: hi\\n\\nAssistant: yo\",\"rejected\":\"\\n\\nHuman: hi\\n\\nAssistant: no\"}");
        assertEquals(PreferenceFormat.IMPLICIT_PROMPT, PreferenceReader.read(f).format());
        assertEquals("\n\nHuman: hi\n\nAssistant:", PreferenceReader.read(f).pairs().get(0).prompt());
        var e = assertThrows(DataException.class, () -> PreferenceReader.read(f, PreferenceReader.Options.DEFAULT.withFormat(PreferenceFormat.STANDARD)));
        assertEquals(f + ":1: field 'prompt': missing", e.getMessage());
        assertEquals(PreferenceFormat.IMPLICIT_PROMPT, PreferenceFormat.parse("implicit-prompt"));
        assertThrows(IllegalArgumentException.class, () -> PreferenceFormat.parse("nope"));
        Path none = write("n.jsonl", "{\"text\":\"x\"}");
        assertTrue(assertThrows(DataException.class, () -> PreferenceReader.read(none)).getMessage()
                .startsWith(none + ":1: cannot tell the preference format"));
    }

    @Test
    void implicitPromptSplitRules() {
        // Shared prompt found inside the common prefix only.
        ImplicitPrompt.Split s = ImplicitPrompt.split("\n\nHuman: a\n\nAssistant: x\n\nHuman: b\n\nAssistant: y",
                "\n\nHuman: a\n\nAssistant: z");
        assertEquals("\n\nHuman: a\n\nAssistant:", s.prompt());
        assertEquals(" x\n\nHuman: b\n\nAssistant: y", s.chosen());
        assertEquals(false, s.ownSplitAgrees());
        assertNull(ImplicitPrompt.split("\n\nHuman: a", "\n\nHuman: b"));
    }

    @Test
    void jsonHelperRoundTrip() throws Exception {
        // Rows written by Json.line read back identically.
        Path f = dir.resolve("w.jsonl");
        Files.writeString(f, Json.line(Map.of("prompt", "p\n\"q\"", "chosen", "é", "rejected", "🙂")) + "\n");
        PreferencePair p = PreferenceReader.read(f).pairs().get(0);
        assertEquals("p\n\"q\"", p.prompt());
        assertEquals("🙂", p.rejected());
    }
}
