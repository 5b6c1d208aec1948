package dev.prefer.rl.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.rl.policy.SegmentData;
import dev.prefer.rl.reward.RewardEnsemble;
import dev.prefer.rl.reward.Surf;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The PyTorch backend against the Java loop of {@link RewardEnsemble} (hand-written backpropagation, itself checked by
 * central finite differences in prefer-rl's RewardLearningTest): same loss and gradient in double precision, with
 * discrete and continuous inputs, segments of different lengths and soft labels; and the same weights after training,
 * SURF included.
 */
class TorchRewardBackendTest {
    private static final TorchRewardBackend TORCH = new TorchRewardBackend();

    @AfterAll
    static void close() {
        TORCH.close();
    }

    static SegmentData segment(Random rng, int len, int obs, int actions) {
        double[][] x = new double[len][obs];
        int[] a = new int[len];
        double[][] r = new double[len][1];
        for (int t = 0; t < len; t++) {
            for (int i = 0; i < obs; i++) {
                x[t][i] = rng.nextGaussian();
            }
            a[t] = actions == 0 ? 0 : rng.nextInt(actions);
            r[t][0] = rng.nextGaussian();
        }
        return new SegmentData(x, a, r);
    }

    static List<RewardEnsemble.Pair> pairs(Random rng, int n, int minLen, int maxLen, int obs, int actions) {
        double[] labels = {0, 1, 0.5, 0.9};
        List<RewardEnsemble.Pair> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            out.add(new RewardEnsemble.Pair(segment(rng, minLen + rng.nextInt(maxLen - minLen + 1), obs, actions),
                    segment(rng, minLen + rng.nextInt(maxLen - minLen + 1), obs, actions), labels[k % labels.length]));
        }
        return out;
    }

    private static void sameLossAndGradient(int obs, int actions, int minLen, int maxLen) {
        RewardEnsemble ens = new RewardEnsemble(2, obs, actions, 16, 3e-3, new Random(7));
        List<RewardEnsemble.Pair> batch = pairs(new Random(11), 9, minLen, maxLen, obs, actions);
        for (int member = 0; member < ens.size(); member++) {
            double[] gJava = new double[ens.member(member).params().length];
            double lJava = ens.useBackend(null).lossAndGradient(member, batch, gJava);
            double[] gTorch = new double[gJava.length];
            double lTorch = ens.useBackend(TORCH).lossAndGradient(member, batch, gTorch);
            assertEquals(lJava, lTorch, 1e-12 * Math.max(1, Math.abs(lJava)));
            double norm = 0;
            for (double g : gJava) {
                norm = Math.max(norm, Math.abs(g));
            }
            assertTrue(norm > 1e-3, "a gradient worth comparing");
            for (int i = 0; i < gJava.length; i++) {
                assertEquals(gJava[i], gTorch[i], 1e-12 * norm, "parameter " + i);
            }
            assertEquals(lJava, ens.useBackend(TORCH).lossAndGradient(member, batch, null), 1e-12 * Math.max(1, Math.abs(lJava)));
        }
    }

    @Test
    void discreteActionsSameLengthsAsTheJavaLoop() {
        sameLossAndGradient(5, 3, 6, 6);
    }

    @Test
    void continuousInputsOfDifferentLengthsAsTheJavaLoop() {
        sameLossAndGradient(4, 0, 3, 8);
    }

    private static double[] trained(RewardEnsemble.Backend backend, boolean surf) {
        RewardEnsemble ens = new RewardEnsemble(2, 3, 2, 8, 1e-2, new Random(5)).useBackend(backend);
        List<RewardEnsemble.Pair> labelled = pairs(new Random(13), 20, 6, 6, 3, 2);
        if (surf) {
            List<SegmentData[]> unlabelled = new ArrayList<>();
            for (RewardEnsemble.Pair p : pairs(new Random(17), 10, 6, 6, 3, 2)) {
                unlabelled.add(new SegmentData[] {p.first(), p.second()});
            }
            ens.train(labelled, unlabelled, new Surf(1, 1, 0.6, 1, 10, 1), 4, 2, 8, new Random(19));
        } else {
            ens.train(labelled, 3, 8, new Random(19));
        }
        double[] a = ens.member(0).params();
        double[] b = ens.member(1).params();
        double[] all = new double[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void trainingGivesTheJavaLoopsWeights() {
        for (boolean surf : new boolean[] {false, true}) {
            double[] java = trained(null, surf);
            double[] torch = trained(TORCH, surf);
            double[] init = new RewardEnsemble(2, 3, 2, 8, 1e-2, new Random(5)).member(0).params();
            assertTrue(Math.abs(java[0] - init[0]) > 1e-4, "training moved the weights");
            for (int i = 0; i < java.length; i++) {
                assertEquals(java[i], torch[i], 1e-9, (surf ? "SURF " : "") + "parameter " + i);
            }
        }
    }
}
