package dev.prefer.data.pref;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreferenceStatsTest {

    @Test
    void countsOfTheHfTinyPairs() {
        Map<String, Object> s = PreferenceStats.of(PreferenceReader.read(PreferenceReaderTest.SHARED.resolve("fixtures/hf-tiny/pairs.jsonl")));
        assertEquals(10L, s.get("rows"));
        assertEquals(10, s.get("pairs"));
        // pairs.jsonl (read by eye): one identical pair (" 7" / " 7"), 10 distinct prompts, no empty texts.
        assertEquals(1, s.get("identical_chosen_rejected"));
        assertEquals(10, s.get("distinct_prompts"));
        assertEquals(0, s.get("empty_chosen"));
    }

    @Test
    void listsAndUnpairedAreCounted(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("r.jsonl");
        Files.writeString(f, "{\"prompt\":\"p\",\"responses\":[\"a\",\"b\",\"c\"],\"scores\":[1,1,0]}\n"
                + "{\"prompt\":\"p\",\"responses\":[\"a\",\"b\"],\"ranking\":[1,0]}\n");
        Map<String, Object> s = PreferenceStats.of(PreferenceReader.read(f));
        assertEquals(2, s.get("lists"));
        assertEquals(1, s.get("lists_with_tied_scores"));
        assertEquals(Map.of("min", 2, "median", 3, "max", 3), s.get("responses_per_list"));
        Path u = dir.resolve("u.jsonl");
        Files.writeString(u, "{\"prompt\":\"p\",\"completion\":\"a\",\"label\":true}\n{\"prompt\":\"p\",\"completion\":\"b\",\"label\":false}\n"
                + "{\"prompt\":\"q\",\"completion\":\"c\",\"label\":true}\n");
        Map<String, Object> su = PreferenceStats.of(PreferenceReader.read(u));
        assertEquals(2L, su.get("desirable"));
        assertEquals(1L, su.get("undesirable"));
    }
}
