package dev.prefer.rl.torch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.prefer.lm.Torch;
import dev.prefer.rl.nn.Mlp;
import dev.prefer.rl.policy.SegmentData;
import dev.prefer.rl.reward.LinearRewardLearner;
import dev.prefer.rl.reward.RewardEnsemble;
import java.util.List;

/**
 * The reward ensemble's minibatch loss and gradient on the PyTorch engine, in double precision: every step of every
 * segment of the minibatch goes through the member network as one (rows, inputs) matrix, the per-step rewards
 * tanh(MLP(x)) are summed per segment under a mask (segments may differ in length: SURF's crops), and autograd
 * returns the gradient in {@link Mlp}'s flat layout. The loss is the same partial-return cross-entropy as
 * {@link RewardEnsemble#lossAndGradient} (B-Pref {@code reward_model.py}, {@code train_reward}):
 * z = sum r(first) - sum r(second), L = mean[y softplus(-z) + (1 - y) softplus(z)], dL/dz = (sigmoid(z) - y) / n.
 * z comes back to the host, the loss and dL/dz are taken there with the Java path's own functions, and autograd runs
 * on sum(z * dL/dz), so both paths share one formula.
 *
 * <p>Worth it when a minibatch holds many steps (B-Pref's 32 pairs of 50-step segments: 3200 rows); for one sample at
 * a time (policies, DQN inside RL loops) the Java MLP stays faster (docs/rl.md; {@code RewardBackendBench}).
 */
public final class TorchRewardBackend implements RewardEnsemble.Backend, AutoCloseable {
    private final NDManager root;

    public TorchRewardBackend() {
        this.root = Torch.newManager();
    }

    @Override
    public String name() {
        return "torch";
    }

    /**
     * Runs on one engine thread (the calling thread's setting, restored after): with two, MKL may split the products'
     * row reductions (the weight gradients) differently from call to call when the machine is busy (its dynamic thread
     * count), and the gradients then move by a unit in the last place, so a resumed run was not always the
     * uninterrupted one to the bit (TorchPebbleTest, seen once under load). One thread sums in one fixed order.
     */
    @Override
    public double lossAndGradient(RewardEnsemble ensemble, int member, List<RewardEnsemble.Pair> pairs, double[] grad) {
        int threads = JniUtils.getNumThreads();
        if (threads != 1) JniUtils.setNumThreads(1);
        try {
            return compute(ensemble, member, pairs, grad);
        } finally {
            if (threads != 1) JniUtils.setNumThreads(threads);
        }
    }

    private double compute(RewardEnsemble ensemble, int member, List<RewardEnsemble.Pair> pairs, double[] grad) {
        int n = pairs.size();
        if (n == 0) {
            return 0;
        }
        Mlp net = ensemble.member(member);
        int[] sizes = net.sizes();
        int in = sizes[0];
        int tMax = 0;
        for (RewardEnsemble.Pair p : pairs) {
            tMax = Math.max(tMax, Math.max(p.first().length(), p.second().length()));
        }
        int rows = 2 * n * tMax;
        double[] x = new double[rows * in];
        double[] mask = new double[rows];
        for (int k = 0; k < n; k++) {
            fill(ensemble, pairs.get(k).first(), k * tMax, in, x, mask);
            fill(ensemble, pairs.get(k).second(), (n + k) * tMax, in, x, mask);
        }
        try (NDManager m = root.newSubManager();
             GradientCollector gc = Engine.getEngine(Torch.ENGINE).newGradientCollector()) {
            double[] params = net.params();
            int layers = sizes.length - 1;
            NDArray[] w = new NDArray[layers];
            NDArray[] b = new NDArray[layers];
            int off = 0;
            for (int l = 0; l < layers; l++) {
                int fanIn = sizes[l];
                int fanOut = sizes[l + 1];
                w[l] = m.create(java.util.Arrays.copyOfRange(params, off, off + fanIn * fanOut), new Shape(fanOut, fanIn));
                off += fanIn * fanOut;
                b[l] = m.create(java.util.Arrays.copyOfRange(params, off, off + fanOut), new Shape(fanOut));
                off += fanOut;
                w[l].setRequiresGradient(true);
                b[l].setRequiresGradient(true);
            }
            NDArray h = m.create(x, new Shape(rows, in));
            for (int l = 0; l < layers; l++) {
                h = h.matMul(w[l].transpose()).add(b[l]);
                if (l + 1 < layers) {
                    h = h.tanh();
                }
            }
            NDArray sums = h.tanh().reshape(2 * n, tMax).mul(m.create(mask, new Shape(2 * n, tMax))).sum(new int[] {1});
            NDArray z = sums.get("0:" + n).sub(sums.get(n + ":"));
            double[] zs = z.toDoubleArray();
            double loss = 0;
            double[] dz = new double[n];
            for (int k = 0; k < n; k++) {
                double y = pairs.get(k).y();
                loss += y * LinearRewardLearner.softplus(-zs[k]) + (1 - y) * LinearRewardLearner.softplus(zs[k]);
                dz[k] = (LinearRewardLearner.sigmoid(zs[k]) - y) / n;
            }
            if (grad != null) {
                gc.backward(z.mul(m.create(dz)).sum());
                off = 0;
                for (int l = 0; l < layers; l++) {
                    off = add(w[l].getGradient().toDoubleArray(), grad, off);
                    off = add(b[l].getGradient().toDoubleArray(), grad, off);
                }
            }
            return loss / n;
        }
    }

    private static void fill(RewardEnsemble ensemble, SegmentData s, int row, int in, double[] x, double[] mask) {
        for (int t = 0; t < s.length(); t++) {
            double[] v = ensemble.input(s.obs()[t], s.actions()[t]);
            if (v.length != in) {
                throw new IllegalArgumentException("reward input of length " + v.length + ", expected " + in);
            }
            System.arraycopy(v, 0, x, (row + t) * in, in);
            mask[row + t] = 1;
        }
    }

    private static int add(double[] g, double[] into, int off) {
        for (int i = 0; i < g.length; i++) {
            into[off + i] += g[i];
        }
        return off + g.length;
    }

    @Override
    public void close() {
        root.close();
    }
}
