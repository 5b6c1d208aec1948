package dev.prefer.reward.head;

import dev.prefer.core.Scalars;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Seeded synthetic preference data with a known structure, for head tests. */
final class Synthetic {
    private Synthetic() {}

    static double[] gaussian(Random rnd, int d, double scale) {
        double[] v = new double[d];
        for (int i = 0; i < d; i++) v[i] = scale * rnd.nextGaussian();
        return v;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double[] unit(Random rnd, int d) {
        double[] u = gaussian(rnd, d, 1);
        double n = Math.sqrt(dot(u, u));
        for (int i = 0; i < d; i++) u[i] /= n;
        return u;
    }

    /**
     * Pairs of one annotator who prefers a over b with probability σ(sharpness·sign·u·(a−b)); returned as
     * (chosen, rejected) after sampling the label.
     */
    static List<EncodedPair> population(Random rnd, String annotator, double[] u, int sign, int n, int d, double sharpness,
                                        double[] context) {
        List<EncodedPair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] a = gaussian(rnd, d, 1);
            double[] b = gaussian(rnd, d, 1);
            double p = Scalars.sigmoid(sharpness * sign * (dot(u, a) - dot(u, b)));
            boolean aWins = rnd.nextDouble() < p;
            out.add(new EncodedPair(context == null ? new double[0] : context, aWins ? a : b, aWins ? b : a, annotator, null, 1.0, Map.of()));
        }
        return out;
    }
}
