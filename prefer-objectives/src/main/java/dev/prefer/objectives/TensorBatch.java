package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The tensor form of a {@link Batch}: the same fields as NDArrays of shape (B, K) per response and (B) per group,
 * all of one floating type. {@code policy} is the tensor that carries the gradient; the other fields are
 * constants made from the host batch, which is kept for what is decided on the host (layout checks, metrics).
 *
 * <pre>{@code
 * try (NDManager step = base.newSubManager()) {
 *     TensorBatch tb = TensorBatch.of(step, hostBatch, DataType.FLOAT32).withPolicy(policyLogps); // (B, K)
 *     TensorLoss out = objective.loss(tb);
 *     gradientCollector.backward(out.loss());
 * }
 * }</pre>
 */
public final class TensorBatch {
    private final Batch host;
    private final NDArray policy;      // (B, K)
    private final NDArray reference;   // (B, K) or null
    private final NDArray tokens;      // (B, K) or null
    private final NDArray labels;      // (B, K)
    private final NDArray margins;     // (B) or null
    private final NDArray weights;     // (B) or null
    private final NDArray klPolicy;    // (B) or null
    private final NDArray klReference; // (B) or null
    private final NDArray attributes;  // (B, S) or null

    private TensorBatch(Batch host, NDArray policy, NDArray reference, NDArray tokens, NDArray labels, NDArray margins,
                        NDArray weights, NDArray klPolicy, NDArray klReference, NDArray attributes) {
        this.host = host;
        this.policy = policy;
        this.reference = reference;
        this.tokens = tokens;
        this.labels = labels;
        this.margins = margins;
        this.weights = weights;
        this.klPolicy = klPolicy;
        this.klReference = klReference;
        this.attributes = attributes;
    }

    /** Every field of {@code b} as an NDArray of {@code type} in {@code manager}. */
    public static TensorBatch of(NDManager manager, Batch b, DataType type) {
        Shape bk = new Shape(b.groups(), b.k());
        Shape g = new Shape(b.groups());
        return new TensorBatch(b, make(manager, b.policy(), bk, type), make(manager, b.reference(), bk, type),
                make(manager, b.tokens(), bk, type), make(manager, b.labels(), bk, type), make(manager, b.margins(), g, type),
                make(manager, b.weights(), g, type), make(manager, b.klPolicy(), g, type), make(manager, b.klReference(), g, type),
                make(manager, b.attributes(), new Shape(b.groups(), b.attributeCount()), type));
    }

    private static NDArray make(NDManager m, double[] v, Shape shape, DataType type) {
        if (v == null) return null;
        // Always copy into engine-owned memory: an array made from a Java buffer may share that buffer's storage.
        return m.create(v, shape).toType(type, true);
    }

    /** The same batch with policy log-probs from the model, shape (B, K) (pairs: chosen in column 0). */
    public TensorBatch withPolicy(NDArray p) {
        if (!p.getShape().equals(policy.getShape())) {
            throw new IllegalArgumentException("policy log-probs have shape " + p.getShape() + ", expected " + policy.getShape());
        }
        return new TensorBatch(host, p, reference, tokens, labels, margins, weights, klPolicy, klReference, attributes);
    }

    /** The same batch with KTO's KL-sample policy log-probs from the model, shape (B). */
    public TensorBatch withKlPolicy(NDArray p) {
        return new TensorBatch(host, policy, reference, tokens, labels, margins, weights, p, klReference, attributes);
    }

    /** Policy and reference log-probs divided by the token counts (per-token means). */
    public TensorBatch lengthNormalized() {
        NDArray t = tokens();
        return new TensorBatch(host.lengthNormalized(), policy.div(t), reference == null ? null : reference.div(t), tokens,
                labels, margins, weights, klPolicy, klReference, attributes);
    }

    public Batch host() { return host; }
    public NDArray policy() { return policy; }
    public NDArray labels() { return labels; }
    public NDArray margins() { return margins; }
    public NDArray weights() { return weights; }
    public NDArray klPolicy() { return klPolicy; }
    public NDArray klReference() { return klReference; }
    public NDArray attributes() { return attributes; }
    public int groups() { return host.groups(); }
    public int k() { return host.k(); }

    public NDArray reference() {
        if (reference == null) throw new IllegalArgumentException("this objective needs reference log-probs");
        return reference;
    }

    public NDArray tokens() {
        if (tokens == null) throw new IllegalArgumentException("this objective needs token counts: Batch.withTokens");
        return tokens;
    }

    /** ρ = ℓ_θ − ℓ_ref per response (ℓ_θ alone without a reference), shape (B, K). */
    public NDArray logRatio() {
        return reference == null ? policy : policy.sub(reference);
    }

    /** Column j of a (B, K) array, shape (B). */
    public static NDArray col(NDArray a, int j) {
        return a.get(":, " + j);
    }
}
