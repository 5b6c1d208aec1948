package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;

/**
 * What one forward pass shares between its blocks: the step manager, ids and positions, the attention bias (and the
 * sliding-window one, made on first use), rotary tables per base, and the cache.
 */
final class Pass {
    final NDManager step;
    final DataType dtype;
    final ModelConfig config;
    final long[] ids;       // (B*T)
    final long[] positions; // (B*T)
    final int b, t, past;
    final Transformer.KvCache cache;
    /** causal + padding (or packed-segment) bias, (1 or B, 1, T, S) */
    final NDArray bias;
    /** position of every key slot (B*S): the cache's then this pass's */
    final long[] keyPositions;
    /** whether each new position is a real token (B*T); null when all are */
    final boolean[] newValid;
    private NDArray slidingBias;
    private final Map<Double, NDArray[]> ropes = new HashMap<>();

    Pass(NDManager step, ModelConfig config, DataType dtype, long[] ids, long[] positions, int b, int t, Transformer.KvCache cache,
         NDArray bias, boolean[] newValid) {
        this.step = step;
        this.config = config;
        this.dtype = dtype;
        this.ids = ids;
        this.positions = positions;
        this.b = b;
        this.t = t;
        this.cache = cache;
        this.past = cache == null ? 0 : cache.length;
        this.bias = bias;
        this.newValid = newValid;
        int s = past + t;
        long[] kp = new long[b * s];
        for (int r = 0; r < b; r++) {
            if (past > 0) System.arraycopy(cache.keyPositions, r * past, kp, r * s, past);
            System.arraycopy(positions, r * t, kp, r * s + past, t);
        }
        this.keyPositions = kp;
    }

    /** The attention bias of layer {@code i}: with the sliding window when the layer is a sliding one. */
    NDArray bias(int layer) {
        if (!config.layout().sliding(layer)) return bias;
        if (slidingBias == null) slidingBias = makeSliding();
        return slidingBias;
    }

    /** Query i reads key j only when pos(i) − pos(j) < window (transformers' {@code sliding_window_overlay}). */
    private NDArray makeSliding() {
        int w = config.layout().slidingWindow();
        int s = past + t;
        long maxPos = 0;
        for (long p : keyPositions) maxPos = Math.max(maxPos, p);
        if (maxPos < w) return bias; // nothing is out of the window
        float[] m = new float[b * t * s];
        for (int r = 0; r < b; r++) {
            for (int q = 0; q < t; q++) {
                long qp = positions[r * t + q];
                for (int k = 0; k < s; k++) {
                    if (qp - keyPositions[r * s + k] >= w) m[(r * t + q) * s + k] = Transformer.MASKED;
                }
            }
        }
        NDArray a = Transformer.engineOwned(step.create(m, new Shape(b, 1, t, s)));
        if (bias.getDataType() != DataType.FLOAT32) a = a.toType(bias.getDataType(), false);
        return a.minimum(bias); // (B, 1, T, S)
    }

    /** cos, sin (B, 1, T, E) for rotary base {@code theta} with the config's scaling (local layers: none). */
    NDArray[] rope(double theta, boolean scaled) {
        double key = scaled ? theta : -theta;
        NDArray[] r = ropes.get(key);
        if (r == null) {
            r = Rotary.tables(step, dtype, config, theta, scaled ? config.ropeScaling() : ModelConfig.RopeScaling.NONE, positions, b, t);
            ropes.put(key, r);
        }
        return r;
    }
}
