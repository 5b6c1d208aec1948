package dev.prefer.rl.policy;

import dev.prefer.rl.nn.Mlp;
import java.util.Random;

/** A discrete policy pi(a | x) = softmax(MLP(x)); x is the observation (optionally with a conditioning vector). */
public final class SoftmaxPolicy implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final Mlp net;

    public SoftmaxPolicy(Random rng, int inputSize, int hidden, int actions) {
        net = new Mlp(rng, inputSize, hidden, hidden, actions);
    }

    public Mlp net() {
        return net;
    }

    public double[] logProbs(double[] x) {
        return logSoftmax(net.apply(x));
    }

    public int greedy(double[] x) {
        double[] l = net.apply(x);
        int best = 0;
        for (int a = 1; a < l.length; a++) {
            if (l[a] > l[best]) {
                best = a;
            }
        }
        return best;
    }

    public int sample(double[] x, Random rng) {
        double[] lp = logProbs(x);
        double u = rng.nextDouble();
        double c = 0;
        for (int a = 0; a < lp.length; a++) {
            c += Math.exp(lp[a]);
            if (u < c) {
                return a;
            }
        }
        return lp.length - 1;
    }

    /** log pi(a | x) from a forward trace, adding dL/dparams * dLdlogp to grad. */
    public void backward(Mlp.Trace tr, int a, double dLdlogp, double[] grad) {
        double[] lp = logSoftmax(tr.output());
        double[] d = new double[lp.length];
        for (int k = 0; k < lp.length; k++) {
            d[k] = dLdlogp * ((k == a ? 1 : 0) - Math.exp(lp[k]));
        }
        net.backward(tr, d, grad);
    }

    /** log pi(a | x), adding dL/dparams * dLdlogp to grad. */
    public double logProbAndBackward(double[] x, int a, double dLdlogp, double[] grad) {
        Mlp.Trace tr = net.forward(x);
        double[] lp = logSoftmax(tr.output());
        if (dLdlogp != 0) {
            double[] d = new double[lp.length];
            for (int k = 0; k < lp.length; k++) {
                d[k] = dLdlogp * ((k == a ? 1 : 0) - Math.exp(lp[k]));
            }
            net.backward(tr, d, grad);
        }
        return lp[a];
    }

    public static double[] logSoftmax(double[] z) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            m = Math.max(m, v);
        }
        double s = 0;
        for (double v : z) {
            s += Math.exp(v - m);
        }
        double lse = m + Math.log(s);
        double[] out = new double[z.length];
        for (int k = 0; k < z.length; k++) {
            out[k] = z[k] - lse;
        }
        return out;
    }
}
