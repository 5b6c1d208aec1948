package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embeddings (Su et al. 2021) with transformers' frequency scalings ({@code modeling_rope_utils.py}:
 * {@code _compute_default_rope_parameters}, {@code _compute_linear_scaling_rope_parameters},
 * {@code _compute_dynamic_ntk_parameters}, {@code _compute_yarn_parameters}, {@code _compute_llama3_parameters}).
 */
final class Rotary {
    private Rotary() {}

    /**
     * Inverse frequencies (E/2) for base {@code theta}, head width {@code e} and scaling {@code s}; {@code seqLen} is
     * the longest position + 1 of the pass (only the dynamic type reads it). [0] holds the frequencies, and the
     * returned attention factor multiplies cos and sin (yarn; else 1).
     */
    static double[] invFreq(int e, double theta, ModelConfig.RopeScaling s, long seqLen, int maxPositions, double[] attentionFactor) {
        int half = e / 2;
        double[] inv = new double[half];
        double base = theta;
        attentionFactor[0] = 1.0;
        if (s.type().equals("dynamic")) {
            // base * ((factor * L / L0) - (factor - 1)) ^ (E / (E - 2)) once L > L0 (transformers: dynamic_rope_update)
            long l0 = s.originalMaxPositions() > 0 ? s.originalMaxPositions() : maxPositions;
            if (seqLen > l0) base = theta * Math.pow(s.factor() * seqLen / l0 - (s.factor() - 1), (double) e / (e - 2));
        }
        for (int j = 0; j < half; j++) {
            // float32 as transformers: 1 / base ** (arange(0, E, 2).float() / E)
            float expo = (float) (2 * j) / (float) e;
            inv[j] = (float) (1.0 / (float) Math.pow(base, expo));
        }
        switch (s.type()) {
            case "default":
            case "dynamic":
                return inv;
            case "linear":
                for (int j = 0; j < half; j++) inv[j] /= s.factor();
                return inv;
            case "llama3": {
                double lowWavelen = s.originalMaxPositions() / s.lowFreqFactor();
                double highWavelen = s.originalMaxPositions() / s.highFreqFactor();
                for (int j = 0; j < half; j++) {
                    double wavelen = 2 * Math.PI / inv[j];
                    double scaled = wavelen > lowWavelen ? inv[j] / s.factor() : inv[j];
                    if (!(wavelen < highWavelen) && !(wavelen > lowWavelen)) {
                        double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                        scaled = (1 - smooth) * scaled / s.factor() + smooth * scaled;
                    }
                    inv[j] = scaled;
                }
                return inv;
            }
            case "yarn": {
                attentionFactor[0] = Double.isNaN(s.attentionFactor()) ? 0.1 * Math.log(s.factor()) + 1.0 : s.attentionFactor();
                double l0 = s.originalMaxPositions();
                double low = Math.max(Math.floor(correctionDim(s.betaFast(), e, theta, l0)), 0);
                double high = Math.min(Math.ceil(correctionDim(s.betaSlow(), e, theta, l0)), e - 1);
                if (low == high) high += 0.001;
                for (int j = 0; j < half; j++) {
                    double ramp = Math.min(1, Math.max(0, (j - low) / (high - low)));
                    double extrapolationFactor = 1 - ramp;
                    double extrapolation = inv[j], interpolation = inv[j] / s.factor();
                    inv[j] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
                }
                return inv;
            }
            default:
                throw new IllegalStateException("unsupported rope type " + s.type());
        }
    }

    private static double correctionDim(double rotations, int dim, double base, double maxPositions) {
        return (dim * Math.log(maxPositions / (rotations * 2 * Math.PI))) / (2 * Math.log(base));
    }

    /**
     * cos, sin (B, 1, T, E) laid out as transformers' {@code rotate_half} expects ({@code [freqs, freqs]}). In float32
     * the angle is the float32 product of the float32 frequency and position, as transformers computes it; the float64
     * twin computes everything in double.
     */
    static NDArray[] tables(NDManager step, DataType dtype, ModelConfig c, double theta, ModelConfig.RopeScaling s, long[] positions, int b, int t) {
        int e = c.headDim();
        int half = e / 2;
        int n = positions.length;
        long seqLen = 0;
        for (long p : positions) seqLen = Math.max(seqLen, p + 1);
        double[] af = new double[1];
        double[] inv = invFreq(e, theta, s, seqLen, c.maxPositions(), af);
        if (dtype == DataType.FLOAT64) {
            double[] cos = new double[n * e], sin = new double[n * e];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < half; j++) {
                    double ang = positions[i] * inv[j];
                    cos[i * e + j] = cos[i * e + j + half] = Math.cos(ang) * af[0];
                    sin[i * e + j] = sin[i * e + j + half] = Math.sin(ang) * af[0];
                }
            }
            return new NDArray[] {Transformer.engineOwned(step.create(cos, new Shape(b, 1, t, e))), Transformer.engineOwned(step.create(sin, new Shape(b, 1, t, e)))};
        }
        float[] cos = new float[n * e], sin = new float[n * e];
        float scale = (float) af[0];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < half; j++) {
                float ang = (float) positions[i] * (float) inv[j];
                cos[i * e + j] = cos[i * e + j + half] = (float) Math.cos(ang) * scale;
                sin[i * e + j] = sin[i * e + j + half] = (float) Math.sin(ang) * scale;
            }
        }
        NDArray cosArr = Transformer.engineOwned(step.create(cos, new Shape(b, 1, t, e)));
        NDArray sinArr = Transformer.engineOwned(step.create(sin, new Shape(b, 1, t, e)));
        if (dtype != DataType.FLOAT32) { // float16: cos.to(x.dtype), as transformers
            cosArr = cosArr.toType(dtype, false);
            sinArr = sinArr.toType(dtype, false);
        }
        return new NDArray[] {cosArr, sinArr};
    }

    /** x * cos + rotate_half(x) * sin, with rotate_half(x) = [-x2, x1]. x: (B, heads, T, E) */
    static NDArray apply(NDArray x, NDArray[] rope) {
        long e = x.getShape().get(3);
        NDList halves = x.split(new long[] {e / 2}, 3);
        NDArray rot = halves.get(1).neg().concat(halves.get(0), 3);
        return x.mul(rope[0]).add(rot.mul(rope[1]));
    }
}
