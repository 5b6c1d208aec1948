package dev.prefer.reward.source;

import dev.prefer.lm.PromptResponse;
import dev.prefer.reward.LmRewardModel;
import dev.prefer.reward.RewardModel;
import dev.prefer.reward.RewardScorer;
import dev.prefer.reward.head.ScalarRewardHead;
import java.util.ArrayList;
import java.util.List;

/**
 * A reward model of {@code prefer train reward} with a per-response reward, as a reward source
 * ({@code model:runs/rm}): a head on frozen embeddings (MiniLM, hashing; every head but GPM and the pairwise
 * classifier) or a language model with a score head (a sequence-classification folder or a PEFT adapter). The
 * reward is the model's raw score r(x, y). {@link #scoreAll} batches: an LM scores the completions of all groups
 * in forward passes of {@link LmRewardModel#BATCH}; an embedding head sends the distinct completions of all groups to its backbone at once.
 *
 * <p>The annotator (for heads with per-annotator parameters) is the spec's {@code annotator=} or else the row's
 * {@code annotator} field.
 */
public final class ModelSource implements BatchedSource {
    private final String name;
    private final RewardScorer scorer;
    private final String annotator;

    /** Wraps an open model; the source closes it. A head without a per-response reward is an error: use {@link PairwiseModelSource}. */
    public ModelSource(String name, RewardScorer scorer, String annotator) {
        if (scorer instanceof RewardModel rm && !rm.hasScalarReward()) {
            throw new IllegalArgumentException(name + ": the " + rm.head().config().kind()
                    + " head has no per-response reward; use pairwise:" + name.substring(name.indexOf(':') + 1) + " (within-group win rates)");
        }
        this.name = name;
        this.scorer = scorer;
        this.annotator = annotator;
    }

    public RewardScorer scorer() {
        return scorer;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<GroupScores> scoreAll(List<Group> groups) {
        List<double[]> rewards = new ArrayList<>(groups.size());
        if (scorer instanceof LmRewardModel lm) {
            rewards = split(groups, lm.rewards(texts(groups)));
        } else if (scorer instanceof RewardModel rm) {
            ScalarRewardHead head = (ScalarRewardHead) rm.head();
            List<EncodedGroups.Vectors> vs = EncodedGroups.encode(rm.encoder(), groups, annotator);
            for (int gi = 0; gi < groups.size(); gi++) {
                Group g = groups.get(gi);
                String a = annotatorOf(annotator, g);
                EncodedGroups.Vectors v = vs.get(gi);
                double[] r = new double[g.size()];
                for (int i = 0; i < r.length; i++) r[i] = head.reward(v.context(), v.responses().get(i), a);
                rewards.add(r);
            }
        } else {
            for (Group g : groups) {
                double[] r = new double[g.size()];
                for (int i = 0; i < r.length; i++) r[i] = scorer.score(g.prompt(), g.completions().get(i), annotatorOf(annotator, g));
                rewards.add(r);
            }
        }
        List<GroupScores> out = new ArrayList<>(groups.size());
        for (double[] r : rewards) out.add(GroupScores.of(name, r, null, null));
        return out;
    }

    static List<PromptResponse> texts(List<Group> groups) {
        List<PromptResponse> texts = new ArrayList<>();
        for (Group g : groups) for (String c : g.completions()) texts.add(new PromptResponse(g.prompt(), c));
        return texts;
    }

    static List<double[]> split(List<Group> groups, double[] flat) {
        List<double[]> out = new ArrayList<>(groups.size());
        int at = 0;
        for (Group g : groups) {
            out.add(java.util.Arrays.copyOfRange(flat, at, at + g.size()));
            at += g.size();
        }
        return out;
    }

    static String annotatorOf(String fixed, Group g) {
        if (fixed != null) return fixed;
        return g.fields().get("annotator") instanceof String s ? s : null;
    }

    @Override
    public void close() {
        scorer.close();
    }
}
