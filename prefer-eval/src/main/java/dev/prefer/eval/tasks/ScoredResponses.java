package dev.prefer.eval.tasks;

import java.util.List;
import java.util.Objects;

/**
 * The k responses sampled for one prompt, each with its verifier score, in sampling order.
 *
 * @param prompt    the prompt
 * @param responses the responses
 * @param scores    one finite score per response (higher is better)
 */
public record ScoredResponses(String prompt, List<String> responses, List<Double> scores) {
    public ScoredResponses {
        Objects.requireNonNull(prompt, "prompt");
        responses = List.copyOf(responses);
        scores = List.copyOf(scores);
        if (responses.size() != scores.size()) {
            throw new IllegalArgumentException("responses and scores differ in length: " + responses.size() + " vs " + scores.size());
        }
        for (double s : scores) if (!Double.isFinite(s)) throw new IllegalArgumentException("score must be finite: " + s);
    }

    /** Scores every response with the task's verifier. */
    public static <P extends Problem> ScoredResponses verify(VerifiableTask<P> task, P problem, List<String> responses) {
        return new ScoredResponses(problem.prompt(), responses,
                responses.stream().map(r -> task.verify(problem, r).score()).toList());
    }
}
