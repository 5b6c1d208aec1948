package dev.prefer.data.votes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VoteReaderTest {
    @TempDir
    Path dir;

    @Test
    void csvWithConfiguredColumnsQuotesAndFeatures() throws IOException {
        Path f = dir.resolve("v.csv");
        Files.writeString(f, "left,right,who,w,judge,len_diff\n"
                + "\"gpt, 4\",llama,L,2,ann1,0.5\n"
                + "llama,\"say \"\"hi\"\"\",R,1,ann2,-1\n"
                + "llama,\"gpt, 4\",same,1,,3\n"
                + "llama,\"gpt, 4\",llama,1,,3\n");
        VoteColumns c = VoteColumns.DEFAULT.withItems("left", "right").withWinner("who")
                .withWinnerValues(Set.of("L"), Set.of("R"), Set.of("same"), Set.of()).withWeight("w").withAnnotator("judge")
                .withFeatures(List.of("len_diff"));
        VoteFile vf = VoteReader.readCsv(f, ',', c, false);
        assertEquals(4, vf.votes().size());
        Vote v0 = vf.votes().get(0);
        assertEquals("gpt, 4", v0.a());
        assertEquals(Outcome.A_WINS, v0.outcome());
        assertEquals(2.0, v0.weight());
        assertEquals("ann1", v0.annotator());
        assertArrayEquals(new double[] {0.5}, v0.features());
        assertEquals("say \"hi\"", vf.votes().get(1).b());
        assertEquals(Outcome.B_WINS, vf.votes().get(1).outcome());
        assertEquals(Outcome.TIE, vf.votes().get(2).outcome());
        assertNull(vf.votes().get(2).annotator());
        assertEquals(Outcome.A_WINS, vf.votes().get(3).outcome(), "a winner value naming item a");
        assertEquals(List.of("len_diff"), vf.featureNames());
        assertEquals(3, vf.votes().get(1).source().line());
    }

    @Test
    void badRowIsLocatedOrSkippedAndCounted() throws IOException {
        Path f = dir.resolve("v.csv");
        Files.writeString(f, "model_a,model_b,winner\na,b,model_a\na,b,maybe\nc,c,tie\nb,a,tie (bothbad)\n");
        DataException e = assertThrows(DataException.class, () -> VoteReader.read(f, VoteColumns.DEFAULT, false));
        assertEquals(3, e.line());
        assertEquals("winner", e.field());
        assertTrue(e.getMessage().startsWith(f + ":3: field 'winner': unknown value 'maybe'"), e.getMessage());
        VoteFile vf = VoteReader.read(f, VoteColumns.DEFAULT, true);
        assertEquals(2, vf.votes().size());
        assertEquals(2, vf.skipped());
        assertEquals(Outcome.BOTH_BAD, vf.votes().get(1).outcome());
        Path g = dir.resolve("w.csv");
        Files.writeString(g, "model_a,model_b\na,b\n");
        DataException h = assertThrows(DataException.class, () -> VoteReader.read(g, VoteColumns.DEFAULT, false));
        assertEquals("winner", h.field());
    }

    @Test
    void jsonlAndArenaJson() throws IOException {
        Path j = dir.resolve("v.jsonl");
        Files.writeString(j, "{\"model_a\":\"x\",\"model_b\":\"y\",\"winner\":\"model_b\",\"judge\":\"u1\"}\n{\"model_a\":\"x\",\"model_b\":7,\"winner\":\"tie\"}\n{\"model_a\":\"x\"}\n");
        VoteFile vf = VoteReader.read(j, VoteColumns.DEFAULT.withAnnotator("judge"), true);
        assertEquals(2, vf.votes().size());
        assertEquals(1, vf.skipped());
        assertEquals("7", vf.votes().get(1).b());
        assertEquals("u1", vf.votes().get(0).annotator());
        DataException e = assertThrows(DataException.class, () -> VoteReader.read(j, VoteColumns.DEFAULT, false));
        assertEquals(3, e.line());
        Path a = dir.resolve("clean_battle.json");
        Files.writeString(a, "[\n {\"model_a\": \"x\", \"model_b\": \"y\", \"winner\": \"model_a\", \"tstamp\": 1.7e9},\n"
                + " {\"model_a\": \"y\", \"model_b\": \"z\", \"winner\": \"tie (bothbad)\"},\n {\"model_a\": \"y\", \"model_b\": \"z\", \"winner\": \"??\"}\n]\n");
        DataException ae = assertThrows(DataException.class, () -> VoteReader.read(a, VoteColumns.DEFAULT, false));
        assertEquals(4, ae.line());
        VoteFile av = VoteReader.read(a, VoteColumns.DEFAULT.withTimestamp("tstamp"), true);
        assertEquals(2, av.votes().size());
        assertEquals(Outcome.BOTH_BAD, av.votes().get(1).outcome());
        assertEquals("1.7E9", av.votes().get(0).timestamp());
    }
}
