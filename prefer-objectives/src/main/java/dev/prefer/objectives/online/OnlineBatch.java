package dev.prefer.objectives.online;

/**
 * The inputs of an online loss in double precision: B completions of T token positions each, flattened row-major
 * ({@code index = b * T + t}), as a trainer has them after generating, scoring and running the models once.
 *
 * <ul>
 *   <li>{@code logps} (B, T): per-token log π_θ(y_t | x, y_&lt;t) of the current policy, the values the loss is
 *       differentiated in. Padded positions must hold finite values (0 is fine); the mask removes them.</li>
 *   <li>{@code detachedLogps} (B, T): the same values seen through a stop-gradient. It equals {@code logps} except in
 *       a finite-difference test, where {@link #withLogps} moves the live values and leaves these fixed; every
 *       {@code sg(·)} of a formula reads them.</li>
 *   <li>{@code oldLogps} (B, T), optional: log π_θold of the policy that sampled the completions (several
 *       optimisation iterations per generation batch). Absent: the first iteration, π_θold = sg(π_θ), ratio 1.</li>
 *   <li>{@code refLogps} (B, T), optional: the reference model (GRPO's KL term, SPPO's π_t, Nash-MD's KL).</li>
 *   <li>{@code mask} (B, T): 1 on completion tokens, 0 on padding (and on whole truncated completions when
 *       {@link #maskTruncated} was applied).</li>
 *   <li>{@code advantages}: (B) one per completion (GRPO, RLOO) or (B, T) per token (REINFORCE++).</li>
 *   <li>{@code entropies} (B, T), optional: per-token entropies of the policy, only for the {@code entropy} metric.</li>
 *   <li>{@code scores} (B), optional: a per-completion number from a pairwise judge: the win rate P̂(y ≻ π_t) for
 *       SPPO, the probability P(y ≻ y') of the policy sample against the mixture sample for Nash-MD.</li>
 *   <li>{@code tokensInBatch}: DAPO's normaliser, the active tokens of the whole accumulated generation batch
 *       (TRL's {@code num_items_in_batch}); NaN means "this batch's own mask sum".</li>
 * </ul>
 * Immutable; arrays are copied on the way in and out.
 */
public final class OnlineBatch {
    private final int b;
    private final int t;
    private final double[] logps;
    private final double[] detachedLogps;
    private final double[] oldLogps;
    private final double[] refLogps;
    private final double[] mask;
    private final double[] advantages;
    private final double[] entropies;
    private final double[] scores;
    private final double tokensInBatch;

    private OnlineBatch(int b, int t, double[] logps, double[] detachedLogps, double[] oldLogps, double[] refLogps,
                        double[] mask, double[] advantages, double[] entropies, double[] scores, double tokensInBatch) {
        if (b < 1 || t < 1) throw new IllegalArgumentException("an online batch needs B >= 1 and T >= 1, got B=" + b + ", T=" + t);
        int n = b * t;
        this.b = b;
        this.t = t;
        this.logps = check("logps", logps, n, false);
        this.detachedLogps = check("detachedLogps", detachedLogps, n, false);
        this.oldLogps = check("oldLogps", oldLogps, n, true);
        this.refLogps = check("refLogps", refLogps, n, true);
        this.mask = check("mask", mask, n, false);
        for (double m : mask) if (m != 0 && m != 1) throw new IllegalArgumentException("mask values must be 0 or 1, got " + m);
        if (advantages != null && advantages.length != b && advantages.length != n)
            throw new IllegalArgumentException("advantages has " + advantages.length + " values, expected B=" + b + " or B*T=" + n);
        this.advantages = check("advantages", advantages, advantages == null ? 0 : advantages.length, true);
        this.entropies = check("entropies", entropies, n, true);
        this.scores = check("scores", scores, b, true);
        if (!Double.isNaN(tokensInBatch) && !(tokensInBatch > 0))
            throw new IllegalArgumentException("tokensInBatch must be > 0 (or NaN for the mask sum), got " + tokensInBatch);
        this.tokensInBatch = tokensInBatch;
    }

    private static double[] check(String name, double[] a, int n, boolean optional) {
        if (a == null) {
            if (optional) return null;
            throw new IllegalArgumentException(name + " is required");
        }
        if (a.length != n) throw new IllegalArgumentException(name + " has " + a.length + " values, expected " + n);
        for (int i = 0; i < a.length; i++)
            if (!Double.isFinite(a[i])) throw new IllegalArgumentException(name + "[" + i + "] must be finite, got " + a[i]);
        return a.clone();
    }

    /** A batch of B completions × T positions: policy log-probs and mask, everything else absent. */
    public static OnlineBatch of(int b, int t, double[] logps, double[] mask) {
        return new OnlineBatch(b, t, logps, logps, null, null, mask, null, null, null, Double.NaN);
    }

    public OnlineBatch withOldLogps(double[] old) {
        return new OnlineBatch(b, t, logps, detachedLogps, old, refLogps, mask, advantages, entropies, scores, tokensInBatch);
    }

