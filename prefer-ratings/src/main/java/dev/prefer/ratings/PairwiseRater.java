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
        return rate(c, o, null);
    }

    /** Same, with the bootstrap's resamples drawn by {@code resampler} (null: the multinomial {@link Bootstrap}). */
    Result rate(Comparisons c, RatingOptions o, Ratings.Resampler resampler) {
        List<String> notes = new ArrayList<>();
        if (o.reweight() > 0) {
            if (o.bootstrapRounds() == 0 && !o.intervals().equals("sandwich")) {
                throw new IllegalArgumentException("reweighted votes need sandwich or bootstrap intervals (--intervals sandwich or --bootstrap N); Fisher intervals would treat the weights as counts");
            }
            c = c.reweighted(o.reweight());
            notes.add("reweighted: each vote weighs 1/max(votes of its pair, " + o.reweight() + ")");
        }
        Fit fit = PairwiseFitter.fit(model, c, o.fit());
        Bootstrap.Result boot = o.bootstrapRounds() <= 0 ? null
                : resampler != null ? resampler.bootstrap(model, c, fit, o.reweight() > 0, o)
                : Bootstrap.run(model, c, o.fit(), fit, Bootstrap.Options.of(o.bootstrapRounds(), o.seed()).withByCount(o.reweight() > 0));
        String seMethod = "fisher";
        if (boot == null && o.intervals().equals("sandwich")) {
            Sandwich.Result sw = Sandwich.pairwise(model, c, fit, o.fit().l2());
            fit = new Fit(fit.model(), fit.items(), fit.theta(), sw.thetaSe(), fit.component(), fit.components(), fit.tieParameter(),
                    fit.logLikelihood(), fit.iterations(), fit.converged(), fit.notes());
            seMethod = "sandwich";
            if (sw.tieSe().length > 0) notes.add("tie parameter sandwich se (of its log): " + fmt(sw.tieSe()));
        }
        Leaderboard lb = Leaderboard.of(fit, c.votesPerItem(), o.scale(), boot, o.level(), seMethod);
        if (model == ThurstoneModel.INSTANCE) lb = lb.withModel(lb.model(), Leaderboard.PROBIT);
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
