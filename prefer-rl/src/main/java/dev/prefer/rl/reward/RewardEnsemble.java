package dev.prefer.rl.reward;

import dev.prefer.rl.nn.Adam;
import dev.prefer.rl.nn.Mlp;
import dev.prefer.rl.policy.SegmentData;
import java.util.List;
import java.util.Random;

/**
 * An ensemble of reward networks r(x, a) = tanh(MLP([x, onehot(a)])) trained from segment preferences under the
 * partial-return model, as B-Pref's {@code RewardModel} ({@code reward_model.py}: {@code gen_net} with a tanh output,
 * line 18; the cross-entropy on summed segment rewards of {@code train_reward}, and {@code train_soft_reward}'s 0.5
 * targets for "equal" labels). Each member sees its own shuffled minibatches; predictions average the members.
 * With {@code actions = 0} (continuous actions) the input is the segment's observation as given, which a continuous
 * {@link dev.prefer.rl.policy.ReplayBuffer} fills with the pair (s, a); the action index is then ignored.
 */
public final class RewardEnsemble implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** A labelled pair for the ensemble; y = P(first preferred). */
    public record Pair(SegmentData first, SegmentData second, double y) implements java.io.Serializable {
    }

    /**
     * Computes one member's minibatch loss and gradient in place of the Java loop below (same loss, same gradient):
     * {@code dev.prefer.rl.torch.TorchRewardBackend} runs it batched on the PyTorch engine.
     */
    public interface Backend {
        /** The name {@link RewardBackends#named} finds it by ("torch"). */
        String name();

        double lossAndGradient(RewardEnsemble ensemble, int member, List<Pair> pairs, double[] grad);
    }

    private final Mlp[] members;
    private final Adam[] opts;
    private final int actions;
    private transient Backend backend;     // not part of a checkpoint: the loop sets it again on resume

    public RewardEnsemble(int members, int obsSize, int actions, int hidden, double lr, Random rng) {
        this.members = new Mlp[members];
        this.opts = new Adam[members];
        this.actions = actions;
        for (int i = 0; i < members; i++) {
            this.members[i] = new Mlp(rng, obsSize + actions, hidden, hidden, 1);
            opts[i] = new Adam(this.members[i].params().length, lr);
        }
    }

    public int size() {
        return members.length;
    }

    /** Number of discrete actions one-hot encoded after the observation (0: continuous, the input is the observation). */
    public int actions() {
        return actions;
    }

    /** Routes every minibatch loss and gradient (training, SURF included) through {@code b}; null restores the Java loop. */
    public RewardEnsemble useBackend(Backend b) {
        this.backend = b;
        return this;
    }

    public Mlp member(int i) {
        return members[i];
    }

    /** The network input of one step: the observation, then the action's one-hot when actions are discrete. */
    public double[] input(double[] x, int a) {
        if (actions == 0) {
            return x;
        }
        double[] in = new double[x.length + actions];
        System.arraycopy(x, 0, in, 0, x.length);
        in[x.length + a] = 1;
        return in;
    }

    public double reward(int member, double[] x, int a) {
        return Math.tanh(members[member].apply(input(x, a))[0]);
    }

    /** Mean over members. */
    public double reward(double[] x, int a) {
        double s = 0;
        for (int i = 0; i < members.length; i++) {
            s += reward(i, x, a);
        }
        return s / members.length;
    }

    /** P(first preferred) under one member: sigmoid(sum r(first) - sum r(second)). */
    public double probability(int member, SegmentData a, SegmentData b) {
        return sigmoid(sum(member, a) - sum(member, b));
    }

    double sum(int member, SegmentData s) {
        double r = 0;
        for (int t = 0; t < s.length(); t++) {
            r += reward(member, s.obs()[t], s.actions()[t]);
        }
        return r;
    }

    /** Mean cross-entropy of one member over the pairs; adds its gradient (scaled by 1/n) into grad. */
    public double lossAndGradient(int member, List<Pair> pairs, double[] grad) {
        if (backend != null) {
            return backend.lossAndGradient(this, member, pairs, grad);
        }
        double loss = 0;
        int n = pairs.size();
        for (Pair p : pairs) {
            double z = sum(member, p.first()) - sum(member, p.second());
            loss += p.y() * softplus(-z) + (1 - p.y()) * softplus(z);
            double dz = (sigmoid(z) - p.y()) / n;
            if (grad != null) {
                backSegment(member, p.first(), dz, grad);
                backSegment(member, p.second(), -dz, grad);
            }
        }
        return loss / n;
    }

    private void backSegment(int member, SegmentData s, double dSum, double[] grad) {
        for (int t = 0; t < s.length(); t++) {
            Mlp.Trace tr = members[member].forward(input(s.obs()[t], s.actions()[t]));
            double r = Math.tanh(tr.output()[0]);
            members[member].backward(tr, new double[] {dSum * (1 - r * r)}, grad);
        }
    }

    /** {@code epochs} passes of minibatches of {@code batch} pairs for every member. */
    public void train(List<Pair> pairs, int epochs, int batch, Random rng) {
        trainLoop(pairs, epochs, batch, rng, this::lossAndGradient);
    }

    /**
     * SURF's training ({@link Surf}): as {@link #train(List, int, int, Random)}, each labelled minibatch joined by an
     * unlabelled one of mu * batch pairs drawn uniformly; segments are extended by the SURF window around the
     * labelled length h.
     */
    public void train(List<Pair> pairs, List<SegmentData[]> unlabelled, Surf surf, int h, int epochs, int batch, Random rng) {
        trainLoop(pairs, epochs, batch, rng, (member, mb, grad) -> {
            List<SegmentData[]> ub = new java.util.ArrayList<>();
            for (int k = 0; k < (unlabelled.isEmpty() ? 0 : surf.mu() * batch); k++) {
                ub.add(unlabelled.get(rng.nextInt(unlabelled.size())));
            }
            return surf.lossAndGradient(this, member, mb, ub, h, grad, rng);
        });
    }

    /** One member's minibatch loss, adding its gradient into grad. */
    interface MemberLoss {
        double lossAndGradient(int member, List<Pair> batch, double[] grad);
    }

    /** For every member, {@code epochs} passes over the pairs in shuffled minibatches, one Adam step each. */
    private void trainLoop(List<Pair> pairs, int epochs, int batch, Random rng, MemberLoss loss) {
        if (pairs.isEmpty()) {
            return;
        }
        for (int i = 0; i < members.length; i++) {
            for (int e = 0; e < epochs; e++) {
                int[] order = rng.ints(0, pairs.size()).limit(pairs.size()).toArray();
                for (int start = 0; start < order.length; start += batch) {
                    List<Pair> mb = new java.util.ArrayList<>();
                    for (int k = start; k < Math.min(order.length, start + batch); k++) {
                        mb.add(pairs.get(order[k]));
                    }
                    double[] grad = new double[members[i].params().length];
                    loss.lossAndGradient(i, mb, grad);
                    opts[i].step(members[i].params(), grad);
                }
            }
        }
    }

    static double sigmoid(double z) {
        return LinearRewardLearner.sigmoid(z);
    }

    static double softplus(double x) {
        return LinearRewardLearner.softplus(x);
    }
}
