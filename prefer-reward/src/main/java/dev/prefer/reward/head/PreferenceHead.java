package dev.prefer.reward.head;

import java.util.List;

/**
 * A trainable model of P(a ≻ b | context, annotator) over encoded vectors. All parameters live in one flat
 * {@code double[]} ({@link #parameters()}), so one optimizer, one finite-difference check and one save format
 * serve every head. Gradients are written by hand and checked against central differences in the tests.
 */
public interface PreferenceHead {

    HeadConfig config();

    /** The live parameter vector; optimizers update it in place. */
    double[] parameters();

    /** Annotators this head has parameters for, in parameter order (empty for heads that ignore annotators). */
    default List<String> annotators() {
        return List.of();
    }

    /** Log-odds that {@code a} is preferred over {@code b}: log P(a≻b) − log P(b≻a). */
    double logit(double[] context, double[] a, double[] b, String annotator);

    /**
     * Weighted mean training loss over the batch; when {@code grad} is not null, adds ∂loss/∂θ into it
     * (same length as {@link #parameters()}).
     */
    double loss(List<EncodedPair> batch, double[] grad);

    /** Parameters that training may change; null means all. Few-shot adaptation freezes the rest. */
    default boolean[] trainable() {
        return null;
    }
}
