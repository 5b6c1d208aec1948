package dev.prefer.rl.nn;

import java.util.Random;

/**
 * A small multilayer perceptron in double precision with hand-written backpropagation: tanh hidden layers, a linear
 * output. Parameters live in one flat array (layer by layer: weights row-major [out][in], then biases), so one
 * {@link Adam} updates everything. Forward passes return a {@link Trace} that {@link #backward} consumes.
 */
public final class Mlp implements java.io.Serializable {
    private final int[] sizes;
    private final double[] params;
    private final int[] wOff;
    private final int[] bOff;

    /** sizes = {in, hidden..., out}; Glorot-uniform weights, zero biases. */
    public Mlp(Random rng, int... sizes) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("Mlp: need input and output sizes");
        }
        this.sizes = sizes.clone();
        int n = 0;
        wOff = new int[sizes.length - 1];
        bOff = new int[sizes.length - 1];
        for (int l = 0; l + 1 < sizes.length; l++) {
            wOff[l] = n;
            n += sizes[l] * sizes[l + 1];
            bOff[l] = n;
            n += sizes[l + 1];
        }
        params = new double[n];
        for (int l = 0; l + 1 < sizes.length; l++) {
            double a = Math.sqrt(6.0 / (sizes[l] + sizes[l + 1]));
            for (int i = 0; i < sizes[l] * sizes[l + 1]; i++) {
                params[wOff[l] + i] = a * (2 * rng.nextDouble() - 1);
            }
        }
    }

    private Mlp(int[] sizes, double[] params, int[] wOff, int[] bOff) {
        this.sizes = sizes;
        this.params = params;
        this.wOff = wOff;
        this.bOff = bOff;
    }

    public Mlp copy() {
        return new Mlp(sizes.clone(), params.clone(), wOff, bOff);
    }

    public double[] params() {
        return params;
    }

    /** Layer sizes {in, hidden..., out}. */
    public int[] sizes() {
        return sizes.clone();
    }

    public int inputSize() {
        return sizes[0];
    }

    public int outputSize() {
        return sizes[sizes.length - 1];
    }

    /** Activations of every layer (index 0 = input). */
    public record Trace(double[][] act) {
        public double[] output() {
            return act[act.length - 1];
        }
    }

    public Trace forward(double[] x) {
        if (x.length != sizes[0]) {
            throw new IllegalArgumentException("Mlp: input of length " + x.length + ", expected " + sizes[0]);
        }
        double[][] act = new double[sizes.length][];
        act[0] = x;
        for (int l = 0; l + 1 < sizes.length; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            double[] y = new double[out];
            double[] a = act[l];
            for (int o = 0; o < out; o++) {
                double s = params[bOff[l] + o];
                int row = wOff[l] + o * in;
                for (int i = 0; i < in; i++) {
                    if (a[i] != 0) {
                        s += params[row + i] * a[i];
                    }
                }
                y[o] = l + 2 < sizes.length ? Math.tanh(s) : s;
            }
            act[l + 1] = y;
        }
        return new Trace(act);
    }

    public double[] apply(double[] x) {
        return forward(x).output();
    }

    private static int[] nonZero(double[] a) {
        int n = 0;
        for (double v : a) {
            n += v != 0 ? 1 : 0;
        }
        int[] idx = new int[n];
        int k = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != 0) {
                idx[k++] = i;
            }
        }
        return idx;
    }

    /** Adds dLoss/dparams to grad given dLoss/doutput; returns dLoss/dinput. */
    public double[] backward(Trace tr, double[] dOut, double[] grad) {
        double[] d = dOut.clone();
        for (int l = sizes.length - 2; l >= 0; l--) {
            int in = sizes[l];
            int out = sizes[l + 1];
            if (l + 2 < sizes.length) {                    // through tanh: d *= 1 - y^2
                double[] y = tr.act()[l + 1];
                for (int o = 0; o < out; o++) {
                    d[o] *= 1 - y[o] * y[o];
                }
            }
            double[] a = tr.act()[l];
            double[] dIn = new double[in];
            int[] nz = nonZero(a);                          // one-hot inputs: only their weights get gradient
            for (int o = 0; o < out; o++) {
                double g = d[o];
                if (g == 0) {
                    continue;
                }
                grad[bOff[l] + o] += g;
                int row = wOff[l] + o * in;
                for (int i : nz) {
                    grad[row + i] += g * a[i];
                }
                for (int i = 0; i < in; i++) {
                    dIn[i] += g * params[row + i];
                }
            }
            d = dIn;
        }
        return d;
    }
}
