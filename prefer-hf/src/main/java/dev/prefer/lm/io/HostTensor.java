package dev.prefer.lm.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor in host memory. {@code data} is always float32, row-major: F16 and BF16 are widened exactly, F64 is
 * rounded, integer and boolean types are converted. {@code storedAs} remembers the dtype on disk.
 */
public record HostTensor(String name, DType storedAs, long[] shape, float[] data) {
    public HostTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(storedAs, "storedAs");
        shape = shape.clone();
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        if (n != data.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + n + " elements, data has " + data.length);
        }
    }

    /** A float32 tensor. */
    public static HostTensor of(String name, long[] shape, float[] data) {
        return new HostTensor(name, DType.F32, shape, data);
    }

    public long numel() {
        return data.length;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor t && name.equals(t.name) && storedAs == t.storedAs
                && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, storedAs, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return name + " " + storedAs + Arrays.toString(shape);
    }
}
