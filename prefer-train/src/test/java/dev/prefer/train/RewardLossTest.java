package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.prefer.lm.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The reward model's BT loss: identities by hand, the tensor form against its double twin, gradients by central differences. */
class RewardLossTest {

    @Test
    void identitiesByHand() {
        RewardLoss plain = new RewardLoss(true, 0, 0);
        // equal rewards: -log sigma(0) = ln 2, with or without label smoothing (-(1-e) ln 1/2 - e ln 1/2)
        assertEquals(Math.log(2), plain.pairLoss(0.3, 0.3, 0), 1e-15);
        assertEquals(Math.log(2), new RewardLoss(true, 0, 0.2).pairLoss(-1, -1, 0), 1e-15);
        // margin: r_c - r_r - m = 0 -> ln 2; r_c - r_r = 2 -> ln(1 + e^-2)
        assertEquals(Math.log(2), plain.pairLoss(1, 0, 1), 1e-15);
        assertEquals(Math.log1p(Math.exp(-2)), plain.pairLoss(2.5, 0.5, 0), 1e-15);
        // centering adds eta (r_c + r_r)^2 exactly: (1.5 + 0.25)^2 * 0.01 = 0.030625
        assertEquals(plain.pairLoss(1.5, 0.25, 0) + 0.030625, new RewardLoss(true, 0.01, 0).pairLoss(1.5, 0.25, 0), 1e-15);
        // label smoothing eps: minimised at u* = log((1-eps)/eps) (d/du = -(1-eps) sigma(-u) + eps sigma(u) = 0)
        double eps = 0.1, u = Math.log((1 - eps) / eps);
        RewardLoss smooth = new RewardLoss(true, 0, eps);
        assertTrue(smooth.pairLoss(u + 0.01, 0, 0) > smooth.pairLoss(u, 0, 0));
        assertTrue(smooth.pairLoss(u - 0.01, 0, 0) > smooth.pairLoss(u, 0, 0));
        // ... where its value is the binary entropy of eps: -(1-eps) ln(1-eps) - eps ln eps
        assertEquals(-(1 - eps) * Math.log(1 - eps) - eps * Math.log(eps), smooth.pairLoss(u, 0, 0), 1e-12);
        // stable at +-100
        assertEquals(100, plain.pairLoss(-50, 50, 0), 1e-12);
        assertEquals(0, plain.pairLoss(50, -50, 0), 1e-40);
        // margins off: the pair's margin is ignored
        TrainExample e = new TrainExample(new long[] {1}, List.of(new long[] {2}, new long[] {3}), new double[] {1, 0}, 1, 5.0, new double[0]);
        assertEquals(Math.log(2), new RewardLoss(false, 0, 0).hostLoss(List.of(e), List.of(new double[] {0, 0}), null), 1e-15);
        assertEquals(-Math.log(1 / (1 + Math.exp(5))), new RewardLoss(true, 0, 0).hostLoss(List.of(e), List.of(new double[] {0, 0}), null), 1e-12);
    }

    @Test
    void paramsRoundTripAndBadNamesFail() {
        RewardLoss l = new RewardLoss(false, 0.01, 0.05);
        assertEquals(l, RewardLoss.fromParams(l.toParams()));
        assertEquals(RewardLoss.DEFAULT, RewardLoss.fromParams(Map.of()));
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> RewardLoss.fromParams(Map.of("beta", 0.1)));
        assertTrue(x.getMessage().contains("center_rewards_coefficient"), x.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RewardLoss(true, 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new RewardLoss(true, -1, 0));
    }

    @Test
    void tensorFormEqualsTwinAndGradientMatchesFiniteDifferences() {
        Random rng = new Random(7);
        List<TrainExample> groups = new ArrayList<>();
        int b = 6;
        double[] r = new double[2 * b];
        for (int g = 0; g < b; g++) {
            Double margin = g % 3 == 0 ? null : rng.nextDouble();
            groups.add(new TrainExample(new long[] {1}, List.of(new long[] {2}, new long[] {3}), new double[] {1, 0},
                    0.5 + rng.nextDouble(), margin, new double[0]));
            r[2 * g] = rng.nextGaussian() * 2;
            r[2 * g + 1] = rng.nextGaussian() * 2;
        }
        RewardLoss loss = new RewardLoss(true, 0.05, 0.1);
        Torch.init();
        try (NDManager m = Torch.newManager()) {
            NDArray x = m.create(r).toType(DataType.FLOAT64, false);
            x.setRequiresGradient(true);
            double value;
            double[] grad;
            try (GradientCollector gc = Torch.init().newGradientCollector()) {
                StepLoss.Out out = loss.compute(m, x, null, groups, null, DataType.FLOAT64);
                gc.backward(out.loss());
                value = out.loss().getDouble();
                Map<String, Double> metrics = out.metrics().get();
                double acc = 0, margin = 0;
                for (int g = 0; g < b; g++) {
                    acc += r[2 * g] > r[2 * g + 1] ? 1.0 / b : 0;
                    margin += (r[2 * g] - r[2 * g + 1]) / b;
                }
                assertEquals(acc, metrics.get("rewards/accuracies"), 1e-12);
                assertEquals(margin, metrics.get("rewards/margins"), 1e-12);
            }
            grad = x.getGradient().toDoubleArray();
            assertEquals(loss.hostLoss(groups, pairs(r), null), value, 1e-12, "tensor form = double twin");
            double h = 1e-6;
            for (int i = 0; i < r.length; i++) {
                double[] p = r.clone(), q = r.clone();
                p[i] += h;
                q[i] -= h;
                double fd = (loss.hostLoss(groups, pairs(p), null) - loss.hostLoss(groups, pairs(q), null)) / (2 * h);
                assertEquals(fd, grad[i], 1e-8 + 1e-6 * Math.abs(fd), "d loss / d r[" + i + "]");
            }
        }
    }

    private static List<double[]> pairs(double[] interleaved) {
        List<double[]> out = new ArrayList<>();
        for (int g = 0; g < interleaved.length / 2; g++) out.add(new double[] {interleaved[2 * g], interleaved[2 * g + 1]});
        return out;
    }
}
