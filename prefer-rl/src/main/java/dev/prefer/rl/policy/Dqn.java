package dev.prefer.rl.policy;

import dev.prefer.rl.nn.Adam;
import dev.prefer.rl.nn.Mlp;
import java.util.Random;

/**
 * Deep Q-learning (Mnih et al. 2015) in double precision: an MLP Q-network, a target network copied every
 * {@code targetEvery} updates, Huber TD loss, epsilon-greedy exploration. Rewards come from the caller at update
 * time, so a PEBBLE loop can relabel the whole replay buffer with its latest reward model.
 */
public final class Dqn implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Hyper-parameters. */
    public record Config(int hidden, double lr, double gamma, int batch, int targetEvery) implements java.io.Serializable {
        public static Config defaults() {
            return new Config(64, 1e-3, 0.95, 64, 250);
        }
    }

    /** Reward of a stored transition: obs, action, next obs, the stored true reward (which only teachers/baselines read). */
    public interface RewardFn {
        double reward(double[] obs, int action, double[] next, double[] trueReward);
    }

    private final Mlp q;
    private Mlp target;
    private final Adam adam;
    private final Config c;
    private final int actions;
    private int updates;

    public Dqn(int obsSize, int actions, Config c, Random rng) {
        this.c = c;
        this.actions = actions;
        q = new Mlp(rng, obsSize, c.hidden(), c.hidden(), actions);
        target = q.copy();
        adam = new Adam(q.params().length, c.lr());
    }

    public Mlp network() {
        return q;
    }

    public int greedy(double[] obs) {
        double[] v = q.apply(obs);
        int best = 0;
        for (int a = 1; a < v.length; a++) {
            if (v[a] > v[best]) {
                best = a;
            }
        }
        return best;
    }

    public int act(double[] obs, double epsilon, Random rng) {
        return rng.nextDouble() < epsilon ? rng.nextInt(actions) : greedy(obs);
    }

    /** One minibatch update from the buffer. */
    public double update(ReplayBuffer buf, RewardFn reward, Random rng) {
        int[] idx = new int[c.batch()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = rng.nextInt(buf.size());
        }
        double[] grad = new double[q.params().length];
        double loss = tdLossAndGradient(buf, idx, reward, grad);
        adam.step(q.params(), grad);
        if (++updates % c.targetEvery() == 0) {
            target = q.copy();
        }
        return loss;
    }

    /**
     * Mean Huber TD loss over the transitions idx, with targets y = r + gamma max_a' Q_target(s', a') (no bootstrap
     * from terminal states) held fixed; adds dLoss/dparams of the online network into grad.
     */
    public double tdLossAndGradient(ReplayBuffer buf, int[] idx, RewardFn reward, double[] grad) {
        double loss = 0;
        int n = idx.length;
        for (int k : idx) {
            double y = reward.reward(buf.obs(k), buf.action(k), buf.next(k), buf.trueReward(k));
            if (!buf.terminal(k)) {
                double[] tq = target.apply(buf.next(k));
                double m = Double.NEGATIVE_INFINITY;
                for (double v : tq) {
                    m = Math.max(m, v);
                }
                y += c.gamma() * m;
            }
            Mlp.Trace tr = q.forward(buf.obs(k));
            double d = tr.output()[buf.action(k)] - y;
            loss += Math.abs(d) <= 1 ? 0.5 * d * d : Math.abs(d) - 0.5;
            if (grad != null) {
                double[] dOut = new double[actions];
                dOut[buf.action(k)] = Math.max(-1, Math.min(1, d)) / n;
                q.backward(tr, dOut, grad);
            }
        }
        return loss / n;
    }
}
