package dev.prefer.reward.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.reward.source.JudgeTemplates.Choice;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JudgeTemplatesTest {
    @Test
    void scores() {
        assertEquals(7, JudgeTemplates.parseScore("Fine work. Rating: [[7]]", 1, 10));
        assertEquals(7.5, JudgeTemplates.parseScore("[[7.5]] and later [[2]]", 1, 10));
        assertEquals(8, JudgeTemplates.parseScore("Rating: [8]", 1, 10));
        assertEquals(6, JudgeTemplates.parseScore("Score: 6 because ...", 1, 10));
        assertEquals(9, JudgeTemplates.parseScore(" 9/10 ", 1, 10));
        assertEquals(4, JudgeTemplates.parseScore("4", 1, 10));
        assertTrue(Double.isNaN(JudgeTemplates.parseScore("[[11]]", 1, 10)), "out of scale");
        assertTrue(Double.isNaN(JudgeTemplates.parseScore("It has 3 mistakes and 2 typos", 1, 10)), "numbers in prose are no score");
        assertTrue(Double.isNaN(JudgeTemplates.parseScore("", 1, 10)));
        assertTrue(Double.isNaN(JudgeTemplates.parseScore(null, 1, 10)));
    }

    @Test
    void choices() {
        assertEquals(Choice.A, JudgeTemplates.parseChoice("Assistant A is clearer. [[A]]"));
        assertEquals(Choice.B, JudgeTemplates.parseChoice("[[B]]"));
        assertEquals(Choice.TIE, JudgeTemplates.parseChoice("Both fine: [[C]]"));
        assertEquals(Choice.TIE, JudgeTemplates.parseChoice("[[tie]]"));
        assertEquals(Choice.A, JudgeTemplates.parseChoice("A"));
        assertEquals(Choice.B, JudgeTemplates.parseChoice(" (b)."));
        assertEquals(Choice.A, JudgeTemplates.parseChoice("Output (a)"));
        assertEquals(Choice.B, JudgeTemplates.parseChoice("Answer: B"));
        assertEquals(Choice.TIE, JudgeTemplates.parseChoice("tie"));
        assertEquals(Choice.A, JudgeTemplates.parseChoice("[[A]] ... final: [[A]]"));
        assertNull(JudgeTemplates.parseChoice("[[A]] no wait [[B]]"));
        assertNull(JudgeTemplates.parseChoice("A is better than B"));
        assertNull(JudgeTemplates.parseChoice("Both are bad."));
    }

    @Test
    void fillIsOnePass() {
        String t = "{prompt}|{response}|{extra}";
        assertEquals("p {response}|r {extra}|7", JudgeTemplates.fill(t, Map.of("prompt", "p {response}", "response", "r {extra}"), Map.of("extra", 7)));
    }
}
