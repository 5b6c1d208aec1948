package dev.prefer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter 2019, arXiv 1711.05101, Algorithm 2) as PyTorch's {@code torch.optim.AdamW}
 * computes it, with decoupled weight decay and bias correction, at step t = 1, 2, ...:
 * <pre>
 *   θ ← θ − lr·λ·θ
 *   m ← β1 m + (1 − β1) g;   v ← β2 v + (1 − β2) g²
 *   θ ← θ − lr · (m / (1 − β1^t)) / (sqrt(v / (1 − β2^t)) + ε)
 * </pre>
 * State (m, v per parameter, t) lives in its own manager; updates are in place, outside autograd. {@link #twin}
 * is the double-precision reference the tests compare against.
 */
public final class AdamW implements AutoCloseable {
    private final double beta1, beta2, eps, weightDecay;
    private final NDManager manager;
    private final LinkedHashMap<String, NDArray> m = new LinkedHashMap<>();
    private final LinkedHashMap<String, NDArray> v = new LinkedHashMap<>();
    private int t;

    public AdamW(NDManager parent, double beta1, double beta2, double eps, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.manager = parent.newSubManager();
    }

    /** Steps taken so far. */
    public int stepCount() {
        return t;
    }

    /**
     * One update of every parameter that has a gradient in {@code grads}.
     *
     * @param params parameters (updated in place)
     * @param grads  gradients by the same names (already clipped / scaled)
     * @param lr     learning rate of this step
     */
    public void step(Map<String, NDArray> params, Map<String, NDArray> grads, double lr) {
        t++;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (Map.Entry<String, NDArray> e : grads.entrySet()) {
                NDArray p = params.get(e.getKey());
                if (p == null) throw new IllegalArgumentException("gradient for unknown parameter " + e.getKey());
                NDArray g = e.getValue();
                NDArray mi = m.computeIfAbsent(e.getKey(), k -> zerosLike(p));
                NDArray vi = v.computeIfAbsent(e.getKey(), k -> zerosLike(p));
                try (NDManager s = manager.newSubManager()) {
                    NDArray gs = g.duplicate();
                    gs.attach(s);
                    mi.muli(beta1).addi(gs.mul(1 - beta1));
                    vi.muli(beta2).addi(gs.square().muli(1 - beta2));
                    if (weightDecay != 0) p.muli(1 - lr * weightDecay);
                    NDArray denom = vi.div(bc2);
                    denom.attach(s);
                    denom = denom.sqrt().addi(eps);
                    NDArray upd = mi.div(bc1);
                    upd.attach(s);
                    p.subi(upd.divi(denom).muli(lr));
                }
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    private NDArray zerosLike(NDArray p) {
        return manager.zeros(p.getShape(), p.getDataType());
    }

    /** First and second moments by parameter name (live arrays; for checkpoints). */
    public Map<String, NDArray> firstMoments() {
        return m;
    }

    public Map<String, NDArray> secondMoments() {
        return v;
    }

    /** Restores state saved from {@link #firstMoments()}, {@link #secondMoments()} and {@link #stepCount()}. */
    public void restore(int step, Map<String, float[]> first, Map<String, float[]> second, Map<String, NDArray> params) {
        t = step;
        for (Map.Entry<String, float[]> e : first.entrySet()) {
            NDArray p = params.get(e.getKey());
            if (p == null) throw new IllegalArgumentException("optimizer state for unknown parameter " + e.getKey());
            m.put(e.getKey(), Lora.engineOwned(manager, e.getValue(), p.getShape(), p.getDataType()));
            v.put(e.getKey(), Lora.engineOwned(manager, second.get(e.getKey()), p.getShape(), p.getDataType()));
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Double-precision twin of {@link #step}: updates {@code p}, {@code m}, {@code v} in place for step {@code t}. */
    public static void twin(double[] p, double[] g, double[] m, double[] v, int t, double lr, double beta1, double beta2,
                            double eps, double weightDecay) {
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < p.length; i++) {
            p[i] *= 1 - lr * weightDecay;
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            p[i] -= lr * (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + eps);
        }
    }
}
