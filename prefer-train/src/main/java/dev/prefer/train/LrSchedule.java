package dev.prefer.train;

/**
 * Learning rate at an optimizer step, as Hugging Face's {@code get_linear_schedule_with_warmup} and
 * {@code get_cosine_schedule_with_warmup} compute it (step counts from 0):
 * warm-up {@code lr * step / warmup} for step &lt; warmup; then LINEAR {@code lr * max(0, (total - step) /
 * (total - warmup))}, COSINE {@code lr * max(0, 0.5 (1 + cos(pi * progress)))} with progress = (step - warmup) /
 * (total - warmup), or CONSTANT {@code lr}.
 */
public record LrSchedule(TrainConfig.Schedule kind, double peak, int warmup, int total) {
    public LrSchedule {
        if (total < 1) throw new IllegalArgumentException("total steps must be >= 1");
        if (warmup < 0) throw new IllegalArgumentException("warm-up must be >= 0");
    }

    public double at(int step) {
        if (step < warmup) return peak * step / Math.max(1, warmup);
        double span = Math.max(1, total - warmup);
        double progress = (step - warmup) / span;
        return switch (kind) {
            case CONSTANT -> peak;
            case LINEAR -> peak * Math.max(0.0, (total - step) / span);
            case COSINE -> peak * Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
        };
    }
}
