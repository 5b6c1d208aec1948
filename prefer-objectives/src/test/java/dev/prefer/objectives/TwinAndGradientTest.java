package dev.prefer.objectives;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every objective, on seeded random batches of its layout: the tensor form equals the double twin (float64 to
 * 1e-10 relative, float32 to 1e-4), and the tensor form's autograd gradient with respect to the policy log-probs
 * equals central finite differences of the double twin.
 */
class TwinAndGradientTest {
    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = Fixtures.manager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static Stream<Arguments> objectives() {
        List<Arguments> out = new ArrayList<>();
        for (ObjectiveCatalog.Entry e : ObjectiveCatalog.entries()) {
            Objective o = e.create(e.name().equals("modpo") ? Map.of("w-helpful", 0.3, "w-safe", 0.2) : Map.of());
            // BCO's batch-mean shift δ carries no gradient by design; finite differences need δ fixed (see below).
            if (e.name().equals("bco")) o = new Bco(0.1, 0.05, Layout.PAIRS);
            out.add(Arguments.of(e.name(), o));
        }
        out.add(Arguments.of("cdpo eps=0.2", new ConservativeDpo(0.3, 0.2)));
        out.add(Arguments.of("bco unpaired, fixed delta", new Bco(0.2, -0.1, Layout.UNPAIRED)));
        out.add(Arguments.of("aot unpaired", new Aot(0.1, 0.1, false)));
        out.add(Arguments.of("lipo pair-logistic", new LipoLambda(0.3, false)));
        out.add(Arguments.of("dove joint", new Dove(0.1, true)));
        out.add(Arguments.of("ln-simpo", new LengthNormalized(new Nca(0.2))));
        out.add(Arguments.of("mpo-like sum", new WeightedSum(List.of(new WeightedSum.Term(0.8, new Dpo(0.1)),
                new WeightedSum.Term(0.2, new Bco(0.1, 0.0, Layout.PAIRS)), new WeightedSum.Term(1.0, new ChosenNll())))));
        return out.stream();
    }

    static Batch randomBatch(Objective o, Random r) {
        Requirements req = o.requirements();
        int groups = 6;
        int k = switch (req.layout()) {
            case PAIRS -> 2;
            case UNPAIRED -> 1;
            case LISTS -> 4;
        };
        int n = groups * k;
        double[] policy = new double[n], reference = new double[n], tokens = new double[n], labels = new double[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = 1 + r.nextInt(30);
            policy[i] = -tokens[i] * (0.2 + 3 * r.nextDouble()); // mean token log-prob in (−3.2, −0.2)
            reference[i] = policy[i] + 2 * r.nextGaussian();
            labels[i] = r.nextInt(4);
        }
        Batch b = switch (req.layout()) {
            case PAIRS -> Batch.pairs(even(policy, 0), even(policy, 1), even(reference, 0), even(reference, 1));
            case UNPAIRED -> {
                boolean[] d = new boolean[n];
                for (int i = 0; i < n; i++) d[i] = r.nextBoolean();
                yield Batch.unpaired(policy, reference, d);
            }
            case LISTS -> Batch.lists(k, policy, reference, labels);
        };
        b = b.withTokens(tokens);
        if (req.klSamples()) {
            double[] kp = new double[groups], kr = new double[groups];
            for (int g = 0; g < groups; g++) {
                kp[g] = -10 - 10 * r.nextDouble();
                kr[g] = kp[g] - 1 + r.nextGaussian();
            }
            b = b.withKlSamples(kp, kr);
        }
        int s = req.attributes().size();
        if (s > 0) {
            double[] a = new double[groups * s];
            for (int i = 0; i < a.length; i++) a[i] = r.nextGaussian();
            b = b.withAttributes(s, a);
        }
        if (!o.name().startsWith("aot")) {
            double[] w = new double[groups];
            for (int g = 0; g < groups; g++) w[g] = r.nextDouble() * 2;
            b = b.withWeights(w);
        }
        return b;
    }

    static double[] even(double[] a, int offset) {
        double[] out = new double[a.length / 2];
        for (int i = 0; i < out.length; i++) out[i] = a[2 * i + offset];
        return out;
    }

    static double[] autogradGradient(Objective o, Batch b) {
        try (NDManager step = manager.newSubManager()) {
            TensorBatch tb = TensorBatch.of(step, b, DataType.FLOAT64);
            NDArray p = tb.policy();
            p.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                gc.backward(o.loss(tb.withPolicy(p)).loss());
            }
            return p.getGradient().toType(DataType.FLOAT64, true).toDoubleArray();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objectives")
    void tensorFormMatchesTwinAndGradientsMatchFiniteDifferences(String label, Objective o) {
        Random r = new Random(label.hashCode());
        for (int trial = 0; trial < 3; trial++) {
            Batch b = randomBatch(o, r);
            double twin = o.loss(b).value();
            double t64 = Fixtures.tensorLoss(manager, o, b, DataType.FLOAT64);
            double t32 = Fixtures.tensorLoss(manager, o, b, DataType.FLOAT32);
            assertEquals(twin, t64, 1e-10 * Math.max(1, Math.abs(twin)), label + " float64");
            assertEquals(twin, t32, 1e-4 * Math.max(1, Math.abs(twin)), label + " float32");
            double[] grad = autogradGradient(o, b);
            double[] p = b.policy();
            double h = 1e-5;
            for (int i = 0; i < p.length; i++) {
                double[] up = p.clone(), down = p.clone();
                up[i] += h;
                down[i] -= h;
                double fd = (o.loss(b.withPolicy(up)).value() - o.loss(b.withPolicy(down)).value()) / (2 * h);
                assertEquals(fd, grad[i], 1e-6 + 1e-5 * Math.abs(fd), label + " d loss / d policy[" + i + "]");
            }
        }
    }

    /** BCO with its batch-mean δ: autograd treats δ as a constant, so it equals finite differences with δ frozen. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("bcoLayouts")
    void bcoBatchMeanShiftIsDetached(Layout layout) {
        Random r = new Random(5);
        Objective bco = new Bco(0.1, null, layout);
        Batch b = randomBatch(bco, r);
        double delta = 0;
        for (int g = 0; g < b.groups(); g++) for (int j = 0; j < b.k(); j++) delta += 0.1 * b.logRatio(g, j);
        delta /= b.size();
        Objective frozen = new Bco(0.1, delta, layout);
        assertEquals(frozen.loss(b).value(), bco.loss(b).value(), 1e-14);
        double[] grad = autogradGradient(bco, b);
        double[] p = b.policy();
        for (int i = 0; i < p.length; i++) {
            double[] up = p.clone(), down = p.clone();
            up[i] += 1e-5;
            down[i] -= 1e-5;
            double fd = (frozen.loss(b.withPolicy(up)).value() - frozen.loss(b.withPolicy(down)).value()) / 2e-5;
            assertEquals(fd, grad[i], 1e-6 + 1e-5 * Math.abs(fd));
        }
    }

    static Stream<Layout> bcoLayouts() {
        return Stream.of(Layout.PAIRS, Layout.UNPAIRED);
    }
}
