package dev.prefer.rl.policy;

import dev.prefer.rl.nn.Adam;
import dev.prefer.rl.nn.Mlp;
import java.util.List;
import java.util.Random;

/**
 * Trains a {@link SoftmaxPolicy} with the CPL objective ({@link CplLoss}) on labelled segment pairs, by Adam on
 * minibatches, plus an optional behaviour-cloning term bc * mean(-log pi) over both segments (jhejna/cpl's
 * {@code bc_coeff} with {@code bc_data = "all"}).
 */
public final class Cpl {
    /** A labelled pair; y = P(first preferred). */
    public record Pair(SegmentData first, SegmentData second, double y) {
    }

    /** Hyper-parameters: alpha (temperature), lambda (conservative bias), gamma, bc weight, steps, batch, lr. */
    public record Config(double alpha, double lambda, double gamma, double bc, int steps, int batch, double lr) {
        public Config {
            if (!(alpha > 0) || !(lambda > 0 && lambda <= 1) || !(gamma > 0 && gamma <= 1) || bc < 0 || steps < 0 || batch < 1 || !(lr > 0)) {
                throw new IllegalArgumentException("CPL: bad config " + alpha + ", " + lambda + ", " + gamma + ", " + bc + ", " + steps + ", " + batch + ", " + lr);
            }
        }

        public static Config defaults() {
            return new Config(0.1, 0.5, 1.0, 0.0, 2000, 32, 1e-3);
        }
    }

    private Cpl() {
    }

    /** Mean loss over the pairs and its gradient (added into grad, scaled by 1 / pairs). */
    public static double lossAndGradient(SoftmaxPolicy pi, List<Pair> pairs, Config c, double[] grad) {
        double total = 0;
        int n = pairs.size();
        for (Pair p : pairs) {
            Mlp.Trace[] t1 = traces(pi, p.first());
            Mlp.Trace[] t2 = traces(pi, p.second());
            double[] lp1 = logps(t1, p.first());
            double[] lp2 = logps(t2, p.second());
            CplLoss.Result r = CplLoss.of(lp1, lp2, p.y(), c.alpha(), c.gamma(), c.lambda());
            double bcScale = c.bc() / (p.first().length() + p.second().length());
            total += r.loss();
            for (int t = 0; t < lp1.length; t++) {
                total += -bcScale * lp1[t];
                pi.backward(t1[t], p.first().actions()[t], (r.grad1()[t] - bcScale) / n, grad);
            }
            for (int t = 0; t < lp2.length; t++) {
                total += -bcScale * lp2[t];
                pi.backward(t2[t], p.second().actions()[t], (r.grad2()[t] - bcScale) / n, grad);
            }
        }
        return total / n;
    }

    static Mlp.Trace[] traces(SoftmaxPolicy pi, SegmentData s) {
        Mlp.Trace[] tr = new Mlp.Trace[s.length()];
        for (int t = 0; t < tr.length; t++) {
            tr[t] = pi.net().forward(s.obs()[t]);
        }
        return tr;
    }

    static double[] logps(Mlp.Trace[] tr, SegmentData s) {
        double[] lp = new double[s.length()];
        for (int t = 0; t < lp.length; t++) {
            lp[t] = SoftmaxPolicy.logSoftmax(tr[t].output())[s.actions()[t]];
        }
        return lp;
    }

    /** Trains for c.steps() minibatch steps; returns the last minibatch loss. */
    public static double train(SoftmaxPolicy pi, List<Pair> pairs, Config c, Random rng) {
        if (pairs.isEmpty()) {
            return Double.NaN;
        }
        Adam adam = new Adam(pi.net().params().length, c.lr());
        double last = Double.NaN;
        for (int step = 0; step < c.steps(); step++) {
            java.util.ArrayList<Pair> batch = new java.util.ArrayList<>(c.batch());
            for (int i = 0; i < Math.min(c.batch(), pairs.size()); i++) {
                batch.add(pairs.get(rng.nextInt(pairs.size())));
            }
            double[] grad = new double[pi.net().params().length];
            last = lossAndGradient(pi, batch, c, grad);
            adam.step(pi.net().params(), grad);
        }
        return last;
    }
}
