package dev.prefer.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Jsonl;
import dev.prefer.core.stats.Bootstrap;
import dev.prefer.core.stats.Estimate;
import dev.prefer.eval.metrics.LengthStats;
import dev.prefer.eval.metrics.VerifierAccuracy;
import dev.prefer.eval.tasks.Problem;
import dev.prefer.eval.tasks.Tasks;
import dev.prefer.eval.tasks.Verdict;
import dev.prefer.eval.tasks.VerifiableTask;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies a file of model responses: JSONL rows {@code {"prompt", "response"}} (or {@code "completion"}) for one
 * built-in task, scored by the task's verifier from the prompt text alone. Reports verifier accuracy with a
 * bootstrap and a Wilson interval, the mean score, the mean of each verdict component and response lengths in
 * characters. A row whose prompt is not of the task is an error naming file, line and field.
 */
public final class VerifyResponses {
    private VerifyResponses() {}

    /**
     * @param n          rows
     * @param accuracy   share passing, bootstrap interval
     * @param wilson     the same share, Wilson interval
     * @param meanScore  mean verifier score with a bootstrap interval
     * @param components mean of each verdict component over the rows that have it
     * @param lengths    response lengths in characters
     */
    public record Summary(int n, Estimate accuracy, Estimate wilson, Estimate meanScore, Map<String, Double> components, LengthStats lengths) {}

    public static Summary verify(String taskName, Path file, Bootstrap bootstrap) {
        @SuppressWarnings("unchecked")
        VerifiableTask<Problem> task = (VerifiableTask<Problem>) Tasks.byName(taskName);
        List<Boolean> pass = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        Map<String, double[]> comp = new LinkedHashMap<>();
        Jsonl.read(file, false, (line, row) -> {
            String prompt = Jsonl.requireString(file, line, row, "prompt");
            String field = row.has("response") ? "response" : "completion";
            String response = Jsonl.requireString(file, line, row, field);
            Problem p;
            try {
                p = task.parse(prompt);
            } catch (IllegalArgumentException e) {
                throw new DataException(file, line, "prompt", e.getMessage());
            }
            Verdict v = task.verify(p, response);
            pass.add(v.pass());
            scores.add(v.score());
            lengths.add(response.length());
            v.components().forEach((k, x) -> {
                double[] acc = comp.computeIfAbsent(k, kk -> new double[2]);
                acc[0] += x;
                acc[1]++;
            });
        });
        if (pass.isEmpty()) throw DataException.ofFile(file, "no rows");
        boolean[] b = new boolean[pass.size()];
        int k = 0;
        for (int i = 0; i < b.length; i++) {
            b[i] = pass.get(i);
            if (b[i]) k++;
        }
        Map<String, Double> means = new LinkedHashMap<>();
        comp.forEach((name, acc) -> means.put(name, acc[0] / acc[1]));
        return new Summary(b.length, VerifierAccuracy.of(b, bootstrap), VerifierAccuracy.wilson(k, b.length, bootstrap.confidence()),
                VerifierAccuracy.ofScores(scores.stream().mapToDouble(Double::doubleValue).toArray(), bootstrap), means,
                LengthStats.of(lengths.stream().mapToInt(Integer::intValue).toArray()));
    }
}
