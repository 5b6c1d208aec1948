package dev.prefer.eval.tasks;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FormatTaskTest {
    private final FormatTask task = FormatTask.defaults();

    @Test
    void verifierComponentsOnHandWrittenResponses() {
        String prompt = "Write about ocean; 4 words; uppercase; end with !; start with blue; include tide\n";
        FormatTask.Instruction p = task.parse(prompt);
        assertEquals(prompt, p.prompt());
        assertEquals(List.of("words", "case", "end", "start", "include"), p.constraints());

        Verdict ok = task.verify(p, "BLUE TIDE DEEP SAND!");
        assertTrue(ok.pass());
        assertEquals(1.0, ok.score());

        // lowercase: case fails (1 of 5), the rest hold -> 4/5
        Verdict lower = task.verify(p, "blue tide deep sand!");
        assertFalse(lower.pass());
        assertEquals(0.8, lower.score(), 1e-15);
        assertEquals(Map.of("words", 1.0, "case", 0.0, "end", 1.0, "start", 1.0, "include", 1.0), lower.components());

        // five words, no '!', starts with TIDE, includes TIDE: words, end, start fail -> 2/5
        Verdict bad = task.verify(p, "TIDE DEEP SAND SALT WAVE");
        assertEquals(0.4, bad.score(), 1e-15);
        assertEquals(List.of("words", "case", "end", "start", "include"), List.copyOf(bad.components().keySet()));
        assertEquals(0.0, bad.components().get("words"));
        assertEquals(1.0, bad.components().get("case"));
        assertEquals(0.0, bad.components().get("end"));
        assertEquals(0.0, bad.components().get("start"));
        assertEquals(1.0, bad.components().get("include"));

        // Empty response: no letters, so case fails too; nothing holds.
        assertEquals(0.0, task.verify(p, "").score());
    }

    @Test
    void onlyPresentConstraintsCount() {
        FormatTask.Instruction p = task.parse("Write about city; 3 words; lowercase\n");
        Verdict v = task.verify(p, "red bus stop");
        assertEquals(List.of("words", "case"), List.copyOf(v.components().keySet()));
        assertTrue(v.pass());
        assertEquals(0.5, task.verify(p, "Red bus stop").score(), 1e-15);
        // punctuation attached to a word does not make a new word
        assertTrue(task.verify(p, "red bus stop.").pass());
    }

    @Test
    void parseRejectsUnknownClauses() {
        assertThrows(IllegalArgumentException.class, () -> task.parse("Write about mars; 3 words\n"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> task.parse("Write about city; in french\n"));
        assertTrue(e.getMessage().contains("in french"));
    }

    @Test
    void drawnReferencesPassAndPromptsRoundTrip() {
        SplittableRandom rng = new SplittableRandom(11);
        int[] kinds = new int[5];
        for (int i = 0; i < 1000; i++) {
            FormatTask.Instruction p = task.draw(rng);
            Verdict v = task.verify(p, p.reference());
            assertTrue(v.pass(), p.prompt() + " -> " + p.reference() + " " + v);
            int k = p.constraints().size();
            assertTrue(k >= 2 && k <= 4);
            for (String c : p.constraints()) kinds[FormatTask.KINDS.indexOf(c)]++;
            FormatTask.Instruction q = task.parse(p.prompt());
            assertEquals(p.prompt(), q.prompt());
            if (q.reference() != null) assertTrue(task.verify(q, q.reference()).pass(), q.prompt() + " canonical " + q.reference());
        }
        for (int c : kinds) assertTrue(c > 300, "every constraint kind is drawn often: " + java.util.Arrays.toString(kinds));
    }

    @Test
    void eachNegativeViolatesExactlyItsConstraint() {
        SplittableRandom rng = new SplittableRandom(5);
        int made = 0;
        for (int i = 0; i < 1000; i++) {
            FormatTask.Instruction p = task.draw(rng);
            for (VerifiableTask.Negative n : task.negatives(p, rng, 5)) {
                made++;
                Verdict v = task.verify(p, n.response());
                String broken = n.kind().substring("violates:".length());
                for (Map.Entry<String, Double> e : v.components().entrySet()) {
                    assertEquals(e.getKey().equals(broken) ? 0.0 : 1.0, e.getValue(),
                            p.prompt() + " ref=" + p.reference() + " neg=" + n + " " + v);
                }
            }
        }
        assertTrue(made > 2500, "negatives made: " + made);
    }
}
