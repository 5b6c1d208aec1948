package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient checkpointing for {@link Transformer} passes (Chen et al. 2016, "Training Deep Nets with Sublinear Memory
 * Cost", arXiv 1604.06174; transformers' {@code gradient_checkpointing}, which wraps each decoder layer in
 * {@code torch.utils.checkpoint}). DJL has no custom autograd functions, so the pass is split by hand:
 *
 * <ol>
 *   <li>Forward: the embedding is recorded as usual; each block runs without autograd in its own sub-manager (its
 *       intermediates are freed as soon as it returns) and only its input x_i (B, T, D) is kept. The last block's
 *       output becomes a leaf that requires a gradient, and the final norm, head and loss are recorded on top of it.</li>
 *   <li>Backward ({@link Transformer#backward}): the loss is back-propagated to that leaf; then for i = L−1 … 0 block i
 *       is re-run with autograd from a leaf copy of x_i and {@code sum(block_i(x_i) ⊙ g_{i+1})} is back-propagated,
 *       which adds block i's parameter gradients and gives g_i = ∂L/∂x_i; finally {@code sum(x_0 ⊙ g_0)} is
 *       back-propagated through the recorded embedding.</li>
 * </ol>
 *
 * The recomputation repeats the same ops on the same inputs (LoRA dropout re-seeds the engine's generator per
 * module and micro-batch before each draw), so the gradients equal the plain pass's.
 */
final class GradientCheckpointing {
    private GradientCheckpointing() {}

    /** One checkpointed pass waiting for its backward: the saved block inputs and the leaf above the last block. */
    private record Segment(Transformer model, Pass pass, int from, boolean autocast, NDArray[] inputs, NDArray top) {}

    private static final ThreadLocal<List<Segment>> PENDING = ThreadLocal.withInitial(ArrayList::new);

    /** Whether autograd is recording (a training pass); inference passes are never checkpointed. */
    static boolean recording() {
        return JniUtils.isGradMode();
    }

    /** Runs the blocks of a recorded pass without keeping their activations; returns the leaf above the last block. */
    static NDArray blocks(Transformer model, Pass pass, NDArray x0, int from, boolean autocast) {
        List<Segment> pending = PENDING.get();
        for (Segment s : pending) {
            if (!s.pass().step.isOpen()) {
                pending.clear();
                throw new IllegalStateException("gradient checkpointing: a checkpointed forward pass was never back-propagated"
                        + " (call Transformer.backward(gc, loss) instead of gc.backward(loss))");
            }
        }
        int layers = model.config().numLayers();
        NDArray[] inputs = new NDArray[layers];
        NDArray x = x0;
        JniUtils.setGradMode(false);
        try {
            for (int i = 0; i < layers; i++) {
                inputs[i] = x;
                try (NDManager sub = pass.step.newSubManager()) {
                    NDArray in = x.stopGradient(); // an alias in the sub-manager: the block's intermediates go there
                    in.attach(sub);
                    NDArray y = model.block(i, in, pass, i == layers - 1 ? from : 0);
                    y.attach(pass.step);
                    x = y;
                }
            }
        } finally {
            JniUtils.setGradMode(true);
        }
        NDArray top = x.stopGradient();
        top.setRequiresGradient(true);
        pending.add(new Segment(model, pass, from, autocast, inputs, top));
        return top;
    }

    /** Back-propagates every pending pass of this thread through its recomputed blocks, latest pass first. */
    static void backwardPending(GradientCollector gc) {
        List<Segment> pending = PENDING.get();
        if (pending.isEmpty()) return;
        List<Segment> todo = new ArrayList<>(pending);
        pending.clear();
        for (int k = todo.size() - 1; k >= 0; k--) backward(gc, todo.get(k));
    }

    private static void backward(GradientCollector gc, Segment s) {
        NDManager step = s.pass().step;
        NDArray g;
        try {
            g = s.top().getGradient(); // ∂loss/∂(last block's output); absent when the loss did not use this pass
        } catch (IllegalStateException e) {
            return;
        }
        g.attach(step);
        int layers = s.inputs().length;
        for (int i = layers - 1; i >= 0; i--) {
            final int layer = i;
            NDArray gi = g;
            NDArray next = s.model().withFreshCasts(s.autocast(), s.pass(), () -> { // casts made under autograd, unlike the forward's
                try (NDManager sub = step.newSubManager()) {
                    NDArray in = s.inputs()[layer].stopGradient();
                    in.attach(sub);
                    in.setRequiresGradient(true);
                    NDArray y = s.model().block(layer, in, s.pass(), layer == layers - 1 ? s.from() : 0);
                    gc.backward(y.mul(gi).sum());
                    NDArray gin = in.getGradient();
                    gin.attach(step);
                    return gin;
                }
            });
            g.close();
            g = next;
        }
        NDArray x0 = s.inputs()[0];
        // Then through the recorded embedding. (DJL's requiresGrad reads false on this non-leaf even when the
        // embedding is trainable, so the engine decides: a frozen embedding, e.g. under LoRA, has no graph.)
        try (NDArray target = x0.mul(g).sum()) {
            gc.backward(target);
        } catch (ai.djl.engine.EngineException frozen) {
            if (!String.valueOf(frozen.getMessage()).contains("does not require grad")) throw frozen;
        }
        g.close();
    }
}
