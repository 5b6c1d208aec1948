package dev.prefer.rl.teacher;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Which candidate pairs to send to the teacher, as B-Pref's samplers ({@code reward_model.py}): {@code UNIFORM}
 * takes k random candidates (line 545); {@code DISAGREEMENT} draws k * largeBatch candidates and keeps the k with
 * the largest standard deviation across ensemble members of P(first preferred) (lines 203-211, 559-577);
 * {@code ENTROPY} keeps the k with the largest mean over members of the Bradley-Terry entropy (lines 213-245, 579-598).
 */
public enum QuerySelection {
    UNIFORM, DISAGREEMENT, ENTROPY;

    public static QuerySelection parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--query: unknown selection '" + s + "' (uniform, disagreement, entropy)");
        }
    }

    /**
     * Picks k of the candidate pairs.
     *
     * @param memberProbabilities [member][candidate] P(first preferred) under each ensemble member
     * @return indices of the chosen candidates
     */
    public int[] select(double[][] memberProbabilities, int k, Random rng) {
        int n = memberProbabilities[0].length;
        k = Math.min(k, n);
        if (this == UNIFORM) {
            int[] idx = IntStream.range(0, n).toArray();
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
            return Arrays.copyOf(idx, k);
        }
        double[] score = new double[n];
        for (int c = 0; c < n; c++) {
            score[c] = this == DISAGREEMENT ? std(memberProbabilities, c) : meanEntropy(memberProbabilities, c);
        }
        return IntStream.range(0, n).boxed().sorted(Comparator.comparingDouble((Integer c) -> -score[c]).thenComparing(c -> c))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    static double std(double[][] p, int c) {
        double m = 0;
        for (double[] row : p) {
            m += row[c];
        }
        m /= p.length;
        double v = 0;
        for (double[] row : p) {
            v += (row[c] - m) * (row[c] - m);
        }
        return Math.sqrt(v / p.length);                     // numpy std: population
    }

    static double meanEntropy(double[][] p, int c) {
        double h = 0;
        for (double[] row : p) {
            double q = row[c];
            h += -(xlogx(q) + xlogx(1 - q));
        }
        return h / p.length;
    }

    private static double xlogx(double x) {
        return x <= 0 ? 0 : x * Math.log(x);
    }
}
