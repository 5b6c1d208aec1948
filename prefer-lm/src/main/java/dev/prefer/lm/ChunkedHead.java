package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;

/**
 * The LM head, log-softmax and label gather of the response positions in chunks of rows, without keeping any (N, V)
 * tensor: the approach of Liger-Kernel's fused linear cross-entropy (Hsu et al. 2024, arXiv 2410.10989;
 * {@code liger_kernel/ops/fused_linear_cross_entropy.py}, {@code fused_linear_cross_entropy_forward}: the logits of
 * one chunk of rows at a time, never the whole (N, V) matrix). Liger can finish each chunk's gradient in the forward
 * because its output is the final loss; here the per-token log-probs feed a loss that is not known yet (DPO's
 * sigmoid of sums, GRPO's ratios), so the gradient is recomputed in the backward instead, split by hand as
 * {@link GradientCheckpointing} splits the blocks (DJL has no custom autograd functions):
 *
 * <ol>
 *   <li>Forward, without autograd: for each chunk of rows, logits → log-softmax → the label's log-prob and the entropy
 *       −Σ p log p (for the online trainers' metric); the chunk's (C, V) tensors are freed before the next chunk. When
 *       autograd is recording, the (N) log-probs become a leaf that requires a gradient and the loss is recorded on
 *       top of it.</li>
 *   <li>Backward ({@link Transformer#backward}): after the loss is back-propagated to that leaf (g = ∂L/∂logp, (N)),
 *       each chunk is re-run with autograd from a leaf copy of its hidden rows h_c and {@code sum(logp_c ⊙ g_c)} is
 *       back-propagated: that adds the chunk's share of the LM head's weight gradient (through the tied embedding or
 *       a mixed-precision cast as the plain pass would) and gives ∂L/∂h_c; finally {@code sum(h ⊙ ∂L/∂h)} is
 *       back-propagated through the recorded blocks (or into the leaf above them under gradient checkpointing).</li>
 * </ol>
 *
 * The chunk's ops are the plain pass's ops on fewer rows, so the values are the same up to the matrix product's
 * blocking; the weight gradient is summed over chunks in its own dtype (float32 masters).
 */
final class ChunkedHead {
    private ChunkedHead() {}

    /**
     * Logits elements per chunk (rows = this / V, at least 1): 2^23, 32 MiB of float32 (GPT-2: 166 rows, Qwen2.5:
     * 55). Each chunk re-reads the whole head weight three or four times (matrix products with few rows are bound by
     * packing the (V, D) operand), so small chunks cost time and large ones memory: the head's forward + backward on
     * GPT-2 at N = 256 took 2.0 s plain against 5.0 s in chunks of 83 rows, and 0.35 / 0.75 s (2 chunks) or 0.46 / 0.65 s
     * (1 chunk) in quieter minutes (medians of 7, same JVM, alternated; docs/results/lm-families.md).
     * {@code -Dprefer.lm.headChunkElements=N} changes it (a benchmark knob).
     */
    static final long CHUNK_ELEMENTS = Long.getLong("prefer.lm.headChunkElements", 1L << 23);

    /**
     * A trainable head's pass of at most this many logits elements (N·V) runs as one recorded piece instead
     * ({@link #keptLogps}): its log-softmax (N, V) is kept for the backward, which then needs no recompute of the head
     * (one (N, D)·(D, V) product and a log-softmax fewer per step). 2^24 (64 MiB of float32): GPT-2 at N = 256 (a GRPO
     * batch of 8 x 32 tokens, a DPO pair of 128-token responses). {@code -Dprefer.lm.headKeepElements=N} changes it
     * (0: always in chunks).
     */
    static final long KEEP_ELEMENTS = Long.getLong("prefer.lm.headKeepElements", 1L << 24);

