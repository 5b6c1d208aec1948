package dev.prefer.ratings;

import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@link Rater} of the pairwise maximum-likelihood models (Bradley-Terry, Thurstone, Davidson, Rao-Kupper):
 * collapse the votes ({@link Comparisons}), fit by Newton ({@link PairwiseFitter}), intervals from a bootstrap of
 * the unique rows ({@link Bootstrap}) or, without one, from the Fisher information.
 */
final class PairwiseRater implements Rater {
    private final PairwiseModel model;
    private final String name;

    PairwiseRater(PairwiseModel model, String name) {
        this.model = model;
        this.name = name;
    }

    @Override public String name() { return name; }

    @Override
    public Result rate(List<Vote> votes, RatingOptions o) {
        if (votes.isEmpty()) throw new IllegalArgumentException("no votes to rate");
        return rate(Comparisons.of(votes), o);
    }

    /** Rates already collapsed votes. */
    Result rate(Comparisons c, RatingOptions o) {
        if (o.intervals().equals("sandwich")) throw new IllegalArgumentException("sandwich intervals are not available yet");
        Fit fit = PairwiseFitter.fit(model, c, o.fit());
        Bootstrap.Result boot = o.bootstrapRounds() > 0
                ? Bootstrap.run(model, c, o.fit(), fit, Bootstrap.Options.of(o.bootstrapRounds(), o.seed())) : null;
        Leaderboard lb = Leaderboard.of(fit, c.votesPerItem(), o.scale(), boot, o.level());
        if (model == ThurstoneModel.INSTANCE) lb = lb.withModel(lb.model(), Leaderboard.PROBIT);
        List<String> notes = new ArrayList<>();
        if (fit.tieParameter().length > 0) {
            notes.add("tie parameter (" + (model == DavidsonModel.INSTANCE ? "nu" : "kappa") + "): " + fmt(fit.tieParameter()));
        }
        double eta = fit.tieParameter().length > 0 ? Math.log(fit.tieParameter()[0]) : 0;
        double[][] p = Rater.winProbabilities(model, fit.theta(), eta, fit.component());
        if (fit.components() > 1) notes.add("win probabilities between items of different components are not identified (NA)");
        return new Result(lb.withNotes(notes), fit.items(), p, Map.of());
    }

    private static String fmt(double[] x) {
        StringBuilder b = new StringBuilder();
        for (double v : x) b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", v));
        return b.toString();
    }
}
