package dev.prefer.lm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The benchmark's step is a real training step (speed itself is never asserted). */
class DpoStepBenchTest {

    @Test
    void firstLossIsLn2AndAdamWLowersIt() {
        // reference == policy at step 0, so the DPO loss is exactly ln 2; AdamW steps must then lower it
        DpoStepBench.Size micro = new DpoStepBench.Size("micro", 1, 32, 2, 64, 64, 2, 4, 4);
        DpoStepBench.Result r = DpoStepBench.run(micro, new DpoStepBench.Options(1, 3, true, 0.1, 1e-3, 5L));
        assertEquals(Math.log(2), r.losses()[0], 1e-6);
        assertTrue(r.losses()[3] < r.losses()[0], java.util.Arrays.toString(r.losses()));
        assertEquals(3, r.seconds().length);
        assertTrue(r.median() > 0 && r.tokensPerSecond() > 0);
    }
}
