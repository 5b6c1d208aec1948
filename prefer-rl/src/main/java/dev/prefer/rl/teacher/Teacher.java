package dev.prefer.rl.teacher;

import java.util.Locale;
import java.util.Random;

/**
 * B-Pref's simulated teacher (Lee et al. 2021, "B-Pref: Benchmarking Preference-Based Reinforcement Learning"),
 * following {@code get_label} in rll-research/BPref {@code reward_model.py} (commit f3ece2e) line by line:
 * <ol>
 *   <li>skip (line 377): when {@code thresSkip > 0} a query whose larger undiscounted segment return is not above
 *       {@code thresSkip} is skipped;</li>
 *   <li>equal (line 391): |sum r1 - sum r2| &lt; {@code thresEqual} marks the pair equally preferable (applied last,
 *       line 420, so it overrides mistakes);</li>
 *   <li>myopic (lines 396-399): step t of a length-H segment is weighted gamma^(H-1-t) (recent steps count more);</li>
 *   <li>rationality (lines 404-410): beta &gt; 0 draws the label from Bradley-Terry softmax(beta * returns), otherwise
 *       the rational label is "second" iff return1 &lt; return2 (ties go to the first);</li>
 *   <li>mistake (lines 414-417): the label is flipped with probability epsMistake.</li>
 * </ol>
 * B-Pref sets the thresholds from a margin, {@code thresSkip = margin * epsSkip} and {@code thresEqual = margin *
 * epsEqual} (lines 152-156), with margin = mean episode return * segment length / episode length
 * ({@code train_PEBBLE.py} lines 235-239); {@link #withMargin(double)} does the same. The six named teachers are
 * {@link #oracle()}, {@link #noisy(double)} ("Stoc"), {@link #mistake(double)}, {@link #skip(double)},
 * {@link #equal(double)} and {@link #myopic(double)}.
 *
 * @param beta       rationality; &lt;= 0 or infinite means perfectly rational
 * @param gamma      myopic discount in (0, 1]
 * @param epsMistake flip probability in [0, 1]
 * @param epsSkip    skip fraction (scales the skip threshold)
 * @param epsEqual   equal fraction (scales the equal threshold)
 * @param thresSkip  the skip threshold in return units (0 = never skip)
 * @param thresEqual the equal threshold in return units (0 = never equal)
 */
public record Teacher(double beta, double gamma, double epsMistake, double epsSkip, double epsEqual,
                      double thresSkip, double thresEqual) {

    public Teacher {
        if (!(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException("teacher: gamma must be in (0, 1], got " + gamma);
        }
        if (!(epsMistake >= 0 && epsMistake <= 1)) {
            throw new IllegalArgumentException("teacher: mistake probability must be in [0, 1], got " + epsMistake);
        }
        if (epsSkip < 0 || epsEqual < 0 || thresSkip < 0 || thresEqual < 0 || Double.isNaN(beta)) {
            throw new IllegalArgumentException("teacher: skip/equal parameters must be >= 0");
        }
    }

    public static Teacher oracle() { return new Teacher(-1, 1, 0, 0, 0, 0, 0); }
    public static Teacher noisy(double beta) { return new Teacher(beta, 1, 0, 0, 0, 0, 0); }
    public static Teacher mistake(double eps) { return new Teacher(-1, 1, eps, 0, 0, 0, 0); }
    public static Teacher skip(double eps) { return new Teacher(-1, 1, 0, eps, 0, 0, 0); }
    public static Teacher equal(double eps) { return new Teacher(-1, 1, 0, 0, eps, 0, 0); }
    public static Teacher myopic(double gamma) { return new Teacher(-1, gamma, 0, 0, 0, 0, 0); }

    /** Sets both thresholds from a return margin, as B-Pref's {@code set_teacher_thres_skip/equal}. */
    public Teacher withMargin(double margin) {
        return new Teacher(beta, gamma, epsMistake, epsSkip, epsEqual, Math.max(0, margin * epsSkip), Math.max(0, margin * epsEqual));
    }

    /**
     * Parses "oracle", "noisy:BETA" (also "stoc:BETA"), "mistake:EPS", "skip:EPS", "equal:EPS", "myopic:GAMMA".
     */
    public static Teacher parse(String spec) {
        String[] p = spec.trim().toLowerCase(Locale.ROOT).split(":", 2);
        try {
            double x = p.length > 1 ? Double.parseDouble(p[1]) : Double.NaN;
            return switch (p[0]) {
                case "oracle" -> oracle();
                case "noisy", "stoc" -> noisy(p.length > 1 ? x : 1.0);
                case "mistake" -> mistake(p.length > 1 ? x : 0.1);
                case "skip" -> skip(p.length > 1 ? x : 0.1);
                case "equal" -> equal(p.length > 1 ? x : 0.1);
                case "myopic" -> myopic(p.length > 1 ? x : 0.9);
                default -> throw new IllegalArgumentException("--teacher: unknown teacher '" + spec
                        + "' (oracle, noisy:BETA, mistake:EPS, skip:EPS, equal:EPS, myopic:GAMMA)");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--teacher: '" + spec + "': parameter is not a number");
        }
    }

    /** The (myopically weighted) return the teacher compares. */
    public double weightedReturn(double[] r) {
        double s = 0;
        int h = r.length;
        for (int t = 0; t < h; t++) {
            s += Math.pow(gamma, h - 1 - t) * r[t];
        }
        return s;
    }

    /** Probability that the first segment is labelled preferred before mistakes (1, 0 or the Bradley-Terry value). */
    public double rationalFirstProbability(double[] r1, double[] r2) {
        double s1 = weightedReturn(r1);
        double s2 = weightedReturn(r2);
        if (beta > 0 && !Double.isInfinite(beta)) {
            return 1 / (1 + Math.exp(-beta * (s1 - s2)));
        }
        return s1 < s2 ? 0.0 : 1.0;
    }

    /** Labels one pair of segments given their per-step rewards. */
    public Label label(double[] r1, double[] r2, Random rng) {
        if (r1.length != r2.length) {
            throw new IllegalArgumentException("teacher: segments of different lengths " + r1.length + " and " + r2.length);
        }
        double sum1 = sum(r1);
        double sum2 = sum(r2);
        if (thresSkip > 0 && Math.max(sum1, sum2) <= thresSkip) {
            return Label.SKIP;
        }
        boolean equal = Math.abs(sum1 - sum2) < thresEqual;
        boolean first = rng.nextDouble() < rationalFirstProbability(r1, r2);
        if (rng.nextDouble() <= epsMistake && epsMistake > 0) {
            first = !first;
        }
        if (equal) {
            return Label.EQUAL;
        }
        return first ? Label.FIRST : Label.SECOND;
    }

    static double sum(double[] r) {
        double s = 0;
        for (double x : r) {
            s += x;
        }
        return s;
    }
}
