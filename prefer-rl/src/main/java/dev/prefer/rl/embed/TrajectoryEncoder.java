package dev.prefer.rl.embed;

import dev.prefer.rl.nn.Mlp;
import dev.prefer.rl.policy.SegmentData;
import java.util.Random;

/**
 * A permutation-invariant trajectory encoder z = MLP(mean_t x_t), x_t = (obs_t, onehot(a_t)) (obs_t alone when
 * {@code actions} is 0): the small stand-in for the transformer encoders of OPPO and the style encoders of
 * conditioned imitation. Gradients flow from dL/dz into the MLP's parameters ({@link #backward}).
 */
public final class TrajectoryEncoder implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final Mlp net;
    private final int obsSize;
    private final int actions;

    public TrajectoryEncoder(Random rng, int obsSize, int actions, int hidden, int zdim) {
        this.obsSize = obsSize;
        this.actions = actions;
        net = new Mlp(rng, obsSize + actions, hidden, zdim);
    }

    public Mlp net() {
        return net;
    }

    public int size() {
        return net.outputSize();
    }

    /** The mean of the per-step inputs. */
    public double[] pooled(SegmentData s) {
        double[] x = new double[obsSize + actions];
        int n = s.length();
        for (int t = 0; t < n; t++) {
            double[] o = s.obs()[t];
            for (int i = 0; i < obsSize; i++) {
                x[i] += o[i] / n;
            }
            if (actions > 0) {
                x[obsSize + s.actions()[t]] += 1.0 / n;
            }
        }
        return x;
    }

    public Mlp.Trace forward(SegmentData s) {
        return net.forward(pooled(s));
    }

    public double[] encode(SegmentData s) {
        return forward(s).output();
    }

    /** Adds dL/dparams into grad given dL/dz. */
    public void backward(Mlp.Trace tr, double[] dz, double[] grad) {
        net.backward(tr, dz, grad);
    }

    static double[] concat(double[] a, double[] b) {
        double[] x = new double[a.length + b.length];
        System.arraycopy(a, 0, x, 0, a.length);
        System.arraycopy(b, 0, x, a.length, b.length);
        return x;
    }
}