    /**
     * ... and only for a head of at least this many weights (V·D): a small head's recompute costs less than recording
     * it (tiny GRPO benchmark model, V 512 x D 128, N = 1000: the kept pass made the step ~10% slower, 5 alternated
     * rounds). 2^22; GPT-2's head has 38.6M. {@code -Dprefer.lm.headKeepMinWeights=N}.
     */
    static final long KEEP_MIN_WEIGHTS = Long.getLong("prefer.lm.headKeepMinWeights", 1L << 22);

    /** The per-token log-probs (N) — a recorded leaf when autograd is recording — and the detached entropies (N). */
    record Out(NDArray tokenLogps, NDArray entropies) {}

    /** One recorded head pass waiting for its backward. */
    private record Segment(Transformer model, NDManager step, NDArray hidden, NDArray labels, boolean float64, int rows, NDArray leaf,
                           NDArray jacobian, NDArray recorded, NDArray leafHidden) {}

    private static final ThreadLocal<List<Segment>> PENDING = ThreadLocal.withInitial(ArrayList::new);

    static int chunkRows(long vocab) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, CHUNK_ELEMENTS / vocab));
    }

    /**
     * Log-probs of {@code labels} under the head applied to {@code hidden} (N, D), in {@code step}.
     *
     * @param float64 take log-softmax in float64
     */
    static Out logps(Transformer model, NDManager step, NDArray hidden, long[] labels, boolean float64) {
        int n = labels.length;
        if (n > 0 && (long) n * model.config().vocabSize() <= KEEP_ELEMENTS
                && (long) model.config().vocabSize() * model.config().hiddenSize() >= KEEP_MIN_WEIGHTS && JniUtils.isGradMode() && model.headTrainable()
                && model.outputEmbedding().getDataType() == hidden.getDataType()) {
            return keptLogps(model, step, hidden, labels, float64);
        }
        return logps(model, step, hidden, labels, float64, chunkRows(model.config().vocabSize()));
    }

    /**
     * The whole head in one pass, recorded from a leaf copy of the hidden rows: logits → log-softmax → the label's
     * log-prob under autograd (the head weight is the parameter itself: no mixed-precision cast), the entropies taken
     * from the log-softmax without autograd. As in the chunked pass the returned (N) log-probs are a leaf; the backward
     * ({@link #backwardPending}) back-propagates {@code sum(logp ⊙ g)} through this recorded piece (the head weight's
     * gradient accumulates right away, as a chunk's does) and then ∂L/∂h through the blocks — with no recompute. Kept
     * for the backward: the log-softmax (N, V), saved by autograd (the logits' handle is closed; log-softmax's
     * gradient reads its output). The piece is separate from the blocks' graph on purpose: with tied embeddings one
     * graph would hold the head's (V, D) weight gradient until the embedding's backward at the very end.
     */
    static Out keptLogps(Transformer model, NDManager step, NDArray hidden, long[] labels, boolean float64) {
        int n = labels.length;
        boolean record = JniUtils.isGradMode();
        if (record) PENDING.get().removeIf(s -> !s.step().isOpen());
        NDArray lab = Transformer.engineOwned(step.create(labels, new Shape(n, 1)));
        NDArray leafHidden = hidden.stopGradient(); // (N, D), shares the storage
        leafHidden.attach(step);
        leafHidden.setRequiresGradient(true);
        NDArray recorded, e;
        JniUtils.setGradMode(true);
        try (NDManager pass = step.newSubManager()) {
            NDArray ls;
            try (NDManager logits = pass.newSubManager()) {
                NDArray z = model.logits(leafHidden, model.outputEmbedding()); // (N, V)
                z.attach(logits);
                if (float64 && z.getDataType() != DataType.FLOAT64) {
                    z = z.toType(DataType.FLOAT64, false);
                    z.attach(logits);
                }
                ls = z.logSoftmax(-1); // (N, V), recorded
                ls.attach(pass);
            }
            recorded = ls.gather(lab, 1).reshape(n); // (N), recorded
            recorded.attach(step);
            JniUtils.setGradMode(false);
            try (NDManager ent = pass.newSubManager()) {
                NDArray p = ls.exp();
                p.attach(ent);
                e = p.muli(ls).sum(new int[] {1}).neg(); // (N)
                e.attach(step);
            }
        } finally {
            JniUtils.setGradMode(record);
        }
        NDArray tokenLogps = recorded.stopGradient(); // (N), a leaf
        tokenLogps.attach(step);
        if (record) {
            tokenLogps.setRequiresGradient(true);
            PENDING.get().add(new Segment(model, step, hidden, lab, float64, n, tokenLogps, null, recorded, leafHidden));
        }
        return new Out(tokenLogps, e);
    }

    /** {@link #logps(Transformer, NDManager, NDArray, long[], boolean)} in chunks of {@code rows} rows. */
    static Out logps(Transformer model, NDManager step, NDArray hidden, long[] labels, boolean float64, int rows) {
        if (rows < 1) throw new IllegalArgumentException("chunk rows must be >= 1, got " + rows);
        int n = labels.length;
        boolean record = JniUtils.isGradMode();
        if (record) PENDING.get().removeIf(s -> !s.step().isOpen()); // passes whose backward never came (an exception)
        NDArray lab = Transformer.engineOwned(step.create(labels, new Shape(n, 1)));
        NDList tok = new NDList(), ent = new NDList(), jac = new NDList();
        // a frozen head (LoRA): ∂logp_i/∂h_i (C, D) is taken in the forward, each row's log-prob depending on its own
        // row only, so the backward needs no recompute (and no (C, V) transient): ∂L/∂h = g ⊙ that
        boolean frozen = record && n > 0 && !model.headTrainable();
        JniUtils.setGradMode(false);
        try (NDManager pass = step.newSubManager()) {
            NDArray w = model.headWeight(hidden.getDataType(), pass); // a mixed-precision cast is made once
            for (int a = 0; a < n; a += rows) {
                int b = Math.min(n, a + rows);
                try (NDManager sub = pass.newSubManager()) {
                    NDArray h = hidden.get(new NDIndex(a + ":" + b));
                    h.attach(sub);
                    NDArray l = lab.get(new NDIndex(a + ":" + b));
                    l.attach(sub);
                    if (frozen) {
                        h = h.stopGradient();
                        h.attach(sub);
                        h.setRequiresGradient(true);
                    }
                    JniUtils.setGradMode(frozen);
                    NDArray ls = logSoftmax(model, h, w, float64);
                    if (frozen) {
                        NDArray s = ls.gather(l, 1).sum();
                        JniUtils.backward((PtNDArray) s, (PtNDArray) s.onesLike(), false, false);
                        NDArray j = h.getGradient(); // (C, D)
                        j.attach(step);
                        jac.add(j);
                    }
                    JniUtils.setGradMode(false);
                    NDArray t = ls.gather(l, 1).reshape(b - a); // (C)
                    NDArray e = ls.exp().mul(ls).sum(new int[] {1}).neg(); // (C)
                    t.attach(step);
                    e.attach(step);
                    tok.add(t);
                    ent.add(e);
                }
            }
        } finally {
            JniUtils.setGradMode(record);
        }
        NDArray tokenLogps, entropies;
        if (n == 0) {
            DataType type = float64 ? DataType.FLOAT64 : hidden.getDataType() == DataType.FLOAT64 ? DataType.FLOAT64 : DataType.FLOAT32;
            tokenLogps = step.zeros(new Shape(0), type);
            entropies = step.zeros(new Shape(0), type);
        } else {
            tokenLogps = tok.size() == 1 ? tok.singletonOrThrow() : NDArrays.concat(tok);
            entropies = ent.size() == 1 ? ent.singletonOrThrow() : NDArrays.concat(ent);
        }
        if (record && n > 0) {
            tokenLogps.setRequiresGradient(true);
            NDArray j = !frozen ? null : jac.size() == 1 ? jac.singletonOrThrow() : NDArrays.concat(jac); // (N, D)
            PENDING.get().add(new Segment(model, step, hidden, lab, float64, rows, tokenLogps, j, null, null));
        }
        return new Out(tokenLogps, entropies);
    }

    /** Log-softmax (C, V) of one chunk's logits, in float64 when asked, as the plain pass took it. */
    private static NDArray logSoftmax(Transformer model, NDArray h, NDArray w, boolean float64) {
        NDArray logits = model.logits(h, w); // (C, V)
        if (float64 && logits.getDataType() != DataType.FLOAT64) logits = logits.toType(DataType.FLOAT64, false);
        return logits.logSoftmax(-1);
    }

    /** Back-propagates every pending head pass of this thread (latest first) into its hidden rows and head weight. */
    static void backwardPending(GradientCollector gc) {
        List<Segment> pending = PENDING.get();
        if (pending.isEmpty()) return;
        List<Segment> todo = new ArrayList<>(pending);
        pending.clear();
        for (int k = todo.size() - 1; k >= 0; k--) {
            if (todo.get(k).step().isOpen()) backward(gc, todo.get(k));
        }
    }

    private static void backward(GradientCollector gc, Segment s) {
        NDArray g;
        try {
            g = s.leaf().getGradient(); // ∂loss/∂logp (N); absent when the loss did not use this pass
        } catch (IllegalStateException e) {
            return;
        }
        NDManager step = s.step();
        g.attach(step);
        int n = (int) s.leaf().size();
        if (s.recorded() != null) { // the kept pass: its recorded piece, no recompute
            NDArray gr = g.getDataType() == s.recorded().getDataType() ? g : g.toType(s.recorded().getDataType(), false);
            gc.backward(s.recorded().mul(gr).sum());
            NDArray gh = s.leafHidden().getGradient(); // (N, D)
            gh.attach(step);
            throughHidden(gc, s, gh);
            g.close();
            return;
        }
        if (s.jacobian() != null) {
            NDArray j = s.jacobian();
            NDArray gj = g.getDataType() == j.getDataType() ? g : g.toType(j.getDataType(), false);
            NDArray gh = j.mul(gj.reshape(n, 1)); // (N, D)
            throughHidden(gc, s, gh);
            return;
        }
        NDList parts = new NDList();
        for (int a = 0; a < n; a += s.rows()) {
            int b = Math.min(n, a + s.rows());
            try (NDManager sub = step.newSubManager()) {
                NDArray view = s.hidden().get(new NDIndex(a + ":" + b));
                view.attach(sub);
                NDArray h = view.stopGradient();
                h.attach(sub);
                h.setRequiresGradient(true);
                // a fresh recorded cast of the head weight per chunk under mixed precision: its gradient reaches the master
                NDArray w = s.model().headWeight(h.getDataType(), sub);
                NDArray ls = logSoftmax(s.model(), h, w, s.float64());
                NDArray l = s.labels().get(new NDIndex(a + ":" + b));
                l.attach(sub);
                NDArray t = ls.gather(l, 1).reshape(b - a); // (C)
                NDArray gc_ = g.get(new NDIndex(a + ":" + b));
                gc_.attach(sub);
                gc.backward(t.mul(gc_).sum());
                NDArray gh = h.getGradient(); // (C, D)
                gh.attach(step);
                parts.add(gh);
            }
        }
        NDArray gh = parts.size() == 1 ? parts.singletonOrThrow() : NDArrays.concat(parts); // (N, D)
        throughHidden(gc, s, gh);
        g.close();
    }

    private static void throughHidden(GradientCollector gc, Segment s, NDArray gh) {
        // then through the recorded pass (DJL's requiresGrad reads false on non-leaves, so the engine decides: a
        // hidden that needs no gradient, e.g. a frozen reference under a collector, has no graph)
        try (NDArray target = s.hidden().mul(gh).sum()) {
            gc.backward(target);
        } catch (ai.djl.engine.EngineException frozen) {
            if (!String.valueOf(frozen.getMessage()).contains("does not require grad")) throw frozen;
        }
        gh.close();
    }
}
