package dev.prefer.rl.embed;

import dev.prefer.rl.nn.Adam;
import dev.prefer.rl.nn.Mlp;
import dev.prefer.rl.policy.SegmentData;
import dev.prefer.rl.policy.SoftmaxPolicy;
import java.util.List;
import java.util.Random;

/**
 * Imitation conditioned on an embedding of demonstrated trajectories (the preference-conditioned game-testing agent
 * of issue 18: a tester shows a trajectory in the style they want, the agent plays in that style). A
 * {@link TrajectoryEncoder} E and a policy pi(a | s, z) are trained jointly on demonstrations by behaviour cloning
 * with hindsight conditioning: for a demo tau, z = E(tau') where tau' is another demo of the same style (or tau
 * itself when {@code pairs} is null), loss = -mean_t log pi(a_t | s_t, z). This is also OPPO's hindsight information
 * matching objective ({@link Oppo}). At test time z = E(a new demo of the style wanted).
 */
public final class ConditionedImitation implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Hyper-parameters. */
    public record Config(int zdim, int hidden, int steps, int batch, double lr) {
    }

    private final TrajectoryEncoder encoder;
    private final SoftmaxPolicy policy;
    private final int obsSize;

    public ConditionedImitation(Random rng, int obsSize, int actions, Config c) {
        this.obsSize = obsSize;
        encoder = new TrajectoryEncoder(rng, obsSize, actions, c.hidden(), c.zdim());
        policy = new SoftmaxPolicy(rng, obsSize + c.zdim(), c.hidden(), actions);
    }

    public TrajectoryEncoder encoder() { return encoder; }
    public SoftmaxPolicy policy() { return policy; }

    /** Greedy action in obs for embedding z. */
    public int act(double[] obs, double[] z) {
        return policy.greedy(TrajectoryEncoder.concat(obs, z));
    }

    /**
     * Mean over the batch of -mean_t log pi(a_t | s_t, E(context_i)) for target demos targets_i; adds the policy's
     * gradient into gPolicy and the encoder's into gEnc (either may be null).
     */
    public double lossAndGradient(List<SegmentData> targets, List<SegmentData> contexts, double[] gPolicy, double[] gEnc) {
        double loss = 0;
        int n = targets.size();
        for (int i = 0; i < n; i++) {
            SegmentData tau = targets.get(i);
            Mlp.Trace zt = encoder.forward(contexts.get(i));
            double[] z = zt.output();
            double[] dz = new double[z.length];
            int len = tau.length();
            for (int t = 0; t < len; t++) {
                Mlp.Trace tr = policy.net().forward(TrajectoryEncoder.concat(tau.obs()[t], z));
                double[] lp = SoftmaxPolicy.logSoftmax(tr.output());
                int a = tau.actions()[t];
                loss -= lp[a] / (len * n);
                if (gPolicy != null || gEnc != null) {
                    double[] d = new double[lp.length];
                    for (int k = 0; k < lp.length; k++) {
                        d[k] = (Math.exp(lp[k]) - (k == a ? 1 : 0)) / (len * n);
                    }
                    double[] dx = policy.net().backward(tr, d, gPolicy != null ? gPolicy : new double[policy.net().params().length]);
                    for (int j = 0; j < z.length; j++) {
                        dz[j] += dx[obsSize + j];
                    }
                }
            }
            if (gEnc != null) {
                encoder.backward(zt, dz, gEnc);
            }
        }
        return loss;
    }

    /** Adam on minibatches; styles[i] groups demos (context drawn from the same style), or null for self-conditioning. */
    public void train(List<SegmentData> demos, int[] styles, Config c, Random rng) {
        Adam[] opt = optimisers(c.lr());
        train(demos, styles, c, rng, opt[0], opt[1]);
    }

    /** Fresh Adam states for the policy and the encoder (for training in chunks that equal one uninterrupted run). */
    public Adam[] optimisers(double lr) {
        return new Adam[] {new Adam(policy.net().params().length, lr), new Adam(encoder.net().params().length, lr)};
    }

    /** {@code c.steps()} steps continuing the given optimiser states. */
    public void train(List<SegmentData> demos, int[] styles, Config c, Random rng, Adam ap, Adam ae) {
        for (int step = 0; step < c.steps(); step++) {
            List<SegmentData> tg = new java.util.ArrayList<>();
            List<SegmentData> cx = new java.util.ArrayList<>();
            for (int b = 0; b < c.batch(); b++) {
                int i = rng.nextInt(demos.size());
                tg.add(demos.get(i));
                cx.add(demos.get(styles == null ? i : sameStyle(styles, i, rng)));
            }
            double[] gp = new double[policy.net().params().length];
            double[] ge = new double[encoder.net().params().length];
            lossAndGradient(tg, cx, gp, ge);
            ap.step(policy.net().params(), gp);
            ae.step(encoder.net().params(), ge);
        }
    }

    static int sameStyle(int[] styles, int i, Random rng) {
        for (int tries = 0; tries < 1000; tries++) {
            int j = rng.nextInt(styles.length);
            if (j != i && styles[j] == styles[i]) {
                return j;
            }
        }
        return i;
    }
}
