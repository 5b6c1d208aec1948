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

        /** The same with another number of steps (a chunk of a longer run). */
        public Config withSteps(int n) {
            return new Config(alpha, lambda, gamma, bc, n, batch, lr);
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

    /** Trains for c.steps() minibatch steps (a fresh Adam); returns the last minibatch loss. */
    public static double train(SoftmaxPolicy pi, List<Pair> pairs, Config c, Random rng) {
        return train(pi, pairs, c, new Adam(pi.net().params().length, c.lr()), rng);
    }

    /** Trains for c.steps() minibatch steps with the given optimiser (so chunks of training continue one Adam). */
    public static double train(SoftmaxPolicy pi, List<Pair> pairs, Config c, Adam adam, Random rng) {
        return minibatchSteps(pairs, c.steps(), c.batch(), pi.net().params(), adam, rng, (batch, grad) -> lossAndGradient(pi, batch, c, grad));
    }

    /** Mean -log pi over every step of the segments (equal lengths), adding its gradient into grad. */
    public static double bcLossAndGradient(SoftmaxPolicy pi, List<SegmentData> segments, double[] grad) {
        double total = 0;
        for (SegmentData s : segments) {
            double scale = -1.0 / (segments.size() * s.length());
            for (int k = 0; k < s.length(); k++) {
                total += scale * pi.logProbAndBackward(s.obs()[k], s.actions()[k], grad == null ? 0 : scale, grad);
            }
        }
        return total;
    }

    /** {@code steps} Adam steps of behaviour cloning on minibatches of {@code batch} segments. */
    public static double behaviourCloning(SoftmaxPolicy pi, List<SegmentData> data, int steps, int batch, Adam adam, Random rng) {
        return minibatchSteps(data, steps, batch, pi.net().params(), adam, rng, (mb, grad) -> bcLossAndGradient(pi, mb, grad));
    }

    /** Loss of a minibatch, adding its gradient into the given array. */
    public interface BatchLoss<T> {
        double lossAndGradient(List<T> batch, double[] grad);
    }

    /**
     * {@code steps} Adam steps, each on min(batch, items) items drawn with replacement; returns the last minibatch
     * loss (NaN without items or steps). The one minibatch loop of the CPL trainers (discrete, continuous, BC).
     */
    public static <T> double minibatchSteps(List<T> items, int steps, int batch, double[] params, Adam adam, Random rng, BatchLoss<T> loss) {
        if (items.isEmpty()) {
            return Double.NaN;
        }
        double last = Double.NaN;
        for (int step = 0; step < steps; step++) {
            java.util.ArrayList<T> mb = new java.util.ArrayList<>(batch);
            for (int i = 0; i < Math.min(batch, items.size()); i++) {
                mb.add(items.get(rng.nextInt(items.size())));
            }
            double[] grad = new double[params.length];
            last = loss.lossAndGradient(mb, grad);
            adam.step(params, grad);
        }
        return last;
    }
}
