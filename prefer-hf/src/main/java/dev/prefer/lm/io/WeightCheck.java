package dev.prefer.lm.io;

import dev.prefer.data.DataException;
import java.nio.file.Path;

/**
 * Checks a model weight before it is used: it must be stored as a floating-point type (an integer tensor would be
 * converted to floats and silently give nonsense, e.g. log-probs of -7.6e10) and every value must be finite (a NaN
 * weight makes every log-prob NaN). Errors are one-line {@link DataException}s naming the file and the tensor.
 */
public final class WeightCheck {
    private WeightCheck() {}

    /** @throws DataException when {@code t} is not a usable floating-point weight */
    public static void check(Path source, String name, HostTensor t) {
        if (!t.storedAs().isFloatingPoint()) {
            throw new DataException(source, 0, name, "stored as " + t.storedAs() + ": model weights must be floating point"
                    + " (F32, F16, BF16 or F64); integer weights are a quantised or damaged checkpoint, not supported");
        }
        float[] d = t.data();
        long bad = 0;
        int first = -1;
        for (int i = 0; i < d.length; i++) {
            if (!Float.isFinite(d[i])) {
                if (first < 0) first = i;
                bad++;
            }
        }
        if (bad > 0) {
            throw new DataException(source, 0, name, bad + " of " + d.length + " values are not finite (first: " + d[first]
                    + " at flat index " + first + "); the checkpoint is damaged");
        }
    }
}
