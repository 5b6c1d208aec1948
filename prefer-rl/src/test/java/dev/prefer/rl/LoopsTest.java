package dev.prefer.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.rl.env.DeepSeaTreasure;
import dev.prefer.rl.env.PointMassReacher;
import dev.prefer.rl.experiments.ControlStudy;
import dev.prefer.rl.experiments.DstStudy;
import dev.prefer.rl.policy.Cpl;
import dev.prefer.rl.policy.Dqn;
import dev.prefer.rl.policy.Pebble;
import dev.prefer.rl.policy.PebbleSac;
import dev.prefer.rl.policy.Sac;
import dev.prefer.rl.teacher.QuerySelection;
import org.junit.jupiter.api.Test;

/** Tiny runs of the training loops: budgets are respected, curves have their points, runs repeat for a seed. */
class LoopsTest {

    static Pebble.Config tiny(int labels, QuerySelection sel) {
        return new Pebble.Config(400, 100, 100, labels, 4, 5, sel, 3, "mistake:0.1", 2, 2,
                new Dqn.Config(16, 1e-3, 0.95, 8, 50), 200, 2);
    }

    @Test
    void pebbleSpendsItsBudgetAndRepeats() {
        for (QuerySelection sel : QuerySelection.values()) {
            Pebble.Curve a = Pebble.run(() -> new PointMassReacher(true), tiny(12, sel), Pebble.Mode.PEBBLE, 3);
            assertEquals(12, a.labelsUsed());
            assertEquals(2, a.steps().length);
            Pebble.Curve b = Pebble.run(() -> new PointMassReacher(true), tiny(12, sel), Pebble.Mode.PEBBLE, 3);
            assertEquals(a.last(), b.last(), 0.0);
        }
        assertEquals(0, Pebble.run(() -> new PointMassReacher(true), tiny(12, QuerySelection.UNIFORM), Pebble.Mode.TRUE_REWARD, 3).labelsUsed());
    }

    @Test
    void pebbleWithSacSpendsItsBudgetResetsAndRepeats() {
        PebbleSac.Config c = new PebbleSac.Config(300, 40, 60, 50, 12, 4, 5, QuerySelection.DISAGREEMENT, 3, "mistake:0.1", 2, 2, 5,
                new Sac.Config(8, 1e-3, 1e-3, 1e-3, 0.99, 0.005, 8, 0.1, true, -5, 2, 2), 150, 2);
        Pebble.Curve a = PebbleSac.run(() -> new PointMassReacher(false), c, Pebble.Mode.PEBBLE, 2);
        assertEquals(12, a.labelsUsed());
        assertEquals(2, a.steps().length);
        assertEquals(a.last(), PebbleSac.run(() -> new PointMassReacher(false), c, Pebble.Mode.PEBBLE, 2).last(), 0.0);
        assertEquals(0, PebbleSac.run(() -> new PointMassReacher(false), c, Pebble.Mode.TRUE_REWARD, 2).labelsUsed());
        assertThrows(IllegalArgumentException.class, () -> PebbleSac.run(() -> new PointMassReacher(true), c, Pebble.Mode.PEBBLE, 2));
    }

    @Test
    void cplOnTheReacherDatasetRuns() {
        ControlStudy.Config d = ControlStudy.Config.defaults(20);
        var c = new ControlStudy.Config(20, 1, 5, "mistake:0.1", 10, tiny(20, QuerySelection.UNIFORM),
                new Cpl.Config(0.1, 0.5, 1.0, 0.0, 40, 8, 1e-3), 20, 0);
        Pebble.Curve cv = ControlStudy.cpl(c, 1);
        assertEquals(20, cv.labelsUsed());
        assertEquals(2, cv.steps().length);
        double[] ref = ControlStudy.references(5);
        assertTrue(ref[0] > ref[1], "optimum above the random policy");
        assertTrue(d.labels() == 20);
    }

    @Test
    void dstStudyEvaluatesRealFrontPointsOnly() {
        var c = new DstStudy.Config(DeepSeaTreasure.Map.CONVEX, 30, 60, "mistake:0.1", 16, new Cpl.Config(1, 1, 1, 0, 20, 8, 3e-3), 20, 0);
        DstStudy.Result r = DstStudy.evaluate(DstStudy.train(c), c);
        assertEquals(401.8, r.exactHypervolume(), 1e-9);
        assertTrue(r.hypervolume() <= r.exactHypervolume() + 1e-9);
        for (double[] p : r.front()) {
            assertTrue(p[0] == 0 || java.util.Arrays.stream(DeepSeaTreasure.front(DeepSeaTreasure.Map.CONVEX)).anyMatch(f -> f[0] == p[0] && p[1] <= f[1]),
                    "a reached return is a treasure at no fewer steps than its shortest path");
        }
    }
}
