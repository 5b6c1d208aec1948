package dev.prefer.reward.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefer.data.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplesTest {
    @Test
    void groupsRowsOfEveryShape(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("s.jsonl");
        Files.write(f, List.of(
                "{\"prompt\":\"1+1=\",\"text\":\"2\",\"seed\":1}",
                "{\"prompt\":\"2+2=\",\"completions\":[\"4\",\"5\"]}",
                "{\"prompt\":\"1+1=\",\"completion\":\"3\"}",
                "",
                "{\"prompt\":\"3+3=\",\"chosen\":\"6\",\"rejected\":\"7\"}",
                "{\"prompt\":\"1+1=\",\"text\":\"2\"}"));
        Samples.Read r = Samples.read(f);
        assertEquals(3, r.groups().size());
        assertEquals(new Group("1+1=", List.of("2", "3", "2"), java.util.Map.of("seed", 1)), r.groups().get(0));
        assertEquals(List.of("4", "5"), r.groups().get(1).completions());
        assertEquals(List.of("6", "7"), r.groups().get(2).completions());
        assertEquals(7, r.completions());
        try (RewardSource v = RewardSources.open("verifier:arithmetic", RewardSources.Options.defaults())) {
            Samples.Scored s = Samples.score(v, r);
            List<ObjectNode> rows = s.rows();
            assertEquals(5, rows.size(), "one output row per input row");
            assertEquals(1.0, rows.get(0).get("reward").asDouble());
            assertEquals(1, rows.get(0).get("seed").asInt(), "input fields are kept");
            assertEquals("[1.0,0.0]", rows.get(1).get("rewards").toString());
            assertEquals(0.0, rows.get(2).get("reward").asDouble());
            assertEquals("[1.0,0.0]", rows.get(3).get("rewards").toString());
            assertEquals(1.0, rows.get(4).get("reward_components").get("verifier:arithmetic/pass").asDouble());
            assertEquals(4.0 / 7, s.means().get("reward"), 1e-15); // right: 2, 2, 4, 6; wrong: 3, 5, 7
        }
    }

    @Test
    void badRowsNameFileLineAndField(@TempDir Path dir) throws Exception {
        String[][] cases = {
                {"{\"prompt\":\"p\"}", "field 'completions': missing"},
                {"{\"prompt\":\"p\",\"completions\":[]}", "non-empty array"},
                {"{\"prompt\":\"p\",\"completions\":[\"a\",3]}", "element 1 is not a string"},
                {"{\"text\":\"a\"}", "field 'prompt': missing"},
                {"{\"prompt\":\"p\",\"chosen\":\"a\"}", "field 'rejected': missing"}};
        for (String[] c : cases) {
            Path f = dir.resolve("bad.jsonl");
            Files.write(f, List.of("{\"prompt\":\"ok\",\"text\":\"fine\"}", c[0]));
            DataException e = assertThrows(DataException.class, () -> Samples.read(f));
            assertTrue(e.getMessage().startsWith(f + ":2: ") && e.getMessage().contains(c[1]), e.getMessage());
        }
    }
}
