package dev.prefer.reward.source;

import dev.prefer.reward.LmRewardModel;
import dev.prefer.reward.RewardModel;
import dev.prefer.reward.RewardScorer;
import dev.prefer.reward.head.Nums;
import dev.prefer.reward.head.PreferenceHead;
import java.util.ArrayList;
import java.util.List;

/**
 * A preference model as a pairwise source ({@code pairwise:runs/rm-gpm}): the K x K matrix of P(i ≻ j) within the
 * group, and each completion's win rate as its reward ({@link PairwiseSource}). Made for the heads without a
 * per-response reward (GPM, the pairwise classifier), it takes any saved reward model:
 * <ul>
 * <li>embedding heads: P[i][j] = (σ(l(i, j)) + 1 − σ(l(j, i))) / 2 from the head's logit l, both orders averaged
 *     so that the matrix is consistent (P[i][j] + P[j][i] = 1) even for the classifier, whose logit is not
 *     antisymmetric; for antisymmetric heads (Bradley–Terry family, GPM) it is exactly σ(l(i, j));</li>
 * <li>LM score heads: P[i][j] = σ(r_i − r_j) (Bradley–Terry), the rewards of all groups batched.</li>
 * </ul>
 * Two identical completions tie (1/2) exactly.
 */
public final class PairwiseModelSource implements PairwiseSource {
    private final String name;
    private final RewardScorer scorer;
    private final String annotator;

    /** Wraps an open model; the source closes it. */
    public PairwiseModelSource(String name, RewardScorer scorer, String annotator) {
        this.name = name;
        this.scorer = scorer;
        this.annotator = annotator;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double[][] winProbabilities(Group group) {
        if (scorer instanceof RewardModel rm) return tieIdentical(group, headMatrix(rm, group));
        if (scorer instanceof LmRewardModel lm) return tieIdentical(group, bradleyTerry(lm.rewards(ModelSource.texts(List.of(group)))));
        int k = group.size();
        double[][] p = new double[k][k];
        String a = ModelSource.annotatorOf(annotator, group);
        for (int i = 0; i < k; i++) {
            p[i][i] = 0.5;
            for (int j = i + 1; j < k; j++) {
                double pij = 0.5 * (scorer.preferenceProbability(group.prompt(), group.completions().get(i), group.completions().get(j), a)
                        + 1 - scorer.preferenceProbability(group.prompt(), group.completions().get(j), group.completions().get(i), a));
                p[i][j] = pij;
                p[j][i] = 1 - pij;
            }
        }
        return tieIdentical(group, p);
    }

    /** Batched: the LM's rewards of all groups in one pass; an embedding model's completions embedded at once. */
    @Override
    public List<GroupScores> scoreAll(List<Group> groups) {
        List<double[][]> ps = new ArrayList<>(groups.size());
        if (scorer instanceof LmRewardModel lm) {
            for (double[] x : ModelSource.split(groups, lm.rewards(ModelSource.texts(groups)))) ps.add(bradleyTerry(x));
        } else if (scorer instanceof RewardModel rm) {
            List<EncodedGroups.Vectors> vs = EncodedGroups.encode(rm.encoder(), groups, annotator);
            for (int i = 0; i < groups.size(); i++) ps.add(headMatrix(rm, groups.get(i), vs.get(i)));
        } else {
            for (Group g : groups) ps.add(winProbabilities(g));
        }
        List<GroupScores> out = new ArrayList<>(groups.size());
        for (int i = 0; i < groups.size(); i++) {
            double[][] p = tieIdentical(groups.get(i), ps.get(i));
            out.add(GroupScores.of(name, GroupScores.winRates(p), null, p));
        }
        return out;
    }

    private double[][] headMatrix(RewardModel rm, Group g) {
        return headMatrix(rm, g, EncodedGroups.encode(rm.encoder(), List.of(g), annotator).get(0));
    }

    private double[][] headMatrix(RewardModel rm, Group g, EncodedGroups.Vectors vectors) {
        PreferenceHead head = rm.head();
        String a = ModelSource.annotatorOf(annotator, g);
        double[] c = vectors.context();
        List<double[]> v = vectors.responses();
        int k = g.size();
        double[][] p = new double[k][k];
        for (int i = 0; i < k; i++) {
            p[i][i] = 0.5;
            for (int j = i + 1; j < k; j++) {
                double pij = 0.5 * (dev.prefer.core.Scalars.sigmoid(head.logit(c, v.get(i), v.get(j), a)) + 1 - dev.prefer.core.Scalars.sigmoid(head.logit(c, v.get(j), v.get(i), a)));
                p[i][j] = pij;
                p[j][i] = 1 - pij;
            }
        }
        return p;
    }

    /** Two identical completions tie exactly (a batch's padding may otherwise round their rewards apart). */
    static double[][] tieIdentical(Group g, double[][] p) {
        for (int i = 0; i < p.length; i++) {
            for (int j = i + 1; j < p.length; j++) if (g.completions().get(i).equals(g.completions().get(j))) p[i][j] = p[j][i] = 0.5;
        }
        return p;
    }

    /** P[i][j] = σ(r_i − r_j). */
    static double[][] bradleyTerry(double[] r) {
        int k = r.length;
        double[][] p = new double[k][k];
        for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) p[i][j] = i == j ? 0.5 : dev.prefer.core.Scalars.sigmoid(r[i] - r[j]);
        return p;
    }

    @Override
    public void close() {
        scorer.close();
    }
}
