package dev.prefer.objectives;

import java.util.Arrays;

/**
 * The inputs of an objective in double precision: B groups of K responses each, flattened group-major
 * ({@code index = b * K + j}). Everything is per sequence: {@code policy} and {@code reference} are summed
 * log-probs ℓ(y|x) over completion tokens, {@code tokens} the completion lengths |y|.
 *
 * <p>Pairs use K = 2 with the chosen response first; unpaired rows K = 1 with labels 1 (desirable) or 0; lists
 * K ≥ 2 with graded labels (higher is better). Optional per-group fields: {@code margins}, {@code weights}
 * (default 1), the KL-sample log-probs of KTO, and attribute values (MODPO). Immutable; arrays are copied.
 */
public final class Batch {
    private final int groups;
    private final int k;
    private final double[] policy;      // (B*K)
    private final double[] reference;   // (B*K) or null
    private final double[] tokens;      // (B*K) or null
    private final double[] labels;      // (B*K)
    private final double[] margins;     // (B) or null
    private final double[] weights;     // (B) or null
    private final double[] klPolicy;    // (B) or null
    private final double[] klReference; // (B) or null
    private final double[] attributes;  // (B*S) or null
    private final int attributeCount;   // S

    private Batch(int groups, int k, double[] policy, double[] reference, double[] tokens, double[] labels,
                  double[] margins, double[] weights, double[] klPolicy, double[] klReference, double[] attributes,
                  int attributeCount) {
        if (groups < 1) throw new IllegalArgumentException("a batch needs at least one group");
        if (k < 1) throw new IllegalArgumentException("K must be >= 1");
        int n = groups * k;
        this.groups = groups;
        this.k = k;
        this.policy = check("policy", policy, n, false);
        this.reference = check("reference", reference, n, true);
        this.tokens = check("tokens", tokens, n, true);
        this.labels = check("labels", labels, n, false);
        this.margins = check("margins", margins, groups, true);
        this.weights = check("weights", weights, groups, true);
        this.klPolicy = check("klPolicy", klPolicy, groups, true);
        this.klReference = check("klReference", klReference, groups, true);
        this.attributes = check("attributes", attributes, groups * attributeCount, true);
        this.attributeCount = attributes == null ? 0 : attributeCount;
        if (tokens != null) for (double t : tokens) if (!(t >= 1)) throw new IllegalArgumentException("token counts must be >= 1, got " + t);
        if (weights != null) {
            double total = 0;
            for (double w : weights) {
                if (!(w >= 0) || Double.isInfinite(w)) throw new IllegalArgumentException("weights must be finite and >= 0, got " + w);
                total += w;
            }
            if (total == 0) throw new IllegalArgumentException("weights must not all be zero");
        }
        if ((klPolicy == null) != (klReference == null)) throw new IllegalArgumentException("KL samples need both policy and reference log-probs");
    }

    private static double[] check(String name, double[] a, int n, boolean optional) {
        if (a == null) {
            if (optional) return null;
            throw new IllegalArgumentException(name + " is required");
        }
        if (a.length != n) throw new IllegalArgumentException(name + " has " + a.length + " values, expected " + n);
        for (double v : a) if (!Double.isFinite(v)) throw new IllegalArgumentException(name + " must be finite, got " + v);
        return a.clone();
    }

    /** Pairs: (chosen, rejected) per group. Pass null references for reference-free objectives. */
    public static Batch pairs(double[] policyChosen, double[] policyRejected, double[] referenceChosen, double[] referenceRejected) {
        int b = policyChosen.length;
        if (policyRejected.length != b) throw new IllegalArgumentException("chosen and rejected log-probs differ in length");
        if ((referenceChosen == null) != (referenceRejected == null)) throw new IllegalArgumentException("give both reference arrays or neither");
        double[] labels = new double[2 * b];
        for (int i = 0; i < b; i++) labels[2 * i] = 1;
        return new Batch(b, 2, interleave(policyChosen, policyRejected),
                referenceChosen == null ? null : interleave(referenceChosen, referenceRejected), null, labels,
                null, null, null, null, null, 0);
    }

    /** Unpaired rows (KTO): one response per group, desirable or not. */
    public static Batch unpaired(double[] policy, double[] reference, boolean[] desirable) {
        double[] labels = new double[desirable.length];
        for (int i = 0; i < labels.length; i++) labels[i] = desirable[i] ? 1 : 0;
        return new Batch(policy.length, 1, policy, reference, null, labels, null, null, null, null, null, 0);
    }

    /** Lists: K responses per group with graded labels (higher is better), all flattened group-major. */
    public static Batch lists(int k, double[] policy, double[] reference, double[] labels) {
        if (policy.length % k != 0) throw new IllegalArgumentException(policy.length + " log-probs do not split into groups of " + k);
        return new Batch(policy.length / k, k, policy, reference, null, labels, null, null, null, null, null, 0);
    }

    static double[] interleave(double[] a, double[] b) {
        double[] out = new double[a.length * 2];
        for (int i = 0; i < a.length; i++) {
            out[2 * i] = a[i];
            out[2 * i + 1] = b[i];
        }
        return out;
    }

    /** Completion token counts |y|, (B*K) group-major. */
    public Batch withTokens(double[] t) {
        return new Batch(groups, k, policy, reference, t, labels, margins, weights, klPolicy, klReference, attributes, attributeCount);
    }

