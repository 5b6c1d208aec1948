package dev.prefer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.prefer.objectives.Batch;
import dev.prefer.objectives.Layout;
import dev.prefer.objectives.Objective;
import dev.prefer.objectives.RunningState;
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

    /**
     * Sequences scored per group: K, or K + 1 when the groups carry KTO's KL samples (all of them or none: the
     * loader gives every unpaired row one when the objective asks for them).
     */
    static int width(List<TrainExample> groups) {
        int w = groups.get(0).scoredCount();
        for (TrainExample e : groups) {
            if (e.scoredCount() != w || e.k() != groups.get(0).k()) {
                throw new IllegalArgumentException("groups of different sizes in one batch (" + e.scoredCount() + " vs " + w
                        + " sequences); use batch size 1 or equal-size lists");
            }
        }
        return w;
    }

    /**
     * The host batch of these groups with the given policy log-probs, (B*S) group-major with S = {@link #width}
     * (the KL sample, if any, last in each group); {@code ref} holds S values per group.
     */
    Batch hostBatch(List<TrainExample> groups, double[] policyAll, List<double[]> ref) {
        int b = groups.size(), k = groups.get(0).k(), w = width(groups);
        double[] policy = new double[b * k], refFlat = ref == null ? null : new double[b * k];
        double[] klPolicy = w > k ? new double[b] : null, klRef = w > k && ref != null ? new double[b] : null;
        for (int g = 0; g < b; g++) {
            System.arraycopy(policyAll, g * w, policy, g * k, k);
            if (ref != null) System.arraycopy(ref.get(g), 0, refFlat, g * k, k);
            if (klPolicy != null) klPolicy[g] = policyAll[g * w + k];
            if (klRef != null) klRef[g] = ref.get(g)[k];
        }
        double[] labels = new double[b * k], tokens = new double[b * k], weights = new double[b];
        boolean anyMargin = false, anyWeight = false;
        double[] margins = new double[b];
        int attrs = groups.get(0).attributes().length;
        double[] attributes = new double[b * attrs];
        for (int g = 0; g < b; g++) {
            TrainExample e = groups.get(g);
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
        if (klRef != null) batch = batch.withKlSamples(klPolicy, klRef);
        return batch;
    }

    @Override
    public Out compute(NDManager step, NDArray sums, NDArray tokens, List<TrainExample> groups, List<double[]> ref, DataType type) {
        int b = groups.size(), k = groups.get(0).k(), w = width(groups);
        double[] placeholder = new double[b * w];
        if (ref != null) for (int g = 0; g < b; g++) System.arraycopy(ref.get(g), 0, placeholder, g * w, w);
        Batch host = hostBatch(groups, placeholder, ref);
        NDArray all = sums.reshape(b, w); // (B, S)
        TensorBatch tb = TensorBatch.of(step, host, type).withPolicy(w == k ? all : all.get(":, 0:" + k)); // (B, K)
        if (w > k) tb = tb.withKlPolicy(all.get(":, " + k).stopGradient()); // (B): KL samples carry no gradient
        if (objective instanceof RunningState rs) { // state across batches (BCO's running δ): observed before this loss
            rs.observe(hostBatch(groups, all.stopGradient().toType(DataType.FLOAT64, true).toDoubleArray(), ref));
        }
        TensorLoss l = objective.loss(tb);
        return new Out(l.loss(), l::metrics);
    }

    @Override
    public double hostLoss(List<TrainExample> groups, List<double[]> policy, List<double[]> ref) {
        int b = groups.size(), w = width(groups);
        double[] flat = new double[b * w];
        for (int g = 0; g < b; g++) System.arraycopy(policy.get(g), 0, flat, g * w, w);
        return objective.loss(hostBatch(groups, flat, ref)).value();
    }
}
