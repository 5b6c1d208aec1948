package dev.prefer.data.votes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.prefer.data.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RankingReaderTest {
    @TempDir
    Path dir;

    @Test
    void rankingsWithTiesAndChoices() throws IOException {
        Path r = dir.resolve("r.jsonl");
        Files.writeString(r, "{\"ranking\": [\"b\", [\"a\", 3], \"d\"], \"weight\": 2}\n{\"ranking\": [\"a\", \"a\"]}\n");
        DataException e = assertThrows(DataException.class, () -> RankingReader.readRankings(r, "ranking", false));
        assertEquals(2, e.line());
        RankingReader.Rankings rs = RankingReader.readRankings(r, "ranking", true);
        assertEquals(1, rs.rankings().size());
        assertEquals(1, rs.skipped());
        assertEquals(List.of(List.of("b"), List.of("a", "3"), List.of("d")), rs.rankings().get(0).tiers());
        assertEquals(2.0, rs.rankings().get(0).weight());
        Path c = dir.resolve("c.jsonl");
        Files.writeString(c, "{\"chosen\": \"x\", \"others\": [\"y\", \"z\"]}\n");
        RankingReader.Choices cs = RankingReader.readChoices(c, "chosen", "others", false);
        assertEquals("x", cs.choices().get(0).chosen());
        assertEquals(List.of("y", "z"), cs.choices().get(0).others());
    }

    @Test
    void prefLibTiesAndErrors() throws IOException {
        Path p = dir.resolve("x.toi");
        Files.writeString(p, "# NUMBER ALTERNATIVES: 3\n# ALTERNATIVE NAME 1: A\n2: 1,{2,3}\n1: 3,1\n");
        PrefLib.Data d = PrefLib.read(p);
        assertEquals(List.of(List.of("A"), List.of("2", "3")), d.rankings().get(0).tiers());
        assertEquals(2.0, d.rankings().get(0).weight());
        Path bad = dir.resolve("y.soc");
        Files.writeString(bad, "# NUMBER ALTERNATIVES: 3\n1: 1,2\n");
        DataException e = assertThrows(DataException.class, () -> PrefLib.read(bad));
        assertEquals(2, e.line());
        Path bad2 = dir.resolve("z.soi");
        Files.writeString(bad2, "# NUMBER ALTERNATIVES: 3\n1: 1,{2,3}\n");
        assertEquals(2, assertThrows(DataException.class, () -> PrefLib.read(bad2)).line());
    }
}
