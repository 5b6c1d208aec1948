package dev.prefer.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.prefer.rl.policy.SegmentData;
import dev.prefer.rl.reward.RewardEnsemble;
import dev.prefer.rl.reward.Surf;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** SURF's semi-supervised, temporally augmented reward loss: crops, its reduction to the plain loss, its gradient. */
class SurfTest {

    @Test
    void centreAndCropsTakeTheRightSteps() {
        SegmentData s = PolicyTest.randomSegment(new Random(1), 14, 2, 3);
        SegmentData c = new Surf(2, 2, 0.95, 1, 10, 1).center(s, 10);
        assertEquals(10, c.length());
        for (int t = 0; t < 10; t++) {
            assertArrayEquals(s.obs()[t + 2], c.obs()[t]);
            assertEquals(s.actions()[t + 2], c.actions()[t]);
        }
        assertThrows(IllegalArgumentException.class, () -> Surf.crop(s, 10, 5));
        assertThrows(IllegalArgumentException.class, () -> new Surf(1, 3, 0.95, 1, 10, 1));     // crops longer than the extension
    }

    @Test
    void withoutWindowCropsOrConfidentPairsItIsThePlainLoss() {
        Random rng = new Random(2);
        RewardEnsemble model = new RewardEnsemble(2, 3, 4, 5, 1e-3, rng);
        List<RewardEnsemble.Pair> pairs = new ArrayList<>();
        List<SegmentData[]> unlabelled = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pairs.add(new RewardEnsemble.Pair(PolicyTest.randomSegment(rng, 4, 3, 4), PolicyTest.randomSegment(rng, 4, 3, 4), i % 2));
            unlabelled.add(new SegmentData[] {PolicyTest.randomSegment(rng, 4, 3, 4), PolicyTest.randomSegment(rng, 4, 3, 4)});
        }
        double[] plain = new double[model.member(0).params().length];
        double expected = model.lossAndGradient(0, pairs, plain);
        double[] surf = new double[plain.length];
        double got = new Surf(0, 0, 1.0, 1, 10, 1).lossAndGradient(model, 0, pairs, unlabelled, 4, surf, new Random(3));
        assertEquals(expected, got, 1e-15);
        assertArrayEquals(plain, surf, 1e-15);
    }

    @Test
    void gradientMatchesFiniteDifferencesWithFixedCrops() {
        Random rng = new Random(4);
        RewardEnsemble model = new RewardEnsemble(2, 3, 4, 5, 1e-3, rng);
        for (int m = 0; m < model.size(); m++) {                  // larger weights: confident predictions on some pairs
            double[] p = model.member(m).params();
            for (int i = 0; i < p.length; i++) {
                p[i] *= 3;
            }
        }
        List<RewardEnsemble.Pair> pairs = new ArrayList<>();
        List<SegmentData[]> unlabelled = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pairs.add(new RewardEnsemble.Pair(PolicyTest.randomSegment(rng, 6, 3, 4), PolicyTest.randomSegment(rng, 6, 3, 4), i == 3 ? 0.5 : i % 2));
        }
        for (int i = 0; i < 8; i++) {
            unlabelled.add(new SegmentData[] {PolicyTest.randomSegment(rng, 6, 3, 4), PolicyTest.randomSegment(rng, 6, 3, 4)});
        }
        Surf surf = new Surf(1, 1, 0.7, 0.8, 10, 1);
        double[] grad = new double[model.member(1).params().length];
        surf.lossAndGradient(model, 1, pairs, unlabelled, 4, grad, new Random(5));
        int confident = 0;
        for (SegmentData[] u : unlabelled) {
            double p = model.probability(1, surf.center(u[0], 4), surf.center(u[1], 4));
            confident += Math.max(p, 1 - p) >= 0.7 ? 1 : 0;
        }
        org.junit.jupiter.api.Assertions.assertTrue(confident > 0 && confident < 8, "some but not all pseudo-labels kept: " + confident);
        for (int i = 0; i < grad.length; i++) {
            assertEquals(PolicyTest.fd(model.member(1).params(), i, () -> surf.lossAndGradient(model, 1, pairs, unlabelled, 4, null, new Random(5))),
                    grad[i], 1e-7, "parameter " + i);
        }
    }
}
