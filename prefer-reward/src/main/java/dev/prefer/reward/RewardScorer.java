package dev.prefer.reward;

import dev.prefer.data.PreferencePair;
import dev.prefer.reward.eval.PairMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A saved reward model of either backbone, as a service uses it: score one response, compare two, rerank n
 * candidates (best-of-n), evaluate on labelled pairs. {@link RewardModel} (a head on frozen embeddings) and
 * {@link LmRewardModel} (a Hugging Face causal LM with a score head, or a LoRA adapter over one) implement it;
 * {@link #open} picks by what the folder holds.
 *
 * <pre>{@code
 * try (RewardScorer rm = RewardScorer.open(Path.of("runs/rm"), Backbones.Options.defaults())) {
 *     double r = rm.score(prompt, response);
 *     RewardModel.Ranked best = rm.best(prompt, candidates, null);
 * }
 * }</pre>
 */
public interface RewardScorer extends AutoCloseable {

    /** One pair's scores: the rewards (NaN for heads without a per-response reward) and P(chosen ≻ rejected). */
    record PairScore(double rewardChosen, double rewardRejected, double pChosen) {}

    /** Opens a saved model: a sequence-classification folder or PEFT adapter as {@link LmRewardModel}, otherwise {@link RewardModel}. */
    static RewardScorer open(Path folder, Backbones.Options options) {
        if (LmRewardModel.isLmFolder(folder)) return LmRewardModel.load(folder);
        String causal = LmRewardModel.causalLmArchitecture(folder);
        if (causal != null) {
            throw dev.prefer.data.DataException.ofFile(folder.resolve("config.json"), "is a causal LM (" + causal
                    + "), not a reward model: it has no score head (make one with transformers' AutoModelForSequenceClassification, num_labels=1)");
        }
        return RewardModel.load(folder, options);
    }

    /** The reward of one response (annotator: for heads with per-annotator parameters; null for none). */
    double score(String prompt, String response, String annotator);

    default double score(String prompt, String response) {
        return score(prompt, response, null);
    }

    /** P(a ≻ b | prompt, annotator). */
    double preferenceProbability(String prompt, String a, String b, String annotator);

    /** Candidates best first (ties keep input order). */
    List<RewardModel.Ranked> rerank(String prompt, List<String> candidates, String annotator);

    /** Best-of-n: the top candidate. */
    default RewardModel.Ranked best(String prompt, List<String> candidates, String annotator) {
        return rerank(prompt, candidates, annotator).get(0);
    }

    /** Accuracy, log-likelihood, calibration and per-annotator accuracy on labelled pairs. */
    PairMetrics evaluate(List<PreferencePair> pairs);

    /** Rewards and preference probability of every pair (row annotators are used where the model has them). */
    default List<PairScore> scorePairs(List<PreferencePair> pairs) {
        List<PairScore> out = new ArrayList<>(pairs.size());
        for (PreferencePair p : pairs) {
            double rc = score(p.prompt(), p.chosen(), p.annotator()), rr = score(p.prompt(), p.rejected(), p.annotator());
            out.add(new PairScore(rc, rr, preferenceProbability(p.prompt(), p.chosen(), p.rejected(), p.annotator())));
        }
        return out;
    }

    @Override
    void close();
}
