package dev.prefer.eval;

import static org.junit.jupiter.api.Assertions.*;

import dev.prefer.data.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairLogpsEvalTest {

    @Test
    void handDerivedFromFiles(@TempDir Path dir) throws Exception {
        // Policy: pair 1 (-10 vs -12; 5 and 4 tokens) right both ways; pair 2 (-10 vs -8; 10 and 2 tokens) wrong summed,
        // right per token (-1 > -4): R = 0.5, R_norm = 1.
        Path policy = Files.writeString(dir.resolve("policy.jsonl"),
                "{\"chosen_logps\": -10, \"rejected_logps\": -12, \"chosen_tokens\": 5, \"rejected_tokens\": 4}\n"
                        + "{\"chosen_logps\": -10, \"rejected_logps\": -8, \"chosen_tokens\": 10, \"rejected_tokens\": 2}\n");
        // Reference log-ratios -0.5 and -5 (one token each), alpha 0.6 for both (the second from 3 votes to 2).
        // beta 0.1: -0.5 + 10 ln 1.5 = 3.55 > 0 right; -5 + 4.05 < 0 wrong -> R* = 0.5 (normalised the same, 1 token).
        Path ref = Files.writeString(dir.resolve("ref.jsonl"),
                "{\"chosen_logps\": -10, \"rejected_logps\": -9.5, \"chosen_tokens\": 1, \"rejected_tokens\": 1}\n"
                        + "{\"chosen_logps\": -12, \"rejected_logps\": -7, \"chosen_tokens\": 1, \"rejected_tokens\": 1}\n");
        Path pairs = Files.writeString(dir.resolve("pairs.jsonl"),
                "{\"prompt\": \"p\", \"alpha\": 0.6}\n{\"prompt\": \"q\", \"votes_chosen\": 3, \"votes_rejected\": 2}\n");
        double[] alpha = PairLogpsEval.readAlpha(pairs);
        assertArrayEquals(new double[] {0.6, 0.6}, alpha, 1e-15);
        dev.prefer.core.metrics.PairRanking.Summary s = PairLogpsEval.evaluate(PairLogpsEval.read(policy), PairLogpsEval.read(ref), alpha, 0.1, 0);
        assertEquals(2, s.n());
        assertEquals(0.5, s.policy().summed());
        assertEquals(1.0, s.policy().lengthNormalized());
        assertEquals(0.5, s.rStar());
        assertEquals(0.5, s.rStarNormalized());
        assertEquals(0.0, s.gap());
        assertEquals(-0.5, s.gapNormalized());

        // Without alpha every pair is certain (odds 1000): 10 ln 1000 = 69 flips both reference mis-rankings.
        assertEquals(1.0, PairLogpsEval.evaluate(PairLogpsEval.read(policy), PairLogpsEval.read(ref), null, 0.1, 0).rStar());
        // Without a reference, only R.
        assertNull(PairLogpsEval.evaluate(PairLogpsEval.read(policy), null, null, 0.1, 0).rStar());
    }

    @Test
    void badRowsAreLocated(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("bad.jsonl"),
                "{\"chosen_logps\": -1, \"rejected_logps\": -2, \"chosen_tokens\": 1, \"rejected_tokens\": 1}\n"
                        + "{\"chosen_logps\": -1, \"chosen_tokens\": 1, \"rejected_tokens\": 1}\n");
        DataException e = assertThrows(DataException.class, () -> PairLogpsEval.read(f));
        assertEquals(2, e.line());
        assertEquals("rejected_logps", e.field());
        Path g = Files.writeString(dir.resolve("pos.jsonl"), "{\"chosen_logps\": 0.5, \"rejected_logps\": -2, \"chosen_tokens\": 1, \"rejected_tokens\": 1}\n");
        assertEquals("chosen_logps", assertThrows(DataException.class, () -> PairLogpsEval.read(g)).field());
        Path h = Files.writeString(dir.resolve("alpha.jsonl"), "{\"alpha\": 1.5}\n");
        assertEquals("alpha", assertThrows(DataException.class, () -> PairLogpsEval.readAlpha(h)).field());
    }
}
