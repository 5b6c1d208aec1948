package dev.prefer.serve;

import dev.prefer.data.DataException;
import dev.prefer.serve.Records.Item;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class CampaignImportTest {

    @TempDir
    Path tmp;

    Path file(String... lines) throws Exception {
        Path p = tmp.resolve("p" + System.nanoTime() + ".jsonl");
        Files.write(p, List.of(lines));
        return p;
    }

    @Test
    void readsItemsKeepingMetadataAndGold() throws Exception {
        List<Item> items = CampaignImport.read(file(
                "{\"prompt\": \"Hi\", \"responses\": {\"a\": \"x\", \"b\": \"y\"}, \"gold\": \"b\", \"lang\": \"en\", \"tags\": [1, 2]}",
                "",
                "{\"prompt\": \"Yo\", \"responses\": {\"a\": \"x\", \"b\": \"y\", \"c\": \"z\"}}"));
        assertEquals(2, items.size());
        assertEquals("b", items.get(0).gold());
        assertEquals(Map.of("lang", "en", "tags", List.of(1, 2)), items.get(0).metadata());
        assertEquals(1, items.get(0).lineNo());
        assertEquals(3, items.get(1).lineNo(), "line numbers count blank lines");
        assertEquals(List.of("a", "b", "c"), List.copyOf(items.get(1).responses().keySet()));
    }

    @Test
    void badRowsNameFileLineAndField() throws Exception {
        assertError("missing", "responses", file("{\"prompt\": \"Hi\"}"));
        assertError("at least 2 systems", "responses", file("{\"prompt\": \"Hi\", \"responses\": {\"a\": \"x\"}}"));
        assertError("expected a string", "responses.b", file("{\"prompt\": \"Hi\", \"responses\": {\"a\": \"x\", \"b\": 3}}"));
        assertError("expected a string", "prompt", file("{\"prompt\": 5, \"responses\": {\"a\": \"x\", \"b\": \"y\"}}"));
        assertError("names system 'c'", "gold", file("{\"prompt\": \"Hi\", \"responses\": {\"a\": \"x\", \"b\": \"y\"}, \"gold\": \"c\"}"));
        assertError("system name", "responses.<b>", file("{\"prompt\": \"Hi\", \"responses\": {\"a\": \"x\", \"<b>\": \"y\"}}"));
        DataException e = assertThrows(DataException.class, () -> CampaignImport.read(file(
                "{\"prompt\": \"ok\", \"responses\": {\"a\": \"x\", \"b\": \"y\"}}", "not json")));
        assertEquals(2, e.line());
        assertThrows(DataException.class, () -> CampaignImport.read(file("")));
    }

    static void assertError(String reason, String field, Path p) {
        DataException e = assertThrows(DataException.class, () -> CampaignImport.read(p));
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(1, e.line());
        assertTrue(e.getMessage().startsWith(p.toString() + ":1: field '" + field + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void specValidates() {
        assertThrows(IllegalArgumentException.class, () -> CampaignSpec.Attribute.parse("help"));
        assertThrows(IllegalArgumentException.class, () -> CampaignSpec.Attribute.parse("Help:1-5"));
        assertThrows(IllegalArgumentException.class, () -> CampaignSpec.Attribute.parse("help:5-1"));
        assertEquals(new CampaignSpec.Attribute("help", 1, 5), CampaignSpec.Attribute.parse("help:1-5"));
        assertThrows(IllegalArgumentException.class, () -> new CampaignSpec(null, null, null, null, null, 0, 0));
        assertEquals("Which response is better?", CampaignSpec.defaults().question());
    }
}
