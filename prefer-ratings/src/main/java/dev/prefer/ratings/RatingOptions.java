package dev.prefer.ratings;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@link Ratings#leaderboard} does, for every model {@code prefer rate} knows. Immutable, validated.
 *
 * @param model           one of {@link Raters#MODELS}: "bt" (default), "thurstone", "davidson", "rao-kupper", "pl",
 *                        "elo", "trueskill", "contextual", "mixture"
 * @param fit             solver options (L2 penalty etc.)
 * @param bootstrapRounds 0 (default: no bootstrap) or the number of bootstrap rounds
 * @param seed            bootstrap (and mixture) seed (default 0)
 * @param level           interval confidence level (default 0.95)
 * @param scale           output scale (default {@link Scale#elo()})
 * @param components      mixture components (0 = choose 1..4 by held-out log-likelihood; default 2)
 * @param features        names of the per-vote features, index-aligned with {@code Vote.features()} (contextual
 *                        model; default none)
 * @param byTimestamp     online models (elo, trueskill) apply votes in timestamp order instead of the given
 *                        order; every vote then needs a timestamp (default false)
 * @param intervals       without a bootstrap: "fisher" (default; inverse observed information) or "sandwich"
 *                        (robust H⁻¹GH⁻¹ from per-row scores, as the Arena's arena-rank does; {@link Sandwich})
 * @param reweight        0 (default: off) or the Arena's minimum pair count (50): each vote weighs
 *                        1/max(votes of its pair, reweight) ({@link Comparisons#reweighted}); needs sandwich or
 *                        bootstrap intervals
 * @param styleL2         model "style": the L2 penalty on the style coefficients, on the mean log-likelihood as
 *                        in arena-rank (default 1.0)
 */
public record RatingOptions(String model, FitOptions fit, int bootstrapRounds, long seed, double level, Scale scale,
                            int components, List<String> features, boolean byTimestamp, String intervals,
                            int reweight, double styleL2) {
    public static final RatingOptions DEFAULT = new RatingOptions("bt", FitOptions.DEFAULT, 0, 0, 0.95, Scale.elo(),
            2, List.of(), false, "fisher", 0, 1.0);

    public RatingOptions {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(fit, "fit");
        Objects.requireNonNull(scale, "scale");
        model = model.toLowerCase(Locale.ROOT);
        Raters.of(model);
        if (bootstrapRounds < 0) throw new IllegalArgumentException("bootstrap rounds must be >= 0");
        if (!(level > 0 && level < 1)) throw new IllegalArgumentException("level must be in (0, 1): " + level);
        if (components < 0) throw new IllegalArgumentException("components must be >= 0");
        features = List.copyOf(features == null ? List.of() : features);
        intervals = intervals == null ? "fisher" : intervals.toLowerCase(Locale.ROOT);
        if (!List.of("fisher", "sandwich").contains(intervals)) throw new IllegalArgumentException("unknown intervals '" + intervals + "' (fisher, sandwich)");
        if (reweight < 0) throw new IllegalArgumentException("reweight (minimum pair count) must be >= 0");
        if (!(styleL2 >= 0) || Double.isInfinite(styleL2)) throw new IllegalArgumentException("style L2 must be finite and >= 0");
    }

    /** The old six-field form: pairwise model, fit, bootstrap, seed, level, scale. */
    public RatingOptions(String model, FitOptions fit, int bootstrapRounds, long seed, double level, Scale scale) {
        this(model, fit, bootstrapRounds, seed, level, scale, 2, List.of(), false, "fisher", 0, 1.0);
    }

    public RatingOptions withModel(String m) { return new RatingOptions(m, fit, bootstrapRounds, seed, level, scale, components, features, byTimestamp, intervals, reweight, styleL2); }
    public RatingOptions withFit(FitOptions f) { return new RatingOptions(model, f, bootstrapRounds, seed, level, scale, components, features, byTimestamp, intervals, reweight, styleL2); }
    public RatingOptions withL2(double l2) { return withFit(fit.withL2(l2)); }
    public RatingOptions withBootstrap(int rounds, long seed) { return new RatingOptions(model, fit, rounds, seed, level, scale, components, features, byTimestamp, intervals, reweight, styleL2); }
    public RatingOptions withLevel(double l) { return new RatingOptions(model, fit, bootstrapRounds, seed, l, scale, components, features, byTimestamp, intervals, reweight, styleL2); }
    public RatingOptions withScale(Scale s) { return new RatingOptions(model, fit, bootstrapRounds, seed, level, s, components, features, byTimestamp, intervals, reweight, styleL2); }
    public RatingOptions withComponents(int k) { return new RatingOptions(model, fit, bootstrapRounds, seed, level, scale, k, features, byTimestamp, intervals, reweight, styleL2); }
    public RatingOptions withFeatures(List<String> f) { return new RatingOptions(model, fit, bootstrapRounds, seed, level, scale, components, f, byTimestamp, intervals, reweight, styleL2); }
    public RatingOptions withTimestampOrder(boolean t) { return new RatingOptions(model, fit, bootstrapRounds, seed, level, scale, components, features, t, intervals, reweight, styleL2); }
    public RatingOptions withReweight(int minPairCount) { return new RatingOptions(model, fit, bootstrapRounds, seed, level, scale, components, features, byTimestamp, intervals, minPairCount, styleL2); }
    public RatingOptions withStyleL2(double l2) { return new RatingOptions(model, fit, bootstrapRounds, seed, level, scale, components, features, byTimestamp, intervals, reweight, l2); }
    public RatingOptions withIntervals(String i) { return new RatingOptions(model, fit, bootstrapRounds, seed, level, scale, components, features, byTimestamp, i, reweight, styleL2); }
}
