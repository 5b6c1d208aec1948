package dev.prefer.eval.tasks;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ArithmeticTaskTest {
    private final ArithmeticTask task = ArithmeticTask.defaults();

    @Test
    void verifierOnHandWrittenResponses() {
        ArithmeticTask.Sum p = task.parse("12+35=");
        assertEquals("47", p.reference());
        assertTrue(task.verify(p, "47").pass());
        assertTrue(task.verify(p, " 47 ").pass());
        assertTrue(task.verify(p, "47\n12+1=13").pass(), "only the first line is judged");
        assertFalse(task.verify(p, "48").pass());
        assertFalse(task.verify(p, "047").pass(), "non-canonical");
        assertFalse(task.verify(p, "+47").pass());
        assertFalse(task.verify(p, "47.0").pass());
        assertFalse(task.verify(p, "").pass());
        assertFalse(task.verify(p, "\n47").pass(), "the first line is empty");
        assertFalse(task.verify(p, "4 7").pass());
        assertEquals(1.0, task.verify("12+35=", "47").score());
        assertEquals(0.0, task.verify("12+35=", "forty-seven").score());
    }

    @Test
    void paddedOperandsRoundTripAndVerify() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 2000; i++) {
            ArithmeticTask.Sum p = task.draw(rng);
            assertTrue(p.prompt().matches("\\d\\d\\+\\d\\d="), p.prompt());
            assertEquals(p.prompt(), task.parse(p.prompt()).prompt(), "parse gives back the same text");
        }
        ArithmeticTask.Sum p = task.parse("07+38=");
        assertEquals(7, p.a());
        assertEquals("45", p.reference(), "answers are never padded");
        assertTrue(task.verify(p, "45").pass());
        assertFalse(task.verify(p, "045").pass());
        assertEquals("7+38=", task.parse("7+38=").prompt(), "unpadded prompts stay unpadded");
        assertEquals("00+00=", task.parse("00+00=").prompt());
        SplittableRandom r2 = new SplittableRandom(4);
        ArithmeticTask plain = new ArithmeticTask(0, 99, "+");
        boolean shortSeen = false;
        for (int i = 0; i < 200; i++) shortSeen |= plain.draw(r2).prompt().length() < 6;
        assertTrue(shortSeen, "an unpadded task writes one-digit operands as they are");
    }

    @Test
    void subtractionAndProduct() {
        ArithmeticTask all = new ArithmeticTask(0, 99, "+-*");
        assertEquals("-7", all.parse("5-12=").reference());
        assertTrue(all.verify("5-12=", "-7").pass());
        assertEquals("9801", all.parse("99*99=").reference());
    }

    @Test
    void parseRejectsOtherText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> task.parse("12 + 35 ="));
        assertTrue(e.getMessage().contains("12 + 35 ="));
        assertThrows(IllegalArgumentException.class, () -> task.parse("12/35="));
    }

    @Test
    void configIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> new ArithmeticTask(-1, 9, "+"));
        assertThrows(IllegalArgumentException.class, () -> new ArithmeticTask(5, 4, "+"));
        assertThrows(IllegalArgumentException.class, () -> new ArithmeticTask(0, 9, "/"));
        assertThrows(IllegalArgumentException.class, () -> new ArithmeticTask(0, 9, ""));
    }

    @Test
    void drawsAreDeterministicRoundTripAndInRange() {
        ArithmeticTask t = new ArithmeticTask(10, 50, "+-*");
        SplittableRandom a = new SplittableRandom(7), b = new SplittableRandom(7);
        for (int i = 0; i < 500; i++) {
            ArithmeticTask.Sum p = t.draw(a);
            assertEquals(p, t.draw(b));
            assertTrue(p.a() >= 10 && p.a() <= 50 && p.b() >= 10 && p.b() <= 50);
            assertEquals(p, t.parse(p.prompt()));
            assertTrue(t.verify(p, p.reference()).pass());
        }
    }

    @Test
    void negativesFailAndNearMissesDifferInExactlyOneDigit() {
        SplittableRandom rng = new SplittableRandom(3);
        ArithmeticTask t = new ArithmeticTask(0, 999, "+-");
        int nearMisses = 0;
        for (int i = 0; i < 300; i++) {
            ArithmeticTask.Sum p = t.draw(rng);
            List<VerifiableTask.Negative> negs = t.negatives(p, rng, 4);
            assertEquals(4, negs.size());
            assertEquals(4, negs.stream().map(VerifiableTask.Negative::response).distinct().count());
            for (VerifiableTask.Negative n : negs) {
                assertFalse(t.verify(p, n.response()).pass(), n.toString());
                if (n.kind().equals("near-miss")) {
                    nearMisses++;
                    String ref = p.reference();
                    assertEquals(ref.length(), n.response().length());
                    int diffs = 0;
                    for (int k = 0; k < ref.length(); k++) if (ref.charAt(k) != n.response().charAt(k)) diffs++;
                    assertEquals(1, diffs);
                    String digits = n.response().replace("-", "");
                    assertTrue(digits.length() == 1 || digits.charAt(0) != '0', "no leading zero: " + n.response());
                }
            }
        }
        assertEquals(600, nearMisses);
    }

    @Test
    void editOneDigitOnASingleDigit() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 50; i++) {
            String s = ArithmeticTask.editOneDigit("0", rng);
            assertEquals(1, s.length());
            assertNotEquals("0", s);
        }
    }
}
