package dev.prefer.rl.policy;

import dev.prefer.rl.env.TabularMdp;
import dev.prefer.rl.nn.Adam;
import dev.prefer.rl.nn.Mlp;
import java.util.Random;
import java.util.function.DoubleFunction;

/**
 * One preference-conditioned Q-network Q(s, a, w) for a whole family of scalarised tasks (conditioned networks as in
 * Abels et al. 2019, "Dynamic Weights in Multi-Objective Deep Reinforcement Learning", and the single
 * preference-conditioned network of Yang et al. 2019): the input is onehot(s) followed by an encoding enc(w) of the
 * weight, the greedy policy for w is argmax_a Q(s, a, w). It is trained by DQN on a {@link TabularMdp} model (Dyna
 * style: uniformly drawn non-terminal s, action a and weight w per sample), reward r_w(s, a) = theta(w) . phi(s, a)
 * with theta(w) supplied by the caller (in {@code DstStudy} a reward learned from preferences, never the true one),
 * target y = r_w + gamma max_a' Q_target(s', a', w) (no bootstrap from terminal s'), squared loss, target network
 * copied every {@code targetEvery} updates.
 */
public final class ConditionedDqn {
    /** Hyper-parameters. */
    public record Config(int hidden, double lr, double gamma, int batch, int updates, int targetEvery) {
        public static Config defaults() {
            return new Config(64, 1e-3, 0.99, 32, 30_000, 300);
        }
    }

    /** What training changes (serialisable, for checkpoints): the Q-network, its target copy, Adam, the updates done. */
    public static final class Weights implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final Mlp q;
        private Mlp target;
        private final Adam adam;
        private int updates;

        /** Fresh weights for an MDP and a weight encoding of encodingSize numbers. */
        public Weights(TabularMdp m, int encodingSize, Config c, Random rng) {
            q = new Mlp(rng, m.stateCount() + encodingSize, c.hidden(), c.hidden(), m.actions());
            target = q.copy();
            adam = new Adam(q.params().length, c.lr());
        }

        public int updates() {
            return updates;
        }
    }

    private final TabularMdp m;
    private final DoubleFunction<double[]> encode;
    private final Weights learned;
    private final Mlp q;
    private final Config c;

    public ConditionedDqn(TabularMdp m, int encodingSize, DoubleFunction<double[]> encode, Config c, Random rng) {
        this(m, encode, c, new Weights(m, encodingSize, c, rng));
    }

    /** A network continuing the given weights (from a checkpoint). */
    public ConditionedDqn(TabularMdp m, DoubleFunction<double[]> encode, Config c, Weights w) {
        this.m = m;
        this.encode = encode;
        this.c = c;
        this.learned = w;
        q = w.q;
    }

    public Mlp network() {
        return q;
    }

    public Weights weights() {
        return learned;
    }

    double[] input(int s, double[] enc) {
        double[] x = new double[m.stateCount() + enc.length];
        x[s] = 1;
        System.arraycopy(enc, 0, x, m.stateCount(), enc.length);
        return x;
    }

    public int greedy(int s, double w) {
        double[] v = q.apply(input(s, encode.apply(w)));
        int best = 0;
        for (int a = 1; a < v.length; a++) {
            if (v[a] > v[best]) {
                best = a;
            }
        }
        return best;
    }

    /**
     * Mean squared TD loss over samples (s_i, a_i, w_i) with targets from the target network held fixed; adds the
     * gradient into grad (may be null).
     */
    public double lossAndGradient(int[] s, int[] a, double[] w, DoubleFunction<double[]> theta, double[] grad) {
        double loss = 0;
        int n = s.length;
        for (int i = 0; i < n; i++) {
            double[] enc = encode.apply(w[i]);
            double[] th = theta.apply(w[i]);
            double[] phi = m.features(s[i], a[i]);
            double y = 0;
            for (int k = 0; k < phi.length; k++) {
                y += th[k] * phi[k];
            }
            int next = m.next(s[i], a[i]);
            if (!m.terminal(next)) {
                double best = Double.NEGATIVE_INFINITY;
                for (double v : learned.target.apply(input(next, enc))) {
                    best = Math.max(best, v);
                }
                y += c.gamma() * best;
            }
            Mlp.Trace tr = q.forward(input(s[i], enc));
            double d = tr.output()[a[i]] - y;
            loss += 0.5 * d * d;
            if (grad != null) {
                double[] dOut = new double[m.actions()];
                dOut[a[i]] = d / n;
                q.backward(tr, dOut, grad);
            }
        }
        return loss / n;
    }

    /** Trains for {@code updates} minibatches; weights w ~ U[0, 1]. */
    public void train(DoubleFunction<double[]> theta, Random rng) {
        train(theta, rng, c.updates());
    }

    /** {@code n} more updates, continuing the update count (the target network is copied every targetEvery of them). */
    public void train(DoubleFunction<double[]> theta, Random rng, int n) {
        int[] live = java.util.stream.IntStream.range(0, m.stateCount()).filter(s -> !m.terminal(s)).toArray();
        for (int k = 0; k < n; k++) {
            int u = ++learned.updates;
            int[] s = new int[c.batch()];
            int[] a = new int[c.batch()];
            double[] ws = new double[c.batch()];
            for (int i = 0; i < s.length; i++) {
                s[i] = live[rng.nextInt(live.length)];
                a[i] = rng.nextInt(m.actions());
                ws[i] = rng.nextDouble();
            }
            double[] grad = new double[q.params().length];
            lossAndGradient(s, a, ws, theta, grad);
            learned.adam.step(q.params(), grad);
            if (u % c.targetEvery() == 0) {
                learned.target = q.copy();
            }
        }
    }
}
