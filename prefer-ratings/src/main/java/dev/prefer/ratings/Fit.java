package dev.prefer.ratings;

import java.util.List;

/**
 * The result of fitting a rating model: per item a natural-log strength θ (centred to mean 0 within each
 * connected component of the comparison graph, unless an L2 penalty fixed the location), its Fisher-information
 * standard error, and how the fit went.
 *
 * @param model          model name ("bt", "davidson", ...)
 * @param items          item names, index-aligned with the arrays
 * @param theta          log-strengths
 * @param standardError  standard errors of θ from the inverse observed Fisher information (restricted to the
 *                       mean-zero gauge per component), NaN when not computed
 * @param component      connected component of each item (0-based); ratings are only comparable within one
 * @param components     number of components
 * @param tieParameter   the tie parameter on its natural scale per component (Davidson ν, Rao-Kupper κ), empty
 *                       for models without one
 * @param logLikelihood  the (unpenalised) log-likelihood at θ
 * @param iterations     solver iterations (largest over components)
 * @param converged      whether every component met the tolerance
 * @param notes          messages worth telling the user (e.g. disconnected graph)
 */
public record Fit(String model, List<String> items, double[] theta, double[] standardError, int[] component,
                  int components, double[] tieParameter, double logLikelihood, int iterations, boolean converged,
                  List<String> notes) {
    public Fit {
        items = List.copyOf(items);
        theta = theta.clone();
        standardError = standardError.clone();
        component = component.clone();
        tieParameter = tieParameter.clone();
        notes = List.copyOf(notes);
    }

    @Override public double[] theta() { return theta.clone(); }
    @Override public double[] standardError() { return standardError.clone(); }
    @Override public int[] component() { return component.clone(); }
    @Override public double[] tieParameter() { return tieParameter.clone(); }

    /** θ of one item. */
    public double theta(int i) { return theta[i]; }

    /** θ of an item by name. */
    public double theta(String item) {
        int i = items.indexOf(item);
        if (i < 0) throw new IllegalArgumentException("unknown item '" + item + "'");
        return theta[i];
    }
}
