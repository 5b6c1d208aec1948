package dev.prefer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.prefer.lm.FusedOps;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter 2019, arXiv 1711.05101, Algorithm 2) as PyTorch's {@code torch.optim.AdamW}
 * computes it, with decoupled weight decay and bias correction, at step t = 1, 2, ...:
 * <pre>
 *   θ ← θ − lr·λ·θ
 *   m ← β1 m + (1 − β1) g;   v ← β2 v + (1 − β2) g²
 *   θ ← θ − lr · (m / (1 − β1^t)) / (sqrt(v / (1 − β2^t)) + ε)
 * </pre>
 * State (m, v, t) lives in its own manager as two flat buffers over all parameters (in the order of the first
 * step's gradients). The update is libtorch's fused AdamW kernel ({@code torch.optim.AdamW(fused=True)}, through
 * {@link FusedOps#adamw}) over per-parameter views of the flat gradient and state: one pass over each parameter,
 * which evaluates the same formula as sqrt(v)/sqrt(1 − β2^t) + ε. Without it ({@code -Dprefer.fused=false} or
 * {@code -Dprefer.fused.adamw=false}), a dozen whole-buffer ops plus one split and one in-place subtraction per
 * parameter. Updates are in place, outside autograd. {@link #twin} is the double-precision reference the tests
 * compare against.
 */
public final class AdamW implements AutoCloseable {
    /** libtorch's fused AdamW kernel ({@link FusedOps#adamw}); {@code -Dprefer.fused=false} or {@code -Dprefer.fused.adamw=false}: the ops below. */
    static boolean fused = !"false".equalsIgnoreCase(System.getProperty("prefer.fused.adamw", "true")); // tests switch it
    private final double beta1, beta2, eps, weightDecay;
    private final NDManager manager;
    /** Parameter names, shapes and their offsets in the flat buffers. */
    private final List<String> names = new ArrayList<>();
    private final List<Shape> shapes = new ArrayList<>();
    private long[] splits = new long[0];
    private NDArray m, v; // flat (total), null before the first step
    private NDManager views; // per-name views handed out by firstMoments()/secondMoments()
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
     * The gradients as one flat array (concatenated in map order, a copy in the first gradient's manager): what
     * {@link #step(Map, List, NDArray, double)} takes; clip it in place and take its norm on it.
     */
    public static NDArray flatten(Map<String, NDArray> grads) {
        if (grads.isEmpty()) throw new IllegalArgumentException("no gradients to flatten");
        NDList flat = new NDList(grads.size());
        for (NDArray g : grads.values()) flat.add(g.reshape(-1));
        return flat.size() == 1 ? flat.get(0).duplicate() : NDArrays.concat(flat);
    }

    /**
     * One update of every parameter that has a gradient in {@code grads}.
     *
     * @param params parameters (updated in place)
     * @param grads  gradients by the same names (already clipped / scaled)
     * @param lr     learning rate of this step
     */
    public void step(Map<String, NDArray> params, Map<String, NDArray> grads, double lr) {
        if (grads.isEmpty()) {
            t++;
            return;
        }
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager s = manager.newSubManager()) {
            NDArray flat = flatten(grads);
            flat.attach(s);
            step(params, new ArrayList<>(grads.keySet()), flat, lr);
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /**
     * One update from flat gradients ({@link #flatten}) of the parameters {@code names}, in the order they were
     * flattened. {@code flatGrad} is read, not changed.
     */
    public void step(Map<String, NDArray> params, List<String> gradNames, NDArray flatGrad, double lr) {
        t++;
        if (gradNames.isEmpty()) return;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager s = manager.newSubManager()) {
            List<NDArray> ps = laidOut(params, gradNames);
            NDArray g = flatGrad;
            if (g.getDataType() != m.getDataType()) throw new IllegalArgumentException("gradients are " + g.getDataType() + ", parameters " + m.getDataType());
            if (fused && FusedOps.available()) {
                // one pass per parameter over views of the flat gradient and state (same layout as below)
                NDList gp = parts(g), mp = parts(m), vp = parts(v);
                for (NDList l : new NDList[] {gp, mp, vp}) l.attach(s);
                FusedOps.adamw(ps, gp, mp, vp, s.create((float) t), lr, beta1, beta2, weightDecay, eps);
                return;
            }
            NDArray gs = g.mul(1 - beta1); // result in g's manager: bring it here
            gs.attach(s);
            m.muli(beta1).addi(gs);
            gs.close(); // free whole-model temporaries as soon as they are used: peak memory stays ~2 extra copies
            NDArray g2 = g.square();
            g2.attach(s);
            v.muli(beta2).addi(g2.muli(1 - beta2));
            g2.close();
            NDArray vh = v.div(bc2);
            vh.attach(s);
            NDArray denom = vh.sqrt().addi(eps);
            vh.close();
            NDArray upd = m.div(bc1);
            upd.attach(s);
            upd.divi(denom).muli(lr);
            NDList parts = splits.length == 0 ? new NDList(upd) : upd.split(splits, 0);
            for (int i = 0; i < ps.size(); i++) {
                NDArray p = ps.get(i);
                if (weightDecay != 0) p.muli(1 - lr * weightDecay);
                p.subi(parts.get(i).reshape(shapes.get(i)));
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /**
     * One update from per-parameter gradients (each in its parameter's shape, read, not changed), in the order of
     * {@code gradNames}. With the fused kernel no flat copy of the gradients is made (one model-sized buffer less at
     * the step's memory peak); otherwise they are flattened and {@link #step(Map, List, NDArray, double)} runs.
     */
    public void step(Map<String, NDArray> params, List<String> gradNames, List<NDArray> grads, double lr) {
        if (gradNames.size() != grads.size()) throw new IllegalArgumentException(gradNames.size() + " names, " + grads.size() + " gradients");
        if (gradNames.isEmpty() || !(fused && FusedOps.available())) {
            Map<String, NDArray> byName = new LinkedHashMap<>();
            for (int i = 0; i < grads.size(); i++) byName.put(gradNames.get(i), grads.get(i));
            if (byName.isEmpty()) {
                t++;
                return;
            }
            try (NDManager s = manager.newSubManager()) {
                NDArray flat = flatten(byName);
                flat.attach(s);
                step(params, gradNames, flat, lr);
            }
            return;
        }
        t++;
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager s = manager.newSubManager()) {
            List<NDArray> ps = laidOut(params, gradNames);
            NDList gp = new NDList(grads.size());
            for (NDArray g : grads) {
                if (g.getDataType() != m.getDataType()) throw new IllegalArgumentException("gradients are " + g.getDataType() + ", parameters " + m.getDataType());
                gp.add(g);
            }
            NDList mp = parts(m), vp = parts(v);
            mp.attach(s);
            vp.attach(s);
            FusedOps.adamw(ps, gp, mp, vp, s.create((float) t), lr, beta1, beta2, weightDecay, eps);
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /** The parameters named {@code gradNames}, in that order, with the flat state laid out for them. */
    private List<NDArray> laidOut(Map<String, NDArray> params, List<String> gradNames) {
        List<NDArray> ps = new ArrayList<>(gradNames.size());
        for (String n : gradNames) {
            NDArray p = params.get(n);
            if (p == null) throw new IllegalArgumentException("gradient for unknown parameter " + n);
            ps.add(p);
        }
        layout(gradNames, ps);
        return ps;
    }

    /** Views of a flat buffer, one per parameter in layout order, each in its parameter's shape. */
    private NDList parts(NDArray flat) {
        NDList split = splits.length == 0 ? new NDList(flat) : flat.split(splits, 0);
        NDList out = new NDList(split.size());
        for (int i = 0; i < split.size(); i++) out.add(split.get(i).reshape(shapes.get(i)));
        return out;
    }

    /**
     * Makes the flat state cover exactly {@code order} (same names, same order); state of names seen before is kept,
     * new names start at zero. Parameters must share one dtype.
     */
    private void layout(List<String> order, List<NDArray> ps) {
        if (m != null && order.equals(names)) return;
        Map<String, NDArray[]> old = new HashMap<>();
        NDManager tmp = manager.newSubManager();
        try {
            if (m != null) {
                NDList om = splits.length == 0 ? new NDList(m) : m.split(splits, 0);
                NDList ov = splits.length == 0 ? new NDList(v) : v.split(splits, 0);
                for (int i = 0; i < names.size(); i++) old.put(names.get(i), new NDArray[] {om.get(i), ov.get(i)});
                om.attach(tmp);
                ov.attach(tmp);
            }
            DataType type = ps.get(0).getDataType();
            NDList nm = new NDList(), nv = new NDList();
            long[] sp = new long[order.size() - 1];
            long at = 0;
            shapes.clear();
            boolean carried = false;
            for (int i = 0; i < order.size(); i++) {
                NDArray p = ps.get(i);
                if (p.getDataType() != type) throw new IllegalArgumentException("parameters must share one dtype: " + order.get(i) + " is " + p.getDataType());
                shapes.add(p.getShape());
                NDArray[] o = old.get(order.get(i));
                carried |= o != null;
                at += p.size();
                if (i < sp.length) sp[i] = at;
            }
            NDArray newM, newV;
            if (!carried) {
                // the first step: the flat state is made zero in place, not as per-parameter zeros concatenated (which
                // held the state twice at once: +950 MiB at the first step's peak on GPT-2 small, prefer bench memory)
                newM = manager.zeros(new Shape(at), type);
                newV = manager.zeros(new Shape(at), type);
            } else {
                for (int i = 0; i < order.size(); i++) {
                    NDArray[] o = old.get(order.get(i));
                    nm.add(o != null ? o[0].reshape(-1) : tmp.zeros(new Shape(ps.get(i).size()), type));
                    nv.add(o != null ? o[1].reshape(-1) : tmp.zeros(new Shape(ps.get(i).size()), type));
                }
                newM = nm.size() == 1 ? nm.get(0).duplicate() : NDArrays.concat(nm);
                newV = nv.size() == 1 ? nv.get(0).duplicate() : NDArrays.concat(nv);
            }
            newM.attach(manager);
            newV.attach(manager);
            if (m != null) {
                m.close();
                v.close();
            }
            m = newM;
            v = newV;
            splits = sp;
            names.clear();
            names.addAll(order);
        } finally {
            tmp.close();
        }
    }

    /** First and second moments by parameter name (views of the live state, valid until the next call; for checkpoints). */
    public Map<String, NDArray> firstMoments() {
        return byName(m);
    }

    public Map<String, NDArray> secondMoments() {
        return byName(v);
    }

    private Map<String, NDArray> byName(NDArray flat) {
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        if (flat == null) return out;
        if (views != null) views.close();
        views = manager.newSubManager();
        NDList parts = splits.length == 0 ? new NDList(flat) : flat.split(splits, 0);
        for (int i = 0; i < names.size(); i++) {
            NDArray a = parts.get(i).reshape(shapes.get(i));
            a.attach(views);
            out.put(names.get(i), a);
        }
        parts.attach(views);
        return out;
    }

    /** Restores state saved from {@link #firstMoments()}, {@link #secondMoments()} and {@link #stepCount()}. */
    public void restore(int step, Map<String, float[]> first, Map<String, float[]> second, Map<String, NDArray> params) {
        t = step;
        for (String n : first.keySet()) {
            if (!params.containsKey(n)) throw new IllegalArgumentException("optimizer state for unknown parameter " + n);
        }
        List<String> order = new ArrayList<>();
        List<NDArray> ps = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            if (first.containsKey(e.getKey())) {
                order.add(e.getKey());
                ps.add(e.getValue());
            }
        }
        if (order.isEmpty()) return;
        try (NDManager tmp = manager.newSubManager()) {
            NDList fm = new NDList(), fv = new NDList();
            for (int i = 0; i < order.size(); i++) {
                NDArray p = ps.get(i);
                fm.add(Lora.engineOwned(tmp, first.get(order.get(i)), new Shape(p.size()), p.getDataType()));
                fv.add(Lora.engineOwned(tmp, second.get(order.get(i)), new Shape(p.size()), p.getDataType()));
            }
            if (m != null) {
                m.close();
                v.close();
            }
            m = fm.size() == 1 ? fm.get(0).duplicate() : NDArrays.concat(fm);
            v = fv.size() == 1 ? fv.get(0).duplicate() : NDArrays.concat(fv);
            m.attach(manager);
            v.attach(manager);
            names.clear();
            names.addAll(order);
            shapes.clear();
            long[] sp = new long[order.size() - 1];
            long at = 0;
            for (int i = 0; i < order.size(); i++) {
                shapes.add(ps.get(i).getShape());
                at += ps.get(i).size();
                if (i < sp.length) sp[i] = at;
            }
            splits = sp;
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Double-precision twin of {@link #step}: updates {@code p}, {@code m}, {@code v} in place for step {@code t}. */
    public static void twin(double[] p, double[] g, double[] m, double[] v, int t, double lr, double beta1, double beta2,
                            double eps, double weightDecay) {
        twin(p, g, m, v, t, lr, beta1, beta2, eps, weightDecay, null);
    }

    /**
     * {@link #twin} over the entries whose {@code mask} entry is true (null: all); the others (parameters, moments)
     * are left untouched, as parameters outside the optimizer are. This is the optimizer of host-parameter models
     * (the embedding reward heads of prefer-reward), whose few-shot adaptation freezes part of the vector.
     */
    public static void twin(double[] p, double[] g, double[] m, double[] v, int t, double lr, double beta1, double beta2,
                            double eps, double weightDecay, boolean[] mask) {
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < p.length; i++) {
            if (mask != null && !mask[i]) continue;
            p[i] *= 1 - lr * weightDecay;
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            p[i] -= lr * (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + eps);
        }
    }
}
