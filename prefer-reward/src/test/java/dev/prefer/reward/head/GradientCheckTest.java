package dev.prefer.reward.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every head's hand-written gradient agrees with central finite differences of its own loss, in double precision,
 * on random inputs with contexts, annotators, margins, weights and attribute labels.
 */
class GradientCheckTest {
    static final int D = 5;
    static final int DC = 5;

    static List<EncodedPair> batch(Random rnd, List<String> annotators) {
        List<EncodedPair> out = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Map<String, Double> attrs = Map.of("chosen.verbosity", rnd.nextGaussian(), "rejected.verbosity", rnd.nextGaussian(),
                    "helpfulness", rnd.nextGaussian());
            out.add(new EncodedPair(Synthetic.gaussian(rnd, DC, 1), Synthetic.gaussian(rnd, D, 1), Synthetic.gaussian(rnd, D, 1),
                    annotators.get(i % annotators.size()), rnd.nextDouble(), 0.5 + rnd.nextDouble(), attrs));
        }
        return out;
    }

    static HeadConfig config(String kind, boolean contextual) {
        return HeadConfig.defaults(kind).withHidden(4).withComponents(3).withLatent(4).withContextual(contextual)
                .withLoss(new dev.prefer.train.RewardLoss(true, 0.05, 0.1)) // margin, centering 0.05, smoothing 0.1
                .withAttributes(List.of("preference", "verbosity", "helpfulness"));
    }

    static void check(PreferenceHead head, List<EncodedPair> batch) {
        double[] theta = head.parameters();
        double[] grad = new double[theta.length];
        head.loss(batch, grad);
        double h = 1e-6;
        double maxErr = 0;
        for (int i = 0; i < theta.length; i++) {
            double t = theta[i];
            theta[i] = t + h;
            double lp = head.loss(batch, null);
            theta[i] = t - h;
            double lm = head.loss(batch, null);
            theta[i] = t;
            double fd = (lp - lm) / (2 * h);
            double err = Math.abs(fd - grad[i]) / Math.max(1e-3, Math.abs(fd) + Math.abs(grad[i]));
            maxErr = Math.max(maxErr, err);
        }
        assertTrue(maxErr < 1e-5, head.config().kind() + ": max relative gradient error " + maxErr);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bt", "mlp", "pal", "micro", "gpm", "classifier", "multi"})
    void gradientMatchesCentralDifferences(String kind) {
        Random rnd = new Random(7);
        List<String> ann = List.of("ann-a", "ann-b", "ann-c");
        PreferenceHead head = Heads.create(config(kind, false), D, DC, ann, 11);
        // move off the initialisation so that no term is trivially zero
        for (int i = 0; i < head.parameters().length; i++) head.parameters()[i] += 0.3 * rnd.nextGaussian();
        check(head, batch(rnd, ann));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bt", "mlp", "pal"})
    void contextConditionedGradientMatches(String kind) {
        Random rnd = new Random(8);
        List<String> ann = List.of("ann-a", "ann-b");
        PreferenceHead head = Heads.create(config(kind, true), D, DC, ann, 12);
        for (int i = 0; i < head.parameters().length; i++) head.parameters()[i] += 0.3 * rnd.nextGaussian();
        check(head, batch(rnd, ann));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pal", "micro"})
    void newAnnotatorGradientMatches(String kind) {
        Random rnd = new Random(9);
        List<String> ann = List.of("ann-a", "ann-b");
        PreferenceHead head = Heads.create(config(kind, false), D, DC, ann, 13);
        PreferenceHead adapted = head instanceof PalHead p ? p.withNewAnnotator("new") : ((MicroHead) head).withNewAnnotator("new");
        for (int i = 0; i < adapted.parameters().length; i++) adapted.parameters()[i] += 0.3 * rnd.nextGaussian();
        check(adapted, batch(rnd, List.of("new")));
        boolean[] mask = adapted.trainable();
        int n = 0;
        for (boolean b : mask) if (b) n++;
        assertEquals(3, n, "only the new annotator's K=3 numbers are trainable");
    }
}
