package dev.prefer.train;

import java.util.List;

/**
 * One training group, tokenized: a prompt and K responses (pairs: chosen then rejected; lists: in file order; SFT:
 * one completion), with graded labels (higher is better), a weight, an optional margin and attribute values.
 * Response ids include the eos the fixtures' convention appends (unless length truncation cut it).
 */
public record TrainExample(long[] prompt, List<long[]> responses, double[] labels, double weight, Double margin,
                           double[] attributes) {
    public TrainExample {
        responses = List.copyOf(responses);
        if (labels.length != responses.size()) throw new IllegalArgumentException("one label per response");
    }

    public int k() {
        return responses.size();
    }

    /** Prompt plus response tokens over all responses. */
    public long tokens() {
        long n = 0;
        for (long[] r : responses) n += prompt.length + r.length;
        return n;
    }
}
