package dev.prefer.core.metrics;

/**
 * Idealized ranking accuracy R* (Chen et al. 2024, arXiv 2405.19534; ../shared/METHODS.md): the ranking
 * accuracy that a PERFECT optimizer of the DPO/RLHF objective would reach from the reference model, given the true
 * probability α that raters prefer the chosen response. Under Bradley-Terry with win probability α the optimum is
 * <pre>
 *   π*(y_w|x) / π*(y_l|x) = [π_ref(y_w|x) / π_ref(y_l|x)] · (α / (1 − α))^{1/β}
 *   log r*_i = [log π_ref(y_w|x) − log π_ref(y_l|x)] + (1/β) · log(α / (1 − α))
 *   R*      = (1/N) Σ_i 1[ log r*_i &gt; 0 ]                                  (paper, tieBand = 0)
 * </pre>
 * so with a finite β a badly mis-ranked reference pair can stay mis-ranked even at the optimum.
 *
 * <p>The authors' code ({@code rlhf_minimizer_client.py}, {@code compute_ranks}) classifies both the idealized
 * ratio r* and the true odds α/(1−α) into three outcomes with a ±5% band — tie if |r − 1| &lt; 0.05, chosen ahead if
 * r ≥ 1.05, rejected ahead otherwise — and counts a pair right when the two outcomes agree; {@code tieBand = 0.05}
 * reproduces that. With tieBand = 0 and α &gt; 1/2 this is exactly the paper's formula. Like the code, α = 1 is read
 * as odds α / max(1 − α, 10⁻³), i.e. at most 1000 (the code's eps).
 *
 * <p>Length-normalised variant (the code's default, {@code normalized=True}): per-token MEAN reference log-probs
 * replace the sums in log r* (the code's ratio of inverse perplexities).
 *
 * @param beta          the DPO/RLHF KL coefficient β, > 0
 * @param tieBand       half-width of the tie band on ratios, in [0, 1) (default 0: the paper's strict comparison)
 * @param lengthNormalized use per-token mean reference log-probs (default false: sums, as in the paper's formula)
 */
public record IdealizedRankingAccuracy(double beta, double tieBand, boolean lengthNormalized) {

    /** Odds floor from the authors' code: α/(1−α) uses max(1−α, EPS). */
    public static final double EPS = 1e-3;

    public IdealizedRankingAccuracy {
        if (!(beta > 0) || Double.isInfinite(beta)) throw new IllegalArgumentException("beta must be finite and > 0: " + beta);
        if (!(tieBand >= 0 && tieBand < 1)) throw new IllegalArgumentException("tieBand must be in [0, 1): " + tieBand);
    }

    /** The paper's definition at β (no tie band, summed log-probs). */
    public static IdealizedRankingAccuracy paper(double beta) {
        return new IdealizedRankingAccuracy(beta, 0.0, false);
    }

    /**
     * @param rStar   R*, the idealized ranking accuracy
     * @param n       pairs
     * @param logRatioStar (N) log r*_i per pair, for scatter plots against the policy's log-ratio
     * @param correct (N) 1 where the idealized model ranks the pair right, else 0
     */
    public record Result(double rStar, int n, double[] logRatioStar, double[] correct) {}

    /**
     * @param refChosenLogp     (N) summed reference log-prob of each chosen response
     * @param refRejectedLogp   (N) summed reference log-prob of each rejected response
     * @param chosenTokens      (N) token counts (used only when lengthNormalized)
     * @param rejectedTokens    (N) token counts (used only when lengthNormalized)
     * @param alpha             (N) true probability that the chosen response is preferred, in [0, 1] (e.g. the share
     *                          of rater votes; see {@link #alphaFromVotes})
     */
    public Result of(double[] refChosenLogp, double[] refRejectedLogp, int[] chosenTokens, int[] rejectedTokens, double[] alpha) {
        int n = refChosenLogp.length;
        RankingAccuracy.requireSameLength(n, refRejectedLogp.length, chosenTokens.length, rejectedTokens.length, alpha.length);
        if (n == 0) throw new IllegalArgumentException("no pairs");
        double[] lr = new double[n], correct = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            RankingAccuracy.requireLogp(refChosenLogp[i], "refChosenLogp", i);
            RankingAccuracy.requireLogp(refRejectedLogp[i], "refRejectedLogp", i);
            if (!(alpha[i] >= 0 && alpha[i] <= 1)) throw new IllegalArgumentException("alpha[" + i + "] must be in [0, 1]: " + alpha[i]);
            if (lengthNormalized && (chosenTokens[i] < 1 || rejectedTokens[i] < 1)) {
                throw new IllegalArgumentException("token counts must be >= 1 at pair " + i);
            }
            double refLogRatio = lengthNormalized
                    ? refChosenLogp[i] / chosenTokens[i] - refRejectedLogp[i] / rejectedTokens[i]
                    : refChosenLogp[i] - refRejectedLogp[i];
            double logOdds = logOdds(alpha[i]);
            lr[i] = refLogRatio + logOdds / beta;
            int predicted = outcome(lr[i]);
            int truth = outcome(logOdds);
            correct[i] = predicted == truth ? 1 : 0;
            sum += correct[i];
        }
        return new Result(sum / n, n, lr, correct);
    }

    /** log(α / max(1 − α, EPS)), with α = 0 giving −∞ (chosen never preferred). */
    static double logOdds(double alpha) {
        return Math.log(alpha) - Math.log(Math.max(1 - alpha, EPS));
    }

    /**
     * +1 (chosen ahead), 0 (tie), −1 (rejected ahead) for a log-ratio, with the band applied to the RATIO as the
     * authors' code does: tie iff |exp(lr) − 1| &lt; tieBand; chosen ahead iff exp(lr) ≥ 1 + tieBand. With tieBand = 0:
     * the sign of lr.
     */
    int outcome(double logRatio) {
        if (tieBand == 0) return logRatio > 0 ? 1 : logRatio < 0 ? -1 : 0;
        double r = Math.exp(logRatio);
        if (Math.abs(r - 1) < tieBand) return 0;
        return r >= 1 + tieBand ? 1 : -1;
    }

    /** α from rater votes: the share of votes for the chosen response, counting a tie vote as half. */
    public static double alphaFromVotes(int votesChosen, int votesRejected, int votesTie) {
        int total = votesChosen + votesRejected + votesTie;
        if (votesChosen < 0 || votesRejected < 0 || votesTie < 0 || total == 0) {
            throw new IllegalArgumentException("need non-negative votes, at least one: " + votesChosen + "/" + votesRejected + "/" + votesTie);
        }
        return (votesChosen + 0.5 * votesTie) / total;
    }

    /**
     * The alignment gap (Chen et al. 2024): R* − R on the same pairs, how far the trained policy's ranking
     * accuracy falls short of what the objective's optimum would reach. Positive means room left; compare like with
     * like (summed with summed, normalised with normalised).
     */
    public static double alignmentGap(Result idealized, RankingAccuracy.Result policy, boolean lengthNormalized) {
        if (idealized.n() != policy.n()) throw new IllegalArgumentException("different pair counts: " + idealized.n() + " vs " + policy.n());
        return idealized.rStar() - (lengthNormalized ? policy.lengthNormalized() : policy.summed());
    }
}
