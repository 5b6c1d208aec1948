package dev.prefer.ratings;

import java.util.List;
import java.util.Objects;

/**
 * The scale ratings are shown on. {@link Kind#LOG}: the natural-log strength θ itself (P(i beats j) = σ(θ_i − θ_j)
 * under Bradley-Terry), mean 0 within each component. {@link Kind#ELO}: 400·θ/ln 10, the Elo-like scale on which a
 * 400-point gap means 10:1 odds, shifted so that each component's mean is {@code center} (1000 by default) — or,
 * with an anchor, so that the anchor item sits at {@code anchorRating} (its component only; others keep their
 * mean). Immutable.
 *
 * @param kind         LOG or ELO
 * @param center       the mean rating per component (0 for LOG, 1000 for ELO by default)
 * @param anchorItem   an item pinned to {@code anchorRating}, or null
 * @param anchorRating the anchor's rating
 */
public record Scale(Kind kind, double center, String anchorItem, double anchorRating) {
    /** Scale kinds. */
    public enum Kind { LOG, ELO }

    public static final double ELO_PER_LOG_UNIT = 400.0 / Math.log(10.0);

    public Scale {
        Objects.requireNonNull(kind, "kind");
        if (!Double.isFinite(center)) throw new IllegalArgumentException("center must be finite");
        if (anchorItem != null && !Double.isFinite(anchorRating)) throw new IllegalArgumentException("anchor rating must be finite");
    }

    /** Natural-log strengths, mean 0. */
    public static Scale log() { return new Scale(Kind.LOG, 0, null, 0); }

    /** 1000 + 400·log10 odds, mean 1000. */
    public static Scale elo() { return new Scale(Kind.ELO, 1000, null, 0); }

    /** 400·log10 odds with {@code item} at {@code rating}. */
    public static Scale eloAnchored(String item, double rating) { return new Scale(Kind.ELO, 1000, Objects.requireNonNull(item), rating); }

    /** Rating units per natural-log unit of strength. */
    public double unit() {
        return kind == Kind.ELO ? ELO_PER_LOG_UNIT : 1.0;
    }

    /** Maps log-strengths to this scale, per component. */
    public double[] apply(double[] theta, List<String> items, int[] component) {
        int n = theta.length;
        int nc = 0;
        for (int c : component) nc = Math.max(nc, c + 1);
        double[] sum = new double[nc];
        int[] cnt = new int[nc];
        for (int i = 0; i < n; i++) { sum[component[i]] += theta[i]; cnt[component[i]]++; }
        double[] out = new double[n];
        int anchor = anchorItem == null ? -1 : items.indexOf(anchorItem);
        if (anchorItem != null && anchor < 0) throw new IllegalArgumentException("anchor item '" + anchorItem + "' is not among the rated items");
        for (int i = 0; i < n; i++) {
            int c = component[i];
            double shift;
            if (anchor >= 0 && component[anchor] == c) shift = anchorRating - unit() * theta[anchor];
            else shift = center - unit() * sum[c] / cnt[c];
            out[i] = unit() * theta[i] + shift;
        }
        return out;
    }

    /** A short description, e.g. "elo (mean 1000)". */
    public String describe() {
        String k = kind == Kind.ELO ? "elo: 400*log10 odds" : "log: natural-log strength";
        return anchorItem != null ? k + ", '" + anchorItem + "' = " + anchorRating : k + ", mean " + center;
    }
}
