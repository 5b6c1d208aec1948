package dev.prefer.rl.policy;

/**
 * The Contrastive Preference Learning loss (Hejna et al. 2023, arXiv 2310.13639, Eq. 5, with the conservative bias
 * lambda of Section 3.2), as {@code biased_bce_with_logits} in jhejna/cpl {@code research/algs/cpl.py} (line 11):
 * with segment scores S_i = alpha * sum_t gamma^t log pi(a_t | s_t) and y = P(segment 1 preferred),
 * <pre>  L = y * softplus(lambda S_2 - S_1) + (1 - y) * softplus(lambda S_1 - S_2) </pre>
 * i.e. -log [exp(S+) / (exp(S+) + exp(lambda S-))] for a hard label. lambda in (0, 1] (1 = unbiased CPL). The
 * reference code sums log-probabilities undiscounted (gamma = 1). This is the double-precision twin: it returns the
 * loss and its gradient with respect to every step's log-probability.
 */
public final class CplLoss {
    private CplLoss() {
    }

    /** Loss and gradients dL/dlogp for both segments. */
    public record Result(double loss, double[] grad1, double[] grad2) {
    }

    public static Result of(double[] logp1, double[] logp2, double y, double alpha, double gamma, double lambda) {
        if (!(lambda > 0 && lambda <= 1)) {
            throw new IllegalArgumentException("CPL: lambda must be in (0, 1], got " + lambda);
        }
        double s1 = score(logp1, alpha, gamma);
        double s2 = score(logp2, alpha, gamma);
        double x21 = lambda * s2 - s1;                       // logit that segment 2 wins against a biased segment 1... negated
        double x12 = lambda * s1 - s2;
        double loss = y * softplus(x21) + (1 - y) * softplus(x12);
        double g21 = y * sigmoid(x21);                       // dL/dx21
        double g12 = (1 - y) * sigmoid(x12);
        double dS1 = -g21 + lambda * g12;
        double dS2 = lambda * g21 - g12;
        return new Result(loss, scoreGrad(logp1.length, dS1, alpha, gamma), scoreGrad(logp2.length, dS2, alpha, gamma));
    }

    static double score(double[] logp, double alpha, double gamma) {
        double s = 0;
        double g = 1;
        for (double lp : logp) {
            s += g * lp;
            g *= gamma;
        }
        return alpha * s;
    }

    private static double[] scoreGrad(int n, double dS, double alpha, double gamma) {
        double[] d = new double[n];
        double g = 1;
        for (int t = 0; t < n; t++) {
            d[t] = dS * alpha * g;
            g *= gamma;
        }
        return d;
    }

    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}
