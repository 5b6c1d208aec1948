package dev.prefer.eval.tasks;

import java.util.List;
import java.util.Objects;

/**
 * A ranked list for listwise objectives (ListMLE / Plackett-Luce, LiPO): responses to one prompt, best first, with
 * their scores (non-increasing). Kept here until prefer-data's list record lands; it maps one-to-one onto a
 * {@code {"prompt", "responses", "scores"}} JSONL row.
 */
public record RankedList(String prompt, List<String> responses, List<Double> scores) {
    public RankedList {
        Objects.requireNonNull(prompt, "prompt");
        responses = List.copyOf(responses);
        scores = List.copyOf(scores);
        if (responses.size() != scores.size()) throw new IllegalArgumentException("responses and scores differ in length");
        for (int i = 1; i < scores.size(); i++) {
            if (scores.get(i) > scores.get(i - 1)) throw new IllegalArgumentException("scores must be non-increasing (best first)");
        }
    }
}
