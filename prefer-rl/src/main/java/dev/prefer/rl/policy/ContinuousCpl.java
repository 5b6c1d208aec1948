package dev.prefer.rl.policy;

import dev.prefer.rl.nn.Adam;
import dev.prefer.rl.nn.Mlp;
import java.util.List;
import java.util.Random;

/**
 * CPL for continuous actions (Hejna et al. 2023, arXiv 2310.13639): the advantage of a step is alpha log pi(a_t | s_t)
 * under a {@link GaussianPolicy}, a segment's score the (discounted) sum, and the loss the conservative-bias
 * contrastive objective of {@link CplLoss} plus a behaviour-cloning term bc * mean(-log pi) over every step of both
 * segments (jhejna/cpl {@code research/algs/cpl.py}, {@code _get_cpl_loss}: {@code bc_loss = (-lp).mean()},
 * {@code loss = cpl_loss + bc_coeff * bc_loss} with {@code bc_data = "all"}). {@link #pretrain} is the reference's
 * {@code bc_steps} phase (BC alone on the whole dataset, then a fresh optimiser for CPL).
 */
public final class ContinuousCpl {
    /** A labelled pair; y = P(first preferred). */
    public record Pair(ActionSegment first, ActionSegment second, double y) {
    }

    private ContinuousCpl() {
    }

    /** Mean loss over the pairs (CPL + bc * BC) and its gradient, added into grad scaled by 1 / pairs. */
    public static double lossAndGradient(GaussianPolicy pi, List<Pair> pairs, Cpl.Config c, double[] grad) {
        double total = 0;
        int n = pairs.size();
        for (Pair p : pairs) {
            Mlp.Trace[] t1 = traces(pi, p.first());
            Mlp.Trace[] t2 = traces(pi, p.second());
            double[] lp1 = logps(pi, t1, p.first());
            double[] lp2 = logps(pi, t2, p.second());
            CplLoss.Result r = CplLoss.of(lp1, lp2, p.y(), c.alpha(), c.gamma(), c.lambda());
            double bcScale = c.bc() / (lp1.length + lp2.length);
            total += r.loss();
            for (int t = 0; t < lp1.length; t++) {
                total -= bcScale * lp1[t];
                if (grad != null) {
                    pi.backward(t1[t], p.first().actions()[t], (r.grad1()[t] - bcScale) / n, grad);
                }
            }
            for (int t = 0; t < lp2.length; t++) {
                total -= bcScale * lp2[t];
                if (grad != null) {
                    pi.backward(t2[t], p.second().actions()[t], (r.grad2()[t] - bcScale) / n, grad);
                }
            }
        }
        return total / n;
    }

    /** Mean -log pi over every step of the segments; adds its gradient into grad. */
    public static double bcLossAndGradient(GaussianPolicy pi, List<ActionSegment> segments, double[] grad) {
        int steps = 0;
        for (ActionSegment s : segments) {
            steps += s.length();
        }
        double total = 0;
        for (ActionSegment s : segments) {
            for (int t = 0; t < s.length(); t++) {
                Mlp.Trace tr = pi.net().forward(s.obs()[t]);
                total -= pi.logProb(tr, s.actions()[t]);
                if (grad != null) {
                    pi.backward(tr, s.actions()[t], -1.0 / steps, grad);
                }
            }
        }
        return total / steps;
    }

    static Mlp.Trace[] traces(GaussianPolicy pi, ActionSegment s) {
        Mlp.Trace[] tr = new Mlp.Trace[s.length()];
        for (int t = 0; t < tr.length; t++) {
            tr[t] = pi.net().forward(s.obs()[t]);
        }
        return tr;
    }

    static double[] logps(GaussianPolicy pi, Mlp.Trace[] tr, ActionSegment s) {
        double[] lp = new double[s.length()];
        for (int t = 0; t < lp.length; t++) {
            lp[t] = pi.logProb(tr[t], s.actions()[t]);
        }
        return lp;
    }

    /** {@code steps} minibatch steps of CPL (+ BC) with the given optimiser; returns the last minibatch loss. */
    public static double train(GaussianPolicy pi, List<Pair> pairs, Cpl.Config c, Adam adam, Random rng) {
        return Cpl.minibatchSteps(pairs, c.steps(), c.batch(), pi.net().params(), adam, rng,
                (batch, grad) -> lossAndGradient(pi, batch, c, grad));
    }

    /** {@code steps} minibatch steps of behaviour cloning on segments of the dataset (labelled or not). */
    public static double pretrain(GaussianPolicy pi, List<ActionSegment> data, int steps, int batch, Adam adam, Random rng) {
        return Cpl.minibatchSteps(data, steps, batch, pi.net().params(), adam, rng,
                (mb, grad) -> bcLossAndGradient(pi, mb, grad));
    }
}
