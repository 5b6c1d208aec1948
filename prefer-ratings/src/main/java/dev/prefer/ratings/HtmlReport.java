package dev.prefer.ratings;

import dev.prefer.core.report.Charts;
import dev.prefer.core.report.Html;

import java.util.List;
import java.util.Locale;

/**
 * A self-contained HTML report of a leaderboard: the table, a confidence-interval plot and a win-rate heatmap,
 * drawn as inline SVG by this class (no scripts, no external files, so the report opens anywhere and can be
 * archived with its manifest). The heatmap shows, for each ordered pair in leaderboard order, the model's
 * predicted probability that the row item beats the column item; where the pair met, the observed win rate
 * (ties half) is in the cell's tooltip.
 */
public final class HtmlReport {
    private HtmlReport() {}

    /**
     * @param title     page title
     * @param lb        the leaderboard
     * @param predicted predicted win probabilities, indexed like {@code order}
     * @param observed  observed pairwise win rates (NaN where never met), indexed like {@code order}
     * @param order     item names in the indexing of the two matrices
     * @param manifestJson the manifest, shown verbatim at the end
     */
    public static String render(String title, Leaderboard lb, double[][] predicted, double[][] observed, List<String> order, String manifestJson) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Html.esc(title)).append("</title>\n")
                .append("<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;font-size:13px}"
                        + "td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}td.l,th.l{text-align:left}"
                        + "pre{background:#f6f6f6;padding:8px;font-size:12px;overflow:auto}h2{margin-top:28px}</style></head><body>\n");
        b.append("<h1>").append(Html.esc(title)).append("</h1>\n<p>Model <b>").append(Html.esc(lb.model())).append("</b>; scale ")
                .append(Html.esc(lb.describeScale())).append("; ").append(Math.round(lb.level() * 100)).append("% intervals: ")
                .append(Html.esc(lb.intervals())).append(lb.bootstrapRounds() > 0 ? " (" + lb.bootstrapRounds() + " rounds"
                        + (lb.failedRounds() > 0 ? "; " + lb.failedRounds() + " resamples without an estimate left out" : "") + ")" : "").append(".</p>\n");
        for (String n : lb.notes()) b.append("<p><i>").append(Html.esc(n)).append("</i></p>\n");
        b.append("<h2>Ratings with confidence intervals</h2>\n").append(intervalPlot(lb));
        b.append("<h2>Win probability (row beats column)</h2>\n").append(heatmap(lb, predicted, observed, order));
        b.append("<h2>Leaderboard</h2>\n<table><tr><th>rank</th><th class=\"l\">item</th><th>rating</th><th>lower</th><th>upper</th><th>votes</th></tr>\n");
        for (Leaderboard.Entry e : lb.entries()) {
            b.append(String.format(Locale.ROOT, "<tr><td>%d</td><td class=\"l\">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%d</td></tr>%n",
                    e.rank(), Html.esc(e.item()), fmt(lb, e.rating()), fmt(lb, e.lower()), fmt(lb, e.upper()), e.votes()));
        }
        b.append("</table>\n<h2>How this was made</h2>\n<pre>").append(Html.esc(manifestJson)).append("</pre>\n</body></html>\n");
        return b.toString();
    }

    private static String fmt(Leaderboard lb, double x) {
        if (Double.isNaN(x)) return "-";
        return String.format(Locale.ROOT, lb.scale().kind() == Scale.Kind.ELO ? "%.1f" : "%.4f", x);
    }

    static String intervalPlot(Leaderboard lb) {
        List<Leaderboard.Entry> es = lb.entries();
        int n = es.size();
        int maxLen = es.stream().mapToInt(e -> e.item().length() + String.valueOf(e.rank()).length() + 2).max().orElse(10);
        int rowH = 18, left = Math.min(360, 20 + 7 * maxLen), width = left + 700, plotW = width - left - 30, top = 20;
        int height = top + n * rowH + 40;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Leaderboard.Entry e : es) {
            lo = Math.min(lo, Double.isNaN(e.lower()) ? e.rating() : Math.min(e.lower(), e.rating()));
            hi = Math.max(hi, Double.isNaN(e.upper()) ? e.rating() : Math.max(e.upper(), e.rating()));
        }
        if (!(hi > lo)) { lo -= 1; hi += 1; }
        double pad = 0.05 * (hi - lo);
        lo -= pad;
        hi += pad;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"12\">%n", width, height));
        double[] ticks = Charts.niceTicks(lo, hi, 8);
        for (double t : ticks) {
            double x = left + (t - lo) / (hi - lo) * plotW;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#666\">%s</text>%n",
                    x, top - 5, x, top + n * rowH, x, top + n * rowH + 16, trim(t)));
        }
        for (int k = 0; k < n; k++) {
            Leaderboard.Entry e = es.get(k);
            double y = top + k * rowH + rowH / 2.0;
            double eLo = Double.isNaN(e.lower()) ? e.rating() : e.lower(), eHi = Double.isNaN(e.upper()) ? e.rating() : e.upper();
            double x0 = left + (eLo - lo) / (hi - lo) * plotW, x1 = left + (eHi - lo) / (hi - lo) * plotW;
            double xm = left + (e.rating() - lo) / (hi - lo) * plotW;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"middle\">%d. %s</text>"
                    + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#4a78b5\" stroke-width=\"2\"/>"
                    + "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#1f3f6e\"><title>%s: %s [%s, %s]</title></circle>%n",
                    left - 8, y, e.rank(), Html.esc(e.item()), x0, y, x1, y, xm, y, Html.esc(e.item()), trim(e.rating()), trim(e.lower()), trim(e.upper())));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#444\">rating (%s)</text>%n",
                left + plotW / 2, height - 6, Html.esc(lb.describeScale())));
        return s.append("</svg>\n").toString();
    }

    static String heatmap(Leaderboard lb, double[][] predicted, double[][] observed, List<String> order) {
        List<Leaderboard.Entry> es = lb.entries();
        int n = es.size();
        int[] idx = new int[n];
        for (int k = 0; k < n; k++) idx[k] = order.indexOf(es.get(k).item());
        int cell = Math.max(6, Math.min(28, 800 / Math.max(1, n)));
        int maxLen = es.stream().mapToInt(e -> e.item().length()).max().orElse(10);
        int left = Math.min(360, 16 + 7 * maxLen), top = (int) (0.9 * left);
        int w = Math.max(760, left + n * cell + (int) (0.6 * left)), h = top + n * cell + 36;
        boolean labels = cell >= 10;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"%d\">%n", w, h, Math.min(12, cell - 1)));
        for (int r = 0; r < n; r++) {
            if (labels) {
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"middle\">%s</text>%n",
                        left - 4, top + r * cell + cell / 2.0, Html.esc(es.get(r).item())));
                s.append(String.format(Locale.ROOT, "<text transform=\"translate(%.1f,%d) rotate(-60)\">%s</text>%n",
                        left + r * cell + cell / 2.0, top - 4, Html.esc(es.get(r).item())));
            }
            for (int c = 0; c < n; c++) {
                if (r == c) continue;
                double p = predicted[idx[r]][idx[c]];
                double ob = observed == null ? Double.NaN : observed[idx[r]][idx[c]];
                s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s beats %s: predicted %s%s</title></rect>%n",
                        left + c * cell, top + r * cell, cell, cell, color(p), Html.esc(es.get(r).item()), Html.esc(es.get(c).item()),
                        Double.isNaN(p) ? "not identified (different components)" : String.format(Locale.ROOT, "%.3f", p),
                        Double.isNaN(ob) ? "" : String.format(Locale.ROOT, ", observed %.3f", ob)));
                if (cell >= 24 && !Double.isNaN(p)) {
                    s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" dominant-baseline=\"middle\" font-size=\"9\">%.2f</text>%n",
                            left + c * cell + cell / 2.0, top + r * cell + cell / 2.0, p));
                }
            }
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#444\" font-size=\"12\">blue: row item favoured, white: even, red: column item favoured; hover a cell for the numbers</text>%n",
                left, top + n * cell + 24));
        return s.append("</svg>\n").toString();
    }

    /** Diverging blue (row wins) – white (1/2) – red (row loses). */
    static String color(double p) {
        if (Double.isNaN(p)) return "#ccc";
        double t = Math.max(-1, Math.min(1, 2 * p - 1));
        int r, g, b;
        if (t >= 0) { r = (int) Math.round(255 - t * (255 - 33)); g = (int) Math.round(255 - t * (255 - 102)); b = (int) Math.round(255 - t * (255 - 172)); }
        else { t = -t; r = (int) Math.round(255 - t * (255 - 178)); g = (int) Math.round(255 - t * (255 - 24)); b = (int) Math.round(255 - t * (255 - 43)); }
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    }

    private static String trim(double x) {
        return Math.abs(x) >= 100 ? String.format(Locale.ROOT, "%.0f", x) : String.format(Locale.ROOT, "%.3g", x);
    }
}
