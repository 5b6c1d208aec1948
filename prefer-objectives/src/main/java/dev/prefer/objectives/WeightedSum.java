package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A weighted sum of objectives over the same batch, L = Σ_i c_i L_i (TRL: {@code loss_type=[...]} with
 * {@code loss_weights=[...]}, e.g. MPO = sigmoid + BCO + SFT). The parts must agree on the layout; a reference
 * model is needed when any part needs one; the metrics are those of the first part.
 */
public final class WeightedSum implements Objective {

    /** One part of the sum. */
    public record Term(double coefficient, Objective objective) {
        public Term {
            Objects.requireNonNull(objective, "objective");
            if (!Double.isFinite(coefficient)) throw new IllegalArgumentException("coefficient must be finite");
        }
    }

    private final List<Term> terms;
    private final Requirements requirements;

    public WeightedSum(List<Term> terms) {
        if (terms.isEmpty()) throw new IllegalArgumentException("a weighted sum needs at least one objective");
        this.terms = List.copyOf(terms);
        Requirements first = terms.get(0).objective().requirements();
        boolean reference = false, kl = false;
        List<String> attributes = new ArrayList<>();
        for (Term t : terms) {
            Requirements r = t.objective().requirements();
            if (r.layout() != first.layout()) {
                throw new IllegalArgumentException("cannot sum " + first.layout() + " and " + r.layout() + " objectives ("
                        + t.objective().name() + ")");
            }
            if (r.scorePromptTokens() != first.scorePromptTokens()) throw new IllegalArgumentException("parts disagree on scoring prompt tokens");
            if (!r.attributes().isEmpty()) {
                if (!attributes.isEmpty()) throw new IllegalArgumentException("only one part may use attributes");
                attributes.addAll(r.attributes());
            }
            reference |= r.reference();
            kl |= r.klSamples();
        }
        this.requirements = new Requirements(reference, first.layout(), kl, first.scorePromptTokens(), attributes);
    }

    public static WeightedSum of(double c1, Objective o1, double c2, Objective o2) {
        return new WeightedSum(List.of(new Term(c1, o1), new Term(c2, o2)));
    }

    public List<Term> terms() { return terms; }

    @Override
    public String name() {
        StringBuilder b = new StringBuilder();
        for (Term t : terms) b.append(b.length() == 0 ? "" : "+").append(t.coefficient()).append('*').append(t.objective().name());
        return b.toString();
    }

    @Override public Requirements requirements() { return requirements; }
    @Override public RewardForm rewardForm() { return terms.get(0).objective().rewardForm(); }

    @Override
    public double[] groupLosses(Batch b) {
        double[] out = new double[b.groups()];
        for (Term t : terms) {
            double[] l = t.objective().groupLosses(b);
            for (int g = 0; g < out.length; g++) out[g] += t.coefficient() * l[g];
        }
        return out;
    }

    @Override
    public NDArray groupLosses(TensorBatch tb) {
        NDArray sum = null;
        for (Term t : terms) {
            NDArray l = t.objective().groupLosses(tb).mul(Num.scalar(tb.policy(), t.coefficient()));
            sum = sum == null ? l : sum.add(l);
        }
        return sum;
    }
}
