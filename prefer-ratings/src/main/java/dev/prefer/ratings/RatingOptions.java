package dev.prefer.ratings;

import java.util.Objects;

/**
 * What {@link Ratings#leaderboard} does. Immutable, validated.
 *
 * @param model           "bt" (default), "thurstone", "davidson" or "rao-kupper"
 * @param fit             solver options (L2 penalty etc.)
 * @param bootstrapRounds 0 (default: Fisher intervals) or the number of bootstrap rounds
 * @param seed            bootstrap seed (default 0)
 * @param level           interval confidence level (default 0.95)
 * @param scale           output scale (default {@link Scale#elo()})
 */
public record RatingOptions(String model, FitOptions fit, int bootstrapRounds, long seed, double level, Scale scale) {
    public static final RatingOptions DEFAULT = new RatingOptions("bt", FitOptions.DEFAULT, 0, 0, 0.95, Scale.elo());

    public RatingOptions {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(fit, "fit");
        Objects.requireNonNull(scale, "scale");
        Ratings.pairwiseModel(model);
        if (bootstrapRounds < 0) throw new IllegalArgumentException("bootstrap rounds must be >= 0");
        if (!(level > 0 && level < 1)) throw new IllegalArgumentException("level must be in (0, 1): " + level);
    }

    public RatingOptions withModel(String m) { return new RatingOptions(m, fit, bootstrapRounds, seed, level, scale); }
    public RatingOptions withFit(FitOptions f) { return new RatingOptions(model, f, bootstrapRounds, seed, level, scale); }
    public RatingOptions withL2(double l2) { return withFit(fit.withL2(l2)); }
    public RatingOptions withBootstrap(int rounds, long seed) { return new RatingOptions(model, fit, rounds, seed, level, scale); }
    public RatingOptions withLevel(double l) { return new RatingOptions(model, fit, bootstrapRounds, seed, l, scale); }
    public RatingOptions withScale(Scale s) { return new RatingOptions(model, fit, bootstrapRounds, seed, level, s); }
}