    /** Token counts of pairs. */
    public Batch withPairTokens(int[] chosen, int[] rejected) {
        double[] t = new double[2 * groups];
        for (int i = 0; i < groups; i++) {
            t[2 * i] = chosen[i];
            t[2 * i + 1] = rejected[i];
        }
        return withTokens(t);
    }

    public Batch withMargins(double[] m) {
        return new Batch(groups, k, policy, reference, tokens, labels, m, weights, klPolicy, klReference, attributes, attributeCount);
    }

    public Batch withWeights(double[] w) {
        return new Batch(groups, k, policy, reference, tokens, labels, margins, w, klPolicy, klReference, attributes, attributeCount);
    }

    /** Log-probs of mismatched (x, y') pairs under policy and reference, one per group (KTO's KL estimate). */
    public Batch withKlSamples(double[] policyKl, double[] referenceKl) {
        return new Batch(groups, k, policy, reference, tokens, labels, margins, weights, policyKl, referenceKl, attributes, attributeCount);
    }

    /** S attribute values per group, (B*S) group-major, in the order an objective's requirements name them. */
    public Batch withAttributes(int s, double[] values) {
        return new Batch(groups, k, policy, reference, tokens, labels, margins, weights, klPolicy, klReference, values, s);
    }

    /** The same batch with other policy log-probs (used by finite differences and by the trainer). */
    public Batch withPolicy(double[] p) {
        return new Batch(groups, k, p, reference, tokens, labels, margins, weights, klPolicy, klReference, attributes, attributeCount);
    }

    /** Policy log-probs replaced by the reference's: the starting point of DPO training. */
    public Batch withReference(double[] r) {
        return new Batch(groups, k, policy, r, tokens, labels, margins, weights, klPolicy, klReference, attributes, attributeCount);
    }

    /** Policy and reference log-probs divided by the token counts: per-token mean log-probs. */
    public Batch lengthNormalized() {
        if (tokens == null) throw new IllegalArgumentException("length normalisation needs token counts: Batch.withTokens");
        double[] p = policy.clone();
        double[] r = reference == null ? null : reference.clone();
        for (int i = 0; i < p.length; i++) {
            p[i] /= tokens[i];
            if (r != null) r[i] /= tokens[i];
        }
        return new Batch(groups, k, p, r, tokens, labels, margins, weights, klPolicy, klReference, attributes, attributeCount);
    }

    public int groups() { return groups; }
    public int k() { return k; }
    public int size() { return groups * k; }
    public boolean hasReference() { return reference != null; }
    public boolean hasTokens() { return tokens != null; }
    public boolean hasMargins() { return margins != null; }
    public boolean hasWeights() { return weights != null; }
    public boolean hasKlSamples() { return klPolicy != null; }
    public int attributeCount() { return attributeCount; }

    public double policy(int b, int j) { return policy[b * k + j]; }
    public double reference(int b, int j) { return reference == null ? 0 : reference[b * k + j]; }
    public double label(int b, int j) { return labels[b * k + j]; }

    public double tokens(int b, int j) {
        if (tokens == null) throw new IllegalArgumentException("this objective needs token counts: Batch.withTokens");
        return tokens[b * k + j];
    }

    /** ρ = ℓ_θ − ℓ_ref (ℓ_θ alone without a reference). */
    public double logRatio(int b, int j) { return policy(b, j) - reference(b, j); }
    public double margin(int b) { return margins == null ? 0 : margins[b]; }
    public double weight(int b) { return weights == null ? 1 : weights[b]; }
    public double klPolicy(int b) { return klPolicy[b]; }
    public double klReference(int b) { return klReference[b]; }
    public double attribute(int b, int s) { return attributes[b * attributeCount + s]; }

    public double[] policy() { return policy.clone(); }
    public double[] reference() { return reference == null ? null : reference.clone(); }
    public double[] tokens() { return tokens == null ? null : tokens.clone(); }
    public double[] labels() { return labels.clone(); }
    public double[] margins() { return margins == null ? null : margins.clone(); }
    public double[] weights() { return weights == null ? null : weights.clone(); }
    public double[] klPolicy() { return klPolicy == null ? null : klPolicy.clone(); }
    public double[] klReference() { return klReference == null ? null : klReference.clone(); }
    public double[] attributes() { return attributes == null ? null : attributes.clone(); }

    /** Checks that the batch has the layout an objective needs; the message names the objective. */
    public void require(String objective, Layout layout, boolean needsReference) {
        switch (layout) {
            case PAIRS -> {
                if (k != 2) throw new IllegalArgumentException(objective + " needs pairs (K = 2), got K = " + k);
            }
            case UNPAIRED -> {
                if (k != 1) throw new IllegalArgumentException(objective + " needs unpaired rows (K = 1), got K = " + k);
                for (double l : labels) if (l != 0 && l != 1) throw new IllegalArgumentException(objective + " needs 0/1 labels, got " + l);
            }
            case LISTS -> {
                if (k < 2) throw new IllegalArgumentException(objective + " needs lists of K >= 2 responses, got K = " + k);
            }
        }
        if (needsReference && reference == null) throw new IllegalArgumentException(objective + " needs reference log-probs");
    }

    @Override
    public String toString() {
        return "Batch[B=" + groups + ", K=" + k + ", policy=" + Arrays.toString(policy) + "]";
    }
}
