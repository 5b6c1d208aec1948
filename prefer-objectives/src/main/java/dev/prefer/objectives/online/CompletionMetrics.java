package dev.prefer.objectives.online;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TRL's per-generation-batch completion metrics (grpo_trainer.py @f2cd577 L2216-2246), from the completion lengths
 * (tokens generated, end-of-sequence token included) and whether each completion was truncated (hit the length limit
 * before its end-of-sequence token). {@code num_tokens} is TRL's running count of prompt and completion tokens seen
 * in training, so it is a counter the trainer keeps: pass the previous value.
 */
public final class CompletionMetrics {
    private CompletionMetrics() {}

    /**
     * {@code completions/mean_length|min_length|max_length}, {@code completions/clipped_ratio} (share truncated),
     * {@code completions/mean_terminated_length|min_terminated_length|max_terminated_length} (over completions that
     * ended, 0 when none did, as TRL), and {@code num_tokens} = previous + Σ prompt lengths + Σ completion lengths.
     */
    public static Map<String, Double> of(int[] promptLengths, int[] completionLengths, boolean[] truncated, double previousNumTokens) {
        int n = completionLengths.length;
        if (n == 0 || truncated.length != n || promptLengths.length != n)
            throw new IllegalArgumentException("prompt lengths, completion lengths and truncation flags must have one value per completion (got "
                    + promptLengths.length + ", " + n + ", " + truncated.length + ")");
        double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        double tSum = 0, tMin = Double.POSITIVE_INFINITY, tMax = Double.NEGATIVE_INFINITY;
        int terminated = 0, clipped = 0;
        double tokens = previousNumTokens;
        for (int i = 0; i < n; i++) {
            int len = completionLengths[i];
            if (len < 0 || promptLengths[i] < 0) throw new IllegalArgumentException("lengths must be >= 0, completion " + i);
            sum += len;
            min = Math.min(min, len);
            max = Math.max(max, len);
            tokens += promptLengths[i] + len;
            if (truncated[i]) {
                clipped++;
            } else {
                terminated++;
                tSum += len;
                tMin = Math.min(tMin, len);
                tMax = Math.max(tMax, len);
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("num_tokens", tokens);
        m.put("completions/mean_length", sum / n);
        m.put("completions/min_length", min);
        m.put("completions/max_length", max);
        m.put("completions/clipped_ratio", (double) clipped / n);
        m.put("completions/mean_terminated_length", terminated == 0 ? 0 : tSum / terminated);
        m.put("completions/min_terminated_length", terminated == 0 ? 0 : tMin);
        m.put("completions/max_terminated_length", terminated == 0 ? 0 : tMax);
        return m;
    }
}
