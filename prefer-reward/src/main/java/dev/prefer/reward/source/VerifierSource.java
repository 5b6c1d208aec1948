package dev.prefer.reward.source;

import dev.prefer.eval.tasks.Problem;
import dev.prefer.eval.tasks.VerifiableTask;
import dev.prefer.eval.tasks.Verdict;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A built-in verifier as a reward source ({@code verifier:arithmetic}, {@code verifier:format},
 * {@code verifier:counting}): each completion's reward is its {@link Verdict#score()} in [0, 1]; the sub-scores
 * are {@code pass} (0/1) and the verdict's named components. The problem is recovered from the prompt text
 * ({@link VerifiableTask#parse}); a prompt of another task is an error naming the source and the prompt.
 */
public final class VerifierSource implements RewardSource {
    private final String name;
    private final VerifiableTask<? extends Problem> task;

    public VerifierSource(String name, VerifiableTask<? extends Problem> task) {
        this.name = name;
        this.task = task;
    }

    public VerifiableTask<? extends Problem> task() {
        return task;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public GroupScores score(Group group) {
        return scoreWith(task, group);
    }

    private <P extends Problem> GroupScores scoreWith(VerifiableTask<P> t, Group group) {
        P problem;
        try {
            problem = t.parse(group.prompt());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": prompt " + quote(group.prompt()) + " is not a " + t.name() + " problem ("
                    + dev.prefer.data.DataException.oneLine(e.getMessage()) + ")");
        }
        int k = group.size();
        double[] rewards = new double[k];
        Map<String, double[]> subs = new LinkedHashMap<>();
        double[] pass = new double[k];
        subs.put("pass", pass);
        for (int i = 0; i < k; i++) {
            Verdict v = t.verify(problem, group.completions().get(i));
            rewards[i] = v.score();
            pass[i] = v.pass() ? 1 : 0;
            for (Map.Entry<String, Double> c : v.components().entrySet()) {
                if (c.getKey().equals("pass")) continue;
                subs.computeIfAbsent(c.getKey(), x -> new double[k])[i] = c.getValue();
            }
        }
        return GroupScores.of(name, rewards, subs, null);
    }

    static String quote(String s) {
        String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return "'" + dev.prefer.data.DataException.oneLine(t) + "'";
    }
}
