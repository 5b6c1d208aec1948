package dev.prefer.eval.tasks;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DemonstratorTest {
    private final ArithmeticTask task = ArithmeticTask.defaults();

    @Test
    void arithmeticSlipIsTheForgottenOnesCarryOrBorrow() {
        // By hand: 47+38 = 85, without the ones carry 4+3 = 7 tens -> 75; 57+68 = 125 -> 5+6 = 11 tens -> 115.
        assertEquals("75", task.slip(task.parse("47+38=")));
        assertEquals("115", task.slip(task.parse("57+68=")));
        assertEquals("0", task.slip(task.parse("9+1=")));
        assertNull(task.slip(task.parse("12+35=")), "no ones carry");
        assertEquals("80", task.slip(task.parse("45+45=")), "5+5 = 10 carries: 90 -> 80");
        ArithmeticTask all = new ArithmeticTask(0, 99, "+-*");
        assertEquals("24", all.slip(all.parse("52-38=")), "52-38 = 14; the borrow forgotten: 4 tens - 3 tens + (12-8) -> 24");
        assertNull(all.slip(all.parse("38-52=")), "negative results have no slip");
        assertNull(all.slip(all.parse("58-32=")), "no borrow");
        assertNull(all.slip(all.parse("47*38=")));
    }

    @Test
    void everySlipFailsTheVerifierAndIsANearMiss() {
        for (int a = 0; a <= 99; a++) {
            for (int b = 0; b <= 99; b++) {
                ArithmeticTask.Sum p = new ArithmeticTask.Sum(a, '+', b);
                String s = task.slip(p);
                assertEquals((a % 10) + (b % 10) >= 10, s != null, p.prompt());
                if (s != null) {
                    assertFalse(task.verify(p, s).pass(), p.prompt());
                    assertEquals(p.result() - 10, Long.parseLong(s), p.prompt());
                }
            }
        }
    }

    @Test
    void exactDemonstratorWritesTheReferences() {
        List<ArithmeticTask.Sum> problems = draw(500, 1);
        Demonstrator.Demonstrations d = Demonstrator.exact().demonstrate(task, problems);
        assertEquals(0, d.slipped());
        assertEquals(1.0, d.accuracy());
        for (int i = 0; i < problems.size(); i++) {
            assertEquals(Map.of("prompt", problems.get(i).prompt(), "completion", problems.get(i).reference()), d.rows().get(i));
        }
    }

    @Test
    void slipRateIsTheShareOfSlippableProblemsThatSlip() {
        List<ArithmeticTask.Sum> problems = draw(10_000, 2);
        long carries = problems.stream().filter(p -> p.a() % 10 + p.b() % 10 >= 10).count();
        Demonstrator.Demonstrations all = new Demonstrator(1.0, 7).demonstrate(task, problems);
        assertEquals(carries, all.slippable());
        assertEquals(carries, all.slipped(), "rate 1: every problem with a ones carry slips");
        Demonstrator.Demonstrations d = new Demonstrator(0.6, 7).demonstrate(task, problems);
        assertEquals(carries, d.slippable());
        double sd = Math.sqrt(carries * 0.6 * 0.4);
        assertTrue(Math.abs(d.slipped() - 0.6 * carries) < 4 * sd, d.slipped() + " of " + carries);
        assertEquals(1 - d.slipped() / 10_000.0, d.accuracy(), 1e-12);
        int slippedRows = 0;
        for (int i = 0; i < problems.size(); i++) {
            ArithmeticTask.Sum p = problems.get(i);
            Object completion = d.rows().get(i).get("completion");
            if (!completion.equals(p.reference())) {
                assertEquals(task.slip(p), completion, p.prompt());
                slippedRows++;
            }
        }
        assertEquals(d.slipped(), slippedRows);
        assertEquals(d.rows(), new Demonstrator(0.6, 7).demonstrate(task, problems).rows(), "same seed, same file");
        assertNotEquals(d.rows(), new Demonstrator(0.6, 8).demonstrate(task, problems).rows());
    }

    @Test
    void aSlipThatPassesTheVerifierIsRefused() {
        VerifiableTask<ArithmeticTask.Sum> broken = new VerifiableTask<>() {
            public String name() { return "broken"; }
            public ArithmeticTask.Sum draw(SplittableRandom rng) { return task.draw(rng); }
            public ArithmeticTask.Sum parse(String prompt) { return task.parse(prompt); }
            public Verdict verify(ArithmeticTask.Sum p, String response) { return task.verify(p, response); }
            @Override public String slip(ArithmeticTask.Sum p) { return p.reference(); }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new Demonstrator(1.0, 0).demonstrate(broken, List.of(task.parse("47+38="))));
        assertTrue(e.getMessage().contains("47+38="), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Demonstrator(1.5, 0));
        assertThrows(IllegalArgumentException.class, () -> new Demonstrator(Double.NaN, 0));
    }

    private List<ArithmeticTask.Sum> draw(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<ArithmeticTask.Sum> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(task.draw(rng));
        return out;
    }
}
