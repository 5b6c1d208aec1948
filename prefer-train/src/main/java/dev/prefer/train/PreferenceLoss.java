package dev.prefer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.prefer.objectives.Batch;
import dev.prefer.objectives.Layout;
import dev.prefer.objectives.Objective;
import dev.prefer.objectives.TensorBatch;
import dev.prefer.objectives.TensorLoss;
import java.util.List;

/** Any {@link Objective} as a micro-batch loss: the objective's weighted mean over groups, metrics from the objective. */
final class PreferenceLoss implements StepLoss {
    private final Objective objective;

    PreferenceLoss(Objective objective) {
        this.objective = objective;
    }

    @Override
    public double normaliser(List<TrainExample> groups) {
        double s = 0;
        for (TrainExample e : groups) s += e.weight();
        return s;
    }

    /** The host batch of these groups with the given policy log-probs (B*K, group-major). */
    Batch hostBatch(List<TrainExample> groups, double[] policy, List<double[]> ref) {
        int b = groups.size(), k = groups.get(0).k();
        double[] refFlat = null;
        if (ref != null) {
            refFlat = new double[b * k];
            for (int g = 0; g < b; g++) System.arraycopy(ref.get(g), 0, refFlat, g * k, k);
        }
        double[] labels = new double[b * k], tokens = new double[b * k], weights = new double[b];
        boolean anyMargin = false, anyWeight = false;
        double[] margins = new double[b];
        int attrs = groups.get(0).attributes().length;
        double[] attributes = new double[b * attrs];
        for (int g = 0; g < b; g++) {
            TrainExample e = groups.get(g);
            if (e.k() != k) throw new IllegalArgumentException("lists of different sizes in one batch (" + e.k() + " vs " + k + "); use batch size 1 or equal-size lists");
            for (int j = 0; j < k; j++) {
                labels[g * k + j] = e.labels()[j];
                tokens[g * k + j] = e.responses().get(j).length;
            }
            weights[g] = e.weight();
            anyWeight |= e.weight() != 1;
            if (e.margin() != null) {
                anyMargin = true;
                margins[g] = e.margin();
            }
            System.arraycopy(e.attributes(), 0, attributes, g * attrs, attrs);
        }
        Batch batch;
        if (objective.requirements().layout() == Layout.PAIRS) {
            double[] pc = new double[b], pr = new double[b], rc = ref == null ? null : new double[b], rr = ref == null ? null : new double[b];
            for (int g = 0; g < b; g++) {
                pc[g] = policy[2 * g];
                pr[g] = policy[2 * g + 1];
                if (ref != null) {
                    rc[g] = refFlat[2 * g];
                    rr[g] = refFlat[2 * g + 1];
                }
            }
            batch = Batch.pairs(pc, pr, rc, rr);
        } else {
            batch = Batch.lists(k, policy, refFlat, labels);
        }
        batch = batch.withTokens(tokens);
        if (anyWeight) batch = batch.withWeights(weights);
        if (anyMargin) batch = batch.withMargins(margins);
        if (attrs > 0) batch = batch.withAttributes(attrs, attributes);
        return batch;
    }

    @Override
    public Out compute(NDManager step, NDArray sums, NDArray tokens, List<TrainExample> groups, List<double[]> ref, DataType type) {
        int b = groups.size(), k = groups.get(0).k();
        double[] placeholder = new double[b * k];
        if (ref != null) for (int g = 0; g < b; g++) System.arraycopy(ref.get(g), 0, placeholder, g * k, k);
        Batch host = hostBatch(groups, placeholder, ref);
        TensorBatch tb = TensorBatch.of(step, host, type).withPolicy(sums.reshape(b, k)); // (B, K)
        TensorLoss l = objective.loss(tb);
        return new Out(l.loss(), l::metrics);
    }

    @Override
    public double hostLoss(List<TrainExample> groups, List<double[]> policy, List<double[]> ref) {
        int b = groups.size(), k = groups.get(0).k();
        double[] flat = new double[b * k];
        for (int g = 0; g < b; g++) System.arraycopy(policy.get(g), 0, flat, g * k, k);
        return objective.loss(hostBatch(groups, flat, ref)).value();
    }
}
