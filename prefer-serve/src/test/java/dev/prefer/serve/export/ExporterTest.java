package dev.prefer.serve.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.serve.CampaignSpec;
import dev.prefer.data.votes.Outcome;
import dev.prefer.serve.Records.Campaign;
import dev.prefer.serve.Records.Item;
import dev.prefer.serve.Records.Vote;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Hand-built votes with their expected export rows written out by hand. */
class ExporterTest {

    static final Campaign C = new Campaign(1, "demo", CampaignSpec.defaults(), "00", 0);

    static Item item(long id, int line, String prompt, String... sysText) {
        Map<String, String> r = new LinkedHashMap<>();
        for (int i = 0; i < sysText.length; i += 2) r.put(sysText[i], sysText[i + 1]);
        return new Item(id, line, prompt, r, Map.of(), null);
    }

    static Vote vote(long id, long item, String left, String right, Outcome o, double p) {
        return new Vote(id, "c" + id, 1, 7, "ann", item, left, right, o, Map.of(), null, p, 3000, 1_700_000_000_000L + id * 1000);
    }

    static final List<Item> ITEMS = List.of(
            item(10, 1, "P1", "a", "A1", "b", "B1", "c", "C1"),
            item(11, 2, "P2", "a", "A2", "b", "B2"));

    static final List<Vote> VOTES = List.of(
            vote(1, 10, "a", "b", Outcome.A_WINS, 0.5),     // a > b on P1
            vote(2, 10, "c", "a", Outcome.A_WINS, 0.25),    // c > a on P1
            vote(3, 10, "b", "c", Outcome.TIE, 0.25),     // tie on P1
            vote(4, 11, "b", "a", Outcome.BOTH_BAD, 1.0), // both bad on P2
            vote(5, 11, "a", "b", Outcome.B_WINS, 1.0));   // b > a on P2

    static List<JsonNode> lines(String s) {
        return s.lines().filter(l -> !l.isBlank()).map(l -> {
            try {
                return Json.MAPPER.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
    }

    @Test
    void trlPairsLeaveOutTiesAndBothBad() {
        List<JsonNode> rows = lines(Exporter.toString(ExportFormat.trl, C, ITEMS, VOTES));
        assertEquals(3, rows.size());
        assertEquals("P1", rows.get(0).get("prompt").asText());
        assertEquals("A1", rows.get(0).get("chosen").asText());
        assertEquals("B1", rows.get(0).get("rejected").asText());
        assertEquals("C1", rows.get(1).get("chosen").asText());
        assertEquals("A1", rows.get(1).get("rejected").asText());
        assertEquals("B2", rows.get(2).get("chosen").asText());
        assertEquals("A2", rows.get(2).get("rejected").asText());
        assertEquals(0.25, rows.get(1).get("sampling_probability").asDouble());
        assertEquals(2, rows.get(1).get("vote_id").asLong());
    }

    @Test
    void ktoRowsLabelWinnerTrueLoserFalseBothBadFalse() {
        List<JsonNode> rows = lines(Exporter.toString(ExportFormat.kto, C, ITEMS, VOTES));
        // votes 1, 2, 5 give (true, false) pairs; vote 4 gives two false rows; the tie (3) gives none.
        assertEquals(8, rows.size());
        long trues = rows.stream().filter(r -> r.get("label").asBoolean()).count();
        assertEquals(3, trues);
        List<JsonNode> bothBad = rows.stream().filter(r -> r.get("vote_id").asLong() == 4).toList();
        assertEquals(2, bothBad.size());
        assertTrue(bothBad.stream().noneMatch(r -> r.get("label").asBoolean()));
        assertEquals("B2", bothBad.get(0).get("completion").asText());
    }

    @Test
    void rankedByCopelandWhereThreeSystemsMet() {
        List<JsonNode> rows = lines(Exporter.toString(ExportFormat.ranked, C, ITEMS, VOTES));
        // P1: a: +1 (beat b) -1 (lost to c) = 0; b: -1; c: +1; tie adds 0 -> c, a, b. P2 has only two systems.
        assertEquals(1, rows.size());
        assertEquals("[\"c\",\"a\",\"b\"]", rows.get(0).get("ranking").toString());
        assertEquals("[\"C1\",\"A1\",\"B1\"]", rows.get(0).get("responses").toString());
        assertEquals("[1,0,-1]", rows.get(0).get("scores").toString());
    }

    @Test
    void arenaBattles() throws Exception {
        JsonNode arr = Json.MAPPER.readTree(Exporter.toString(ExportFormat.arena, C, ITEMS, VOTES));
        assertEquals(5, arr.size());
        assertEquals("model_a", arr.get(0).get("winner").asText());
        assertEquals("tie", arr.get(2).get("winner").asText());
        assertEquals("tie (bothbad)", arr.get(3).get("winner").asText());
        assertEquals("model_b", arr.get(4).get("winner").asText());
        assertEquals("b", arr.get(3).get("model_a").asText());
        assertEquals(2.0, arr.get(0).get("weight").asDouble(), 1e-12);
        assertEquals(4.0, arr.get(1).get("weight").asDouble(), 1e-12);
        assertEquals("demo:2", arr.get(4).get("question_id").asText());
        assertEquals(1_700_000_001.0, arr.get(0).get("tstamp").asDouble(), 1e-9);
        // Empty campaign: a valid empty array.
        assertEquals(0, Json.MAPPER.readTree(Exporter.toString(ExportFormat.arena, C, ITEMS, List.of())).size());
    }
}
