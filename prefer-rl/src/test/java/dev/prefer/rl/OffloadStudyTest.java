package dev.prefer.rl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.rl.env.EdgeOffloading;
import dev.prefer.rl.env.Env;
import dev.prefer.rl.experiments.OffloadStudy;
import dev.prefer.rl.reward.RewardEnsemble;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OffloadStudyTest {

    /** Scaled linear utility of one random 10-step segment and its learned-reward sum, for a weight w. */
    private static double[] segment(RewardEnsemble ens, double[] scale, double w, long seed, Random rng) {
        EdgeOffloading env = new EdgeOffloading(2);
        double[] o = env.reset(seed);
        double u = 0;
        double r = 0;
        for (int t = 0; t < 10; t++) {
            int a = rng.nextInt(3);
            Env.Step s = env.step(a);
            u += w * s.reward()[0] / scale[0] + (1 - w) * s.reward()[1] / scale[1];
            r += OffloadStudy.learned(ens).of(o, a, s.reward(), w);
            o = s.observation();
        }
        return new double[] {u, r};
    }

    @Test
    void preferenceLearnedConditionedRewardRanksHeldOutSegmentsLikeTheTrueUtility() {
        double[] scale = {1.25, 0.675};                     // about the random policy's per-step costs
        int n = 200;
        int learned = agreement(OffloadStudy.learnReward(200, "oracle", 20, 10, 0, scale, 1, 32, 50), scale, n);
        int untrained = agreement(OffloadStudy.learnReward(0, "oracle", 20, 10, 0, scale, 1, 32, 50), scale, n);
        // the learner never sees a scalar reward or the cost model, only 200 segment preferences under random w;
        // on held-out pairs it ranks clearly better than chance and than the same network untrained
        assertTrue(learned >= 0.65 * n && learned >= untrained + 0.1 * n, learned + " vs untrained " + untrained + " of " + n);
    }

    private static int agreement(RewardEnsemble ens, double[] scale, int n) {
        Random rng = new Random(42);
        int agree = 0;
        for (int i = 0; i < n; i++) {
            double w = rng.nextDouble();
            double[] a = segment(ens, scale, w, 9_000_000L + 2 * i, rng);
            double[] b = segment(ens, scale, w, 9_000_001L + 2 * i, rng);
            if ((a[0] > b[0]) == (a[1] > b[1])) {
                agree++;
            }
        }
        return agree;
    }
}
