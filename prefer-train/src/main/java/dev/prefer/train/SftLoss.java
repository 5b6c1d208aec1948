package dev.prefer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Supervised fine-tuning: next-token negative log-likelihood of the completion tokens only (the prompt is masked
 * by construction: only response positions are scored), averaged over the weighted completion tokens of the step,
 * L = −Σ_b w_b Σ_t log p(y_bt | x_b, y_b,&lt;t) / Σ_b w_b |y_b| (TRL's SFTTrainer with completion-only loss).
 */
final class SftLoss implements StepLoss {

    @Override
    public double normaliser(List<TrainExample> groups) {
        double s = 0;
        for (TrainExample e : groups) s += e.weight() * e.responses().get(0).length;
        return s;
    }

    @Override
    public Out compute(NDManager step, NDArray sums, NDArray tokens, List<TrainExample> groups, List<double[]> ref, DataType type) {
        int b = groups.size();
        double[] w = new double[b];
        for (int g = 0; g < b; g++) w[g] = groups.get(g).weight();
        NDArray wa = step.create(w, new Shape(b)).toType(sums.getDataType(), true); // (B)
        NDArray total = wa.mul(sums).sum().neg();
        NDArray loss = total.div(dev.prefer.lm.Transformer.constant(total, normaliser(groups))); // not div(Number): see Transformer.constant
        return new Out(loss, () -> {
            double[] s = sums.stopGradient().toType(DataType.FLOAT64, false).toDoubleArray();
            double mean = 0;
            for (double v : s) mean += v / s.length;
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("logps/chosen", mean);
            return m;
        });
    }

    @Override
    public double hostLoss(List<TrainExample> groups, List<double[]> policy, List<double[]> ref) {
        double num = 0;
        for (int g = 0; g < groups.size(); g++) num -= groups.get(g).weight() * policy.get(g)[0];
        return num / normaliser(groups);
    }
}
