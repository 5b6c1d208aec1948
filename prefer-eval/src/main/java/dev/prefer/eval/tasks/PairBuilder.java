package dev.prefer.eval.tasks;

import dev.prefer.data.PreferencePair;
import dev.prefer.data.Source;
import dev.prefer.data.pref.RankedList;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Turns k verifier-scored samples per prompt into preference data: the on-policy recipe of iterative/online DPO
 * (Xiong et al. 2024; Tajwar et al. 2024, "Preference Fine-Tuning of LLMs Should Leverage Suboptimal, On-Policy
 * Data"; DNO, Rosset et al. 2024), where the pairs come from the current policy's own samples.
 *
 * <ul>
 *   <li>{@link Strategy#BEST_VS_WORST}: one pair per prompt, a highest-scored response over a lowest-scored one
 *       (the first of each in sampling order), if their gap exceeds {@code minGap};</li>
 *   <li>{@link Strategy#ALL_PAIRS}: every ordered pair (i, j) with {@code s_i - s_j > minGap}, i.e. each unordered
 *       pair of distinct scores once, higher score as chosen; in sampling order of i, then j;</li>
 *   <li>{@link #rankedList}: all responses best first, for listwise objectives.</li>
 * </ul>
 * The pair's {@code margin} is the score gap {@code s_chosen - s_rejected}. With {@code dedupe}, repeated identical
 * responses count once (the first occurrence), so a prompt whose samples all agree yields nothing.
 *
 * @param strategy which pairs to build (default BEST_VS_WORST)
 * @param minGap   a pair needs a score gap strictly greater than this, >= 0 (default 0)
 * @param dedupe   drop repeated identical responses first (default true)
 */
public record PairBuilder(Strategy strategy, double minGap, boolean dedupe) {

    public enum Strategy { BEST_VS_WORST, ALL_PAIRS }

    public PairBuilder {
        if (strategy == null) throw new IllegalArgumentException("strategy is required");
        if (!(minGap >= 0) || Double.isInfinite(minGap)) throw new IllegalArgumentException("minGap must be finite and >= 0: " + minGap);
    }

    public static PairBuilder defaults() {
        return new PairBuilder(Strategy.BEST_VS_WORST, 0.0, true);
    }

    /** The pairs for one prompt (possibly none). */
    public List<PreferencePair> pairs(ScoredResponses s) {
        List<Map.Entry<String, Double>> items = items(s);
        List<PreferencePair> out = new ArrayList<>();
        if (strategy == Strategy.BEST_VS_WORST) {
            int best = -1, worst = -1;
            for (int i = 0; i < items.size(); i++) {
                if (best < 0 || items.get(i).getValue() > items.get(best).getValue()) best = i;
                if (worst < 0 || items.get(i).getValue() < items.get(worst).getValue()) worst = i;
            }
            if (best >= 0 && items.get(best).getValue() - items.get(worst).getValue() > minGap) {
                out.add(pair(s.prompt(), items.get(best), items.get(worst)));
            }
        } else {
            for (int i = 0; i < items.size(); i++) {
                for (int j = 0; j < items.size(); j++) {
                    if (items.get(i).getValue() - items.get(j).getValue() > minGap) out.add(pair(s.prompt(), items.get(i), items.get(j)));
                }
            }
        }
        return out;
    }

    /** The pairs for many prompts, concatenated in prompt order. */
    public List<PreferencePair> pairs(List<ScoredResponses> all) {
        List<PreferencePair> out = new ArrayList<>();
        for (ScoredResponses s : all) out.addAll(pairs(s));
        return out;
    }

    /**
     * All (deduplicated) responses best first, ties kept in sampling order; empty when the spread of scores does
     * not exceed {@code minGap} or fewer than two responses remain (such a list teaches nothing).
     */
    public Optional<RankedList> rankedList(ScoredResponses s) {
        List<Map.Entry<String, Double>> items = new ArrayList<>(items(s));
        if (items.size() < 2) return Optional.empty();
        items.sort(Comparator.comparingDouble((Map.Entry<String, Double> e) -> e.getValue()).reversed()); // stable
        if (items.get(0).getValue() - items.get(items.size() - 1).getValue() <= minGap) return Optional.empty();
        return Optional.of(RankedList.of(s.prompt(), items.stream().map(Map.Entry::getKey).toList(),
                items.stream().mapToDouble(Map.Entry::getValue).toArray()));
    }

    /**
     * Reference-vs-hard-negative pairs for one problem: the task's reference completion chosen over each of up to
     * {@code count} of its negatives (e.g. arithmetic near misses), margin = score gap, annotator = {@code verifier:TASK}. For held-out ranking
     * accuracy, where the truth is known without sampling.
     */
    public static <P extends Problem> List<PreferencePair> hardNegativePairs(VerifiableTask<P> task, P problem, SplittableRandom rng, int count) {
        double refScore = task.verify(problem, problem.reference()).score();
        List<PreferencePair> out = new ArrayList<>();
        for (VerifiableTask.Negative n : task.negatives(problem, rng, count)) {
            double gap = refScore - task.verify(problem, n.response()).score();
            if (gap > 0) {
                out.add(new PreferencePair(problem.prompt(), problem.reference(), n.response(), gap, 1.0, "verifier:" + task.name(), Map.of(), Source.MEMORY));
            }
        }
        return out;
    }

    private List<Map.Entry<String, Double>> items(ScoredResponses s) {
        if (!dedupe) {
            List<Map.Entry<String, Double>> l = new ArrayList<>();
            for (int i = 0; i < s.responses().size(); i++) l.add(Map.entry(s.responses().get(i), s.scores().get(i)));
            return l;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < s.responses().size(); i++) m.putIfAbsent(s.responses().get(i), s.scores().get(i));
        return new ArrayList<>(m.entrySet());
    }

    private static PreferencePair pair(String prompt, Map.Entry<String, Double> chosen, Map.Entry<String, Double> rejected) {
        return new PreferencePair(prompt, chosen.getKey(), rejected.getKey(), chosen.getValue() - rejected.getValue(), 1.0, null, Map.of(), Source.MEMORY);
    }
}
