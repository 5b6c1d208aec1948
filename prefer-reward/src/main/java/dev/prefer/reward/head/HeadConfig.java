package dev.prefer.reward.head;

import dev.prefer.train.RewardLoss;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What head to build and its shape. Immutable and validated; defaults are in {@link #defaults(String)}.
 *
 * @param kind        one of {@link #KINDS}
 * @param hidden      hidden units of the MLP / classifier heads (default 64)
 * @param contextual  feed [y, c⊙y] instead of y to the reward (context-conditioned reward; needs a context vector
 *                    of the same length as y)
 * @param components  K: PAL prototypes, MiCRo experts (default 2)
 * @param latent      PAL ideal-point space size m, GPM embedding size 2k (even) (default 8)
 * @param loss        the Bradley-Terry reward loss (margin, label smoothing, reward centering) for heads trained with BT:
 *                    prefer-train's {@link RewardLoss}, whose double form the heads' hand-written backward starts from
 *                    (default {@link #PLAIN_BT})
 * @param attributes  multi-attribute head: attribute names (the reserved name {@code preference} is learned from the
 *                    binary labels by BT, the others by regression on attribute labels)
 */
public record HeadConfig(String kind, int hidden, boolean contextual, int components, int latent, RewardLoss loss,
                         List<String> attributes) {
    public static final List<String> KINDS = List.of("bt", "mlp", "pal", "micro", "gpm", "classifier", "multi", "linear");
    public static final String PREFERENCE = "preference";
    /** Plain BT, −log σ(r_w − r_l): margins ignored, no smoothing, no centering. */
    public static final RewardLoss PLAIN_BT = new RewardLoss(false, 0, 0);

    public HeadConfig {
        kind = kind == null ? "bt" : kind.toLowerCase(Locale.ROOT);
        if (!KINDS.contains(kind)) throw new IllegalArgumentException("unknown head '" + kind + "'; expected one of " + KINDS);
        if (hidden < 1) throw new IllegalArgumentException("hidden must be >= 1: " + hidden);
        if (components < 1) throw new IllegalArgumentException("components must be >= 1: " + components);
        if (latent < 1) throw new IllegalArgumentException("latent must be >= 1: " + latent);
        if (kind.equals("gpm") && latent % 2 != 0) throw new IllegalArgumentException("gpm latent size must be even (2k): " + latent);
        loss = loss == null ? PLAIN_BT : loss;
        attributes = attributes == null || attributes.isEmpty() ? List.of(PREFERENCE) : List.copyOf(attributes);
    }

    public static HeadConfig defaults(String kind) {
        return new HeadConfig(kind, 64, false, 2, 8, PLAIN_BT, List.of(PREFERENCE));
    }

    public HeadConfig withLoss(RewardLoss l) { return new HeadConfig(kind, hidden, contextual, components, latent, l, attributes); }
    public HeadConfig withHidden(int h) { return new HeadConfig(kind, h, contextual, components, latent, loss, attributes); }
    public HeadConfig withContextual(boolean c) { return new HeadConfig(kind, hidden, c, components, latent, loss, attributes); }
    public HeadConfig withComponents(int k) { return new HeadConfig(kind, hidden, contextual, k, latent, loss, attributes); }
    public HeadConfig withLatent(int m) { return new HeadConfig(kind, hidden, contextual, components, m, loss, attributes); }
    public HeadConfig withAttributes(List<String> a) { return new HeadConfig(kind, hidden, contextual, components, latent, loss, a); }

    /** Plain JSON-able form for configs and manifests. */
    public Map<String, Object> toMap() {
        return Map.of("kind", kind, "hidden", hidden, "contextual", contextual, "components", components, "latent", latent,
                "marginLoss", loss.useMargin(), "labelSmoothing", loss.labelSmoothing(), "rewardCentering", loss.centerRewardsCoefficient(),
                "attributes", attributes);
    }

    @SuppressWarnings("unchecked")
    public static HeadConfig fromMap(Map<String, Object> m) {
        return new HeadConfig((String) m.get("kind"), ((Number) m.get("hidden")).intValue(), (Boolean) m.get("contextual"),
                ((Number) m.get("components")).intValue(), ((Number) m.get("latent")).intValue(),
                new RewardLoss((Boolean) m.get("marginLoss"), ((Number) m.get("rewardCentering")).doubleValue(),
                        ((Number) m.get("labelSmoothing")).doubleValue()),
                (List<String>) m.get("attributes"));
    }
}
