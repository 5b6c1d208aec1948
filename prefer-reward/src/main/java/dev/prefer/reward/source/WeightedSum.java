package dev.prefer.reward.source;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several sources with weights, TRL's {@code reward_funcs} with {@code reward_weights}: reward_i = Σ_s w_s r_{s,i}
 * over the sources whose reward for completion i is not NaN (TRL's GRPOTrainer sums with {@code nansum} so that a
 * function may decline a sample); NaN when every source declines. The components hold every part's components
 * (its own reward under its name, unweighted, and its sub-scores), so each source's mean is logged apart. The
 * win matrix is passed on when exactly one part is pairwise.
 */
public final class WeightedSum implements BatchedSource {
    /** One part and its weight. */
    public record Part(RewardSource source, double weight) {
        public Part {
            if (!Double.isFinite(weight)) throw new IllegalArgumentException(source.name() + ": weight must be finite: " + weight);
        }
    }

    private final List<Part> parts;
    private final String name;

    public WeightedSum(List<Part> parts) {
        if (parts.isEmpty()) throw new IllegalArgumentException("a weighted sum needs at least one source");
        this.parts = List.copyOf(parts);
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            if (sb.length() > 0) sb.append(" + ");
            sb.append(RewardSpec.formatWeight(p.weight())).append('*').append(p.source().name());
        }
        this.name = sb.toString();
    }

    public List<Part> parts() {
        return parts;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<GroupScores> scoreAll(List<Group> groups) {
        List<List<GroupScores>> each = new ArrayList<>(parts.size());
        for (Part p : parts) each.add(p.source().scoreAll(groups));
        List<GroupScores> out = new ArrayList<>(groups.size());
        for (int g = 0; g < groups.size(); g++) {
            int k = groups.get(g).size();
            double[] r = new double[k];
            boolean[] any = new boolean[k];
            Map<String, double[]> comps = new LinkedHashMap<>();
            double[][] win = null;
            int pairwise = 0;
            for (int s = 0; s < parts.size(); s++) {
                GroupScores gs = each.get(s).get(g);
                double w = parts.get(s).weight();
                for (int i = 0; i < k; i++) {
                    double v = gs.rewards()[i];
                    if (Double.isNaN(v)) continue;
                    r[i] += w * v;
                    any[i] = true;
                }
                comps.putAll(gs.components());
                if (gs.winProbabilities() != null) {
                    pairwise++;
                    win = gs.winProbabilities();
                }
            }
            for (int i = 0; i < k; i++) if (!any[i]) r[i] = Double.NaN;
            out.add(new GroupScores(r, comps, pairwise == 1 ? win : null));
        }
        return out;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Part p : parts) m.putAll(p.source().counters());
        return m;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (Part p : parts) {
            try {
                p.source().close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
