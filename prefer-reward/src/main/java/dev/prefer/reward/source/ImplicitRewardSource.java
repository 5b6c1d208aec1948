package dev.prefer.reward.source;

import dev.prefer.lm.CausalLM;
import dev.prefer.lm.PromptResponse;
import dev.prefer.lm.SequenceLogps;
import java.util.ArrayList;
import java.util.List;

/**
 * A preference-trained causal LM as a pairwise judge, by the implicit reward of the objective it was trained with;
 * P[i][j] = σ(r_i − r_j) within a group (the Bradley–Terry model that objective fits):
 * <ul>
 * <li>DPO ({@code pairwise:DIR?ref=REF&beta=B}): r(x, y) = β [log π(y|x) − log π_ref(y|x)] (Rafailov et al. 2023,
 *     arXiv 2305.18290, eq. 5 and 7);</li>
 * <li>SimPO ({@code pairwise:DIR?implicit=simpo&beta=B}, no reference): r(x, y) = (β/|y|) log π(y|x), the
 *     length-normalised likelihood (Meng et al. 2024, arXiv 2405.14734, eq. 4; its margin γ is a training target,
 *     not part of the judgement).</li>
 * </ul>
 * Sequence log-probabilities are those the trainer uses: encode(prompt) + encode(response) + [eos], summed over the
 * response and its eos (|y| counts the eos). {@code β} should be the one the model was trained with (it only scales
 * the logits). Two identical completions tie exactly.
 */
public final class ImplicitRewardSource implements PairwiseSource {
    private final String name;
    private final CausalLM policy, reference;
    private final double beta;

    /** Wraps open models (a null reference: SimPO's reference-free reward); the source closes them. */
    public ImplicitRewardSource(String name, CausalLM policy, CausalLM reference, double beta) {
        if (!(beta > 0) || !Double.isFinite(beta)) throw new IllegalArgumentException("beta must be > 0, got " + beta);
        this.name = name;
        this.policy = policy;
        this.reference = reference;
        this.beta = beta;
    }

    @Override
    public String name() {
        return name;
    }

    /** r(x, y) = β [log π(y|x) − log π_ref(y|x)], or (β/|y|) log π(y|x) without a reference, of each text, batched. */
    public double[] rewards(List<PromptResponse> texts) {
        if (texts.isEmpty()) return new double[0];
        List<SequenceLogps> lp = policy.logps(texts);
        List<SequenceLogps> lr = reference == null ? null : reference.logps(texts);
        double[] r = new double[texts.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = lr == null ? beta * lp.get(i).sum() / lp.get(i).tokenLogps().length : beta * (lp.get(i).sum() - lr.get(i).sum());
        }
        return r;
    }

    @Override
    public double[][] winProbabilities(Group group) {
        return PairwiseModelSource.tieIdentical(group, PairwiseModelSource.bradleyTerry(rewards(ModelSource.texts(List.of(group)))));
    }

    /** All groups' texts in one batched pass of each model. */
    @Override
    public List<GroupScores> scoreAll(List<Group> groups) {
        List<GroupScores> out = new ArrayList<>(groups.size());
        List<double[]> split = ModelSource.split(groups, rewards(ModelSource.texts(groups)));
        for (int i = 0; i < groups.size(); i++) {
            double[][] p = PairwiseModelSource.tieIdentical(groups.get(i), PairwiseModelSource.bradleyTerry(split.get(i)));
            out.add(GroupScores.of(name, GroupScores.winRates(p), null, p));
        }
        return out;
    }

    @Override
    public void close() {
        try {
            policy.close();
        } finally {
            if (reference != null) reference.close();
        }
    }
}
