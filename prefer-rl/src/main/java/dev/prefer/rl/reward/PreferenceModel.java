package dev.prefer.rl.reward;

import java.util.Locale;

/**
 * How a segment's preference probability is tied to the reward (Knox et al., arXiv 2206.02231):
 * <ul>
 *   <li>{@code PARTIAL_RETURN}: P(s1 > s2) = sigmoid(sum_t r(s1_t) - sum_t r(s2_t)) (Christiano et al. 2017, B-Pref);</li>
 *   <li>{@code REGRET}: P(s1 > s2) = sigmoid(regret(s2) - regret(s1)), with the deterministic-transition regret
 *       regret(s) = V*(s_0) - (sum_t gamma^t r_t + gamma^T V*(s_T)) = sum_t gamma^t (V*(s_t) - Q*(s_t, a_t))
 *       (Knox et al., Eq. 3 and Section 3, here with a discount gamma so V* stays finite for any learned reward).</li>
 * </ul>
 */
public enum PreferenceModel {
    PARTIAL_RETURN, REGRET;

    public static PreferenceModel parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "partial-return", "pr", "partial_return" -> PARTIAL_RETURN;
            case "regret" -> REGRET;
            default -> throw new IllegalArgumentException("--model: unknown preference model '" + s + "' (partial-return, regret)");
        };
    }
}
