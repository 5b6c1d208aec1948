package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Early stopping in the one loop, on a scripted sequence of evaluation losses (no model). */
class LoopPatienceTest {

    /** Steps whose evaluation after step s (1-based) reports {@code losses[s-1]}; records improvements. */
    static final class Scripted implements StepMechanics.Steps {
        final double[] losses;
        final List<Integer> improved = new ArrayList<>();
        int trained;

        Scripted(double... losses) {
            this.losses = losses;
        }

        @Override public Map<String, Object> train(int step, double lr) {
            trained = step + 1;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("step", step + 1);
            return row;
        }

        @Override public Map<String, Object> evaluate() {
            return new LinkedHashMap<>(Map.of("eval/loss", losses[trained - 1]));
        }

        @Override public void checkpoint(int stepsDone) {}

        @Override public void improved(int stepsDone) {
            improved.add(stepsDone);
        }
    }

    static TrainConfig config(int patience, int steps) {
        return TrainConfig.builder(TrainConfig.Task.SFT).maxSteps(steps).every(1, 0, 1).patience(patience).build();
    }

    @Test
    void stopsAfterPatienceEvaluationsWithoutALowerLoss() {
        // best 2.0 after step 2; 2.5 and 2.0 (not lower by more than 1e-9) make two misses: stop after step 4
        Scripted s = new Scripted(3.0, 2.0, 2.5, 2.0, 1.0, 0.5);
        StepMechanics.LoopResult r = StepMechanics.loop(config(2, 6), null, 0, 6, true, s);
        assertTrue(r.stoppedEarly());
        assertEquals(4, s.trained);
        assertEquals(2, r.bestStep());
        assertEquals(List.of(1, 2), s.improved);
        assertEquals(4, r.history().size());
        assertEquals(2.0, (double) r.evalMetrics().get("eval/loss"), 0.0);
    }

    @Test
    void withoutPatienceTheLoopRunsToTheEnd() {
        Scripted s = new Scripted(3.0, 4.0, 5.0, 6.0);
        StepMechanics.LoopResult r = StepMechanics.loop(config(0, 4), null, 0, 4, true, s);
        assertFalse(r.stoppedEarly());
        assertEquals(4, s.trained);
        assertEquals(List.of(), s.improved);
    }

    @Test
    void patienceIsInTheConfigMapOnlyWhenOn() {
        assertFalse(config(0, 4).toMap().containsKey("patience"), "older checkpoints' configs still match");
        assertEquals(3, config(3, 4).toMap().get("patience"));
    }
}