    public OnlineBatch withRefLogps(double[] ref) {
        return new OnlineBatch(b, t, logps, detachedLogps, oldLogps, ref, mask, advantages, entropies, scores, tokensInBatch);
    }

    /** Advantages, (B) per completion or (B, T) per token. */
    public OnlineBatch withAdvantages(double[] a) {
        return new OnlineBatch(b, t, logps, detachedLogps, oldLogps, refLogps, mask, a, entropies, scores, tokensInBatch);
    }

    public OnlineBatch withEntropies(double[] e) {
        return new OnlineBatch(b, t, logps, detachedLogps, oldLogps, refLogps, mask, advantages, e, scores, tokensInBatch);
    }

    /** Per-completion judge numbers (SPPO win rates, Nash-MD probabilities), (B). */
    public OnlineBatch withScores(double[] s) {
        return new OnlineBatch(b, t, logps, detachedLogps, oldLogps, refLogps, mask, advantages, entropies, s, tokensInBatch);
    }

    /** DAPO's normaliser: active tokens of the whole accumulated batch. */
    public OnlineBatch withTokensInBatch(double n) {
        return new OnlineBatch(b, t, logps, detachedLogps, oldLogps, refLogps, mask, advantages, entropies, scores, n);
    }

    public OnlineBatch withMask(double[] m) {
        return new OnlineBatch(b, t, logps, detachedLogps, oldLogps, refLogps, m, advantages, entropies, scores, tokensInBatch);
    }

    /**
     * New live policy log-probs with the stop-gradient values kept (for finite differences: a loss with
     * {@code sg(·)} terms is then a plain function of the live values, whose derivative is what autograd returns).
     */
    public OnlineBatch withLogps(double[] live) {
        return new OnlineBatch(b, t, live, detachedLogps, oldLogps, refLogps, mask, advantages, entropies, scores, tokensInBatch);
    }

    /**
     * Zeroes the mask of every truncated completion (one that hit the length limit before its end-of-sequence token),
     * as TRL's {@code mask_truncated_completions} (grpo_trainer.py L2416-2421): such completions then add nothing to
     * the loss, but still count as rows in a per-sequence mean.
     */
    public OnlineBatch maskTruncated(boolean[] truncated) {
        if (truncated.length != b) throw new IllegalArgumentException("truncated has " + truncated.length + " values, expected B=" + b);
        double[] m = mask.clone();
        for (int i = 0; i < b; i++) if (truncated[i]) for (int j = 0; j < t; j++) m[i * t + j] = 0;
        return withMask(m);
    }

    public int b() { return b; }
    public int t() { return t; }
    public double[] logps() { return logps.clone(); }
    public double[] detachedLogps() { return detachedLogps.clone(); }
    public boolean hasOldLogps() { return oldLogps != null; }
    public boolean hasRefLogps() { return refLogps != null; }
    public boolean hasAdvantages() { return advantages != null; }
    public boolean hasEntropies() { return entropies != null; }
    public boolean hasScores() { return scores != null; }
    public boolean tokenAdvantages() { return advantages != null && advantages.length == b * t && b * t != b; }
    public double[] oldLogps() { return oldLogps == null ? null : oldLogps.clone(); }
    public double[] refLogps() { return refLogps == null ? null : refLogps.clone(); }
    public double[] mask() { return mask.clone(); }
    public double[] advantages() { return advantages == null ? null : advantages.clone(); }
    public double[] entropies() { return entropies == null ? null : entropies.clone(); }
    public double[] scores() { return scores == null ? null : scores.clone(); }
    public double tokensInBatchOrNaN() { return tokensInBatch; }

    // Element access without copies, for the losses of this package.
    double logp(int i, int j) { return logps[i * t + j]; }
    double sg(int i, int j) { return detachedLogps[i * t + j]; }
    /** log π_θold, or sg(log π_θ) when absent (first iteration). */
    double old(int i, int j) { return oldLogps == null ? detachedLogps[i * t + j] : oldLogps[i * t + j]; }
    double ref(int i, int j) {
        if (refLogps == null) throw new IllegalArgumentException("this loss needs refLogps (the reference model's per-token log-probs)");
        return refLogps[i * t + j];
    }
    double m(int i, int j) { return mask[i * t + j]; }
    double advantage(int i, int j) {
        if (advantages == null) throw new IllegalArgumentException("this loss needs advantages");
        return tokenAdvantages() ? advantages[i * t + j] : advantages[i];
    }
    double entropy(int i, int j) { return entropies[i * t + j]; }
    double score(int i) {
        if (scores == null) throw new IllegalArgumentException("this loss needs per-completion scores (win rates or probabilities)");
        return scores[i];
    }
    double rowTokens(int i) {
        double s = 0;
        for (int j = 0; j < t; j++) s += mask[i * t + j];
        return s;
    }
    double maskSum() {
        double s = 0;
        for (double v : mask) s += v;
        return s;
    }
    double tokensInBatch() { return Double.isNaN(tokensInBatch) ? maskSum() : tokensInBatch; }
}
