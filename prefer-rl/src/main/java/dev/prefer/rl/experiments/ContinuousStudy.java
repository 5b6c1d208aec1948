package dev.prefer.rl.experiments;

import dev.prefer.rl.env.Env;
import dev.prefer.rl.env.PointMassReacher;
import dev.prefer.rl.policy.Pebble;
import dev.prefer.rl.policy.PebbleSac;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * PEBBLE with SAC on the continuous point-mass reacher against SAC on the true reward and the uniformly random
 * policy. Scores are normalised, (R - R_random) / (R_opt - R_random), with R_opt the closed-form optimum (reachable
 * with continuous actions) and R_random the uniform policy on the same evaluation seeds.
 */
public final class ContinuousStudy {
    private ContinuousStudy() {
    }

    public static Supplier<Env> reacher() {
        return () -> new PointMassReacher(false);
    }

    /** R_opt and R_random on the evaluation seeds 1_000_000 + k. */
    public static double[] references(int episodes) {
        double opt = 0;
        for (int k = 0; k < episodes; k++) {
            PointMassReacher e = new PointMassReacher(false);
            e.reset(1_000_000L + k);
            opt += e.optimalReturn();
        }
        return new double[] {opt / episodes, PebbleSac.randomReturn(reacher(), episodes)};
    }

    /**
     * Usage: ContinuousStudy LABELS STEPS SEEDS [FIRST_SEED] [METHODS] [SEGMENT]. METHODS is a comma list of pebble,
     * sac (default both); SEGMENT the length of the labelled segments (default 10). Prints "curve METHOD SEED STEP RETURN NORMALISED" lines (bench/rl_control.py merges runs).
     */
    public static void main(String[] args) {
        int labels = Integer.parseInt(args[0]);
        int steps = Integer.parseInt(args[1]);
        int seeds = Integer.parseInt(args[2]);
        long first = args.length > 3 ? Long.parseLong(args[3]) : 0;
        List<String> methods = List.of((args.length > 4 ? args[4] : "sac,pebble").split(","));
        PebbleSac.Config c = PebbleSac.Config.defaults(labels).withSteps(steps);
        if (args.length > 5) {
            int seg = Integer.parseInt(args[5]);
            c = new PebbleSac.Config(c.totalSteps(), c.seedSteps(), c.unsupSteps(), c.feedbackEvery(), c.labels(), c.perRound(), seg,
                    c.selection(), c.largeBatch(), c.teacher(), c.ensemble(), c.rewardEpochs(), c.resetUpdates(), c.sac(), c.evalEvery(), c.evalEpisodes());
        }
        double[] ref = references(c.evalEpisodes());
        System.out.printf(Locale.ROOT, "references optimal %.4f random %.4f; config %s%n", ref[0], ref[1], c);
        for (String m : methods) {
            List<Double> finals = new ArrayList<>();
            for (int s = 0; s < seeds; s++) {
                long seed = first + s;
                long t0 = System.nanoTime();
                Pebble.Curve cv = PebbleSac.run(reacher(), c, m.equals("sac") ? Pebble.Mode.TRUE_REWARD : Pebble.Mode.PEBBLE, seed);
                for (int i = 0; i < cv.steps().length; i++) {
                    double norm = (cv.returns()[i] - ref[1]) / (ref[0] - ref[1]);
                    System.out.printf(Locale.ROOT, "curve %s %d %d %.5f %.5f%n", m, seed, cv.steps()[i], cv.returns()[i], norm);
                }
                finals.add((cv.last() - ref[1]) / (ref[0] - ref[1]));
                System.out.printf(Locale.ROOT, "# %s seed %d: %d labels, %.1f s%n", m, seed, cv.labelsUsed(), (System.nanoTime() - t0) / 1e9);
                System.out.flush();
            }
            System.out.println(m + " final normalised: " + Stats.of(finals.stream().mapToDouble(Double::doubleValue).toArray()));
        }
    }
}
