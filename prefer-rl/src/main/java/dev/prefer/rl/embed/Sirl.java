package dev.prefer.rl.embed;

import dev.prefer.rl.nn.Adam;
import dev.prefer.rl.nn.Mlp;
import dev.prefer.rl.policy.SegmentData;
import java.util.List;
import java.util.Random;

/**
 * SIRL, similarity-based implicit representation learning (Bobu et al. 2023, HRI, arXiv 2301.00810): a
 * representation phi(tau) learned from similarity queries only. A query shows three trajectories and the person
 * names the two most alike; the model is P(pair {i, j} chosen) = softmax over the three pairs of
 * -|phi(tau_i) - phi(tau_j)|^2, trained by cross-entropy. The representation then carries what the person attends to,
 * so a reward r = w . phi(tau) on top of it is learned from few preferences ({@link #fitReward}, Bradley-Terry on
 * frozen phi).
 */
public final class Sirl implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** A similarity query over three trajectories; {@code odd} is the one left out (0, 1 or 2). */
    public record Triplet(SegmentData a, SegmentData b, SegmentData c, int odd) {
    }

    private final TrajectoryEncoder phi;

    public Sirl(Random rng, int obsSize, int actions, int hidden, int dim) {
        phi = new TrajectoryEncoder(rng, obsSize, actions, hidden, dim);
    }

    public TrajectoryEncoder representation() {
        return phi;
    }

    /** Mean cross-entropy over the triplets; adds its gradient into grad (may be null). */
    public double lossAndGradient(List<Triplet> ts, double[] grad) {
        double loss = 0;
        int n = ts.size();
        for (Triplet q : ts) {
            Mlp.Trace[] tr = {phi.forward(q.a()), phi.forward(q.b()), phi.forward(q.c())};
            // pair k leaves out item k: pair 0 = {1, 2}, pair 1 = {0, 2}, pair 2 = {0, 1}
            int[][] pairs = {{1, 2}, {0, 2}, {0, 1}};
            double[] logit = new double[3];
            for (int k = 0; k < 3; k++) {
                logit[k] = -Oppo.sq(tr[pairs[k][0]].output(), tr[pairs[k][1]].output());
            }
            double[] lp = dev.prefer.rl.policy.SoftmaxPolicy.logSoftmax(logit);
            loss -= lp[q.odd()] / n;
            if (grad == null) {
                continue;
            }
            double[][] dz = new double[3][phi.size()];
            for (int k = 0; k < 3; k++) {
                double dl = (Math.exp(lp[k]) - (k == q.odd() ? 1 : 0)) / n;     // dLoss/dlogit_k
                double[] zi = tr[pairs[k][0]].output();
                double[] zj = tr[pairs[k][1]].output();
                for (int d = 0; d < zi.length; d++) {
                    double g = -2 * (zi[d] - zj[d]) * dl;                    // dlogit/dzi = -2 (zi - zj)
                    dz[pairs[k][0]][d] += g;
                    dz[pairs[k][1]][d] -= g;
                }
            }
            for (int i = 0; i < 3; i++) {
                phi.backward(tr[i], dz[i], grad);
            }
        }
        return loss;
    }

    public void train(List<Triplet> ts, int steps, int batch, double lr, Random rng) {
        train(ts, steps, batch, optimiser(lr), rng);
    }

    /** A fresh Adam for the representation (for training in chunks that equal one uninterrupted run). */
    public Adam optimiser(double lr) {
        return new Adam(phi.net().params().length, lr);
    }

    /** {@code steps} minibatch steps continuing the given optimiser state. */
    public void train(List<Triplet> ts, int steps, int batch, Adam adam, Random rng) {
        for (int s = 0; s < steps; s++) {
            List<Triplet> mb = new java.util.ArrayList<>();
            for (int b = 0; b < batch; b++) {
                mb.add(ts.get(rng.nextInt(ts.size())));
            }
            double[] g = new double[phi.net().params().length];
            lossAndGradient(mb, g);
            adam.step(phi.net().params(), g);
        }
    }

    /**
     * A linear Bradley-Terry reward w . f(tau) over fixed features f (phi, or raw pooled inputs for a baseline), fitted
     * by full-batch gradient descent with a small L2 term; pairs (first features, second features, P(first preferred)).
     */
    public static double[] fitReward(List<double[][]> pairs, double[] y, int steps, double lr, double l2) {
        int d = pairs.get(0)[0].length;
        double[] w = new double[d];
        Adam adam = new Adam(d, lr);
        for (int s = 0; s < steps; s++) {
            double[] g = new double[d];
            for (int i = 0; i < pairs.size(); i++) {
                double z = 0;
                for (int k = 0; k < d; k++) {
                    z += w[k] * (pairs.get(i)[0][k] - pairs.get(i)[1][k]);
                }
                double p = 1 / (1 + Math.exp(-z));
                for (int k = 0; k < d; k++) {
                    g[k] += (p - y[i]) * (pairs.get(i)[0][k] - pairs.get(i)[1][k]) / pairs.size();
                }
            }
            for (int k = 0; k < d; k++) {
                g[k] += l2 * w[k];
            }
            adam.step(w, g);
        }
        return w;
    }
}
