package dev.prefer.objectives;

import java.util.Map;

/**
 * A loss in double precision: the weighted mean over groups, each group's loss, and the TRL metrics.
 *
 * @param value       Σ_b w_b L_b / Σ_b w_b (plain mean without weights)
 * @param groupLosses L_b, before weighting
 * @param metrics     rewards/chosen, rewards/rejected, rewards/margins, rewards/accuracies, logps/chosen, logps/rejected
 */
public record Loss(double value, double[] groupLosses, Map<String, Double> metrics) {
    public Loss {
        groupLosses = groupLosses.clone();
        metrics = Map.copyOf(metrics);
    }
}
