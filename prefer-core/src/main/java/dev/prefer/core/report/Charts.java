package dev.prefer.core.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Small inline-SVG charts for self-contained HTML reports: no scripts, no external files, so a report opens
 * anywhere and can be archived with its manifest. The look follows prefer-ratings' leaderboard report (system-ui
 * 12px text, light-grey grid {@code #eee}, grey tick labels {@code #666}, blue {@code #4a78b5} as the first colour)
 * so the project's reports look alike. Every mark carries a {@code <title>} tooltip with its exact value.
 *
 * <p>Geometry, shared by all charts: a plot area of {@link #PLOT_W} x {@link #PLOT_H} pixels whose top-left corner is
 * at ({@link #LEFT}, {@link #TOP}); a value v on an axis [lo, hi] maps to {@code LEFT + (v − lo)/(hi − lo)·PLOT_W}
 * horizontally and {@code TOP + PLOT_H − (v − lo)/(hi − lo)·PLOT_H} vertically. Line and scatter axes span the data
 * plus 3% on each side; bar axes start at 0 and end on a whole tick.
 */
public final class Charts {
    private Charts() {}

    public static final int LEFT = 64, TOP = 34, PLOT_W = 520, PLOT_H = 260;
    static final int WIDTH = LEFT + PLOT_W + 150, HEIGHT = TOP + PLOT_H + 52;

    /** Colours for series, in order (the first is prefer-ratings' blue). */
    public static final List<String> PALETTE = List.of("#4a78b5", "#d9822b", "#3a9e5c", "#b5443f", "#7f5fb0", "#8c6d46", "#c2559d", "#666666");

    /** One line of a line chart; NaN y values leave a gap. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) throw new IllegalArgumentException(name + ": x and y differ in length");
            x = x.clone();
            y = y.clone();
        }
    }

    /** A scatter point with a tooltip label. */
    public record Point(double x, double y, String label) {}

    /** An axis range and its ticks. */
    record Axis(double lo, double hi, double[] ticks) {
        double px(double v) {
            return LEFT + (v - lo) / (hi - lo) * PLOT_W;
        }

        double py(double v) {
            return TOP + PLOT_H - (v - lo) / (hi - lo) * PLOT_H;
        }
    }

    /** Line chart, e.g. loss or reward against step. */
    public static String line(String title, String xLabel, String yLabel, List<Series> series) {
        if (series.isEmpty()) throw new IllegalArgumentException("no series");
        List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (Series s : series) {
            for (double v : s.x()) if (Double.isFinite(v)) xs.add(v);
            for (double v : s.y()) if (Double.isFinite(v)) ys.add(v);
        }
        Axis ax = axis(xs, false), ay = axis(ys, false);
        StringBuilder b = open(title);
        grid(b, ax, ay, xLabel, yLabel);
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            String color = PALETTE.get(k % PALETTE.size());
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i <= s.x().length; i++) {
                boolean ok = i < s.x().length && Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i]);
                if (ok) pts.append(fmt(ax.px(s.x()[i]))).append(',').append(fmt(ay.py(s.y()[i]))).append(' ');
                if ((!ok || i == s.x().length) && pts.length() > 0) {
                    b.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
                            .append(pts.toString().strip()).append("\"><title>").append(esc(s.name())).append("</title></polyline>\n");
                    pts.setLength(0);
                }
            }
            if (s.x().length <= 60) {
                for (int i = 0; i < s.x().length; i++) {
                    if (!Double.isFinite(s.x()[i]) || !Double.isFinite(s.y()[i])) continue;
                    b.append(String.format(Locale.ROOT, "<circle cx=\"%s\" cy=\"%s\" r=\"2.5\" fill=\"%s\"><title>%s: (%s, %s)</title></circle>%n",
                            fmt(ax.px(s.x()[i])), fmt(ay.py(s.y()[i])), color, esc(s.name()), num(s.x()[i]), num(s.y()[i])));
                }
            }
        }
        legend(b, series.stream().map(Series::name).toList());
        return b.append("</svg>\n").toString();
    }

    /**
     * Grouped bar chart, e.g. accuracy before/after per objective. The y axis starts at 0 (bars encode size).
     *
     * @param groups  group labels along x (e.g. objectives)
     * @param names   series names within a group (e.g. "SFT", "aligned")
     * @param values  values[group][series]
     * @param lower   optional interval lower ends, same shape, or null
     * @param upper   optional interval upper ends, same shape, or null
     */
    public static String groupedBars(String title, String yLabel, List<String> groups, List<String> names,
                                     double[][] values, double[][] lower, double[][] upper) {
        if (groups.isEmpty() || names.isEmpty()) throw new IllegalArgumentException("no bars");
        if (values.length != groups.size()) throw new IllegalArgumentException("values has " + values.length + " groups, labels " + groups.size());
        List<Double> ys = new ArrayList<>(List.of(0.0));
        for (int g = 0; g < values.length; g++) {
            if (values[g].length != names.size()) throw new IllegalArgumentException("group " + g + " has " + values[g].length + " values, names " + names.size());
            for (int s = 0; s < names.size(); s++) {
                ys.add(values[g][s]);
                if (upper != null) ys.add(upper[g][s]);
                if (lower != null) ys.add(lower[g][s]);
            }
        }
        Axis ay = axis(ys, true);
        StringBuilder b = open(title);
        double groupW = (double) PLOT_W / groups.size();
        double barW = groupW * 0.8 / names.size();
        for (double t : ay.ticks()) hLine(b, ay, t);
        for (int g = 0; g < groups.size(); g++) {
            double x0 = LEFT + g * groupW + groupW * 0.1;
            for (int s = 0; s < names.size(); s++) {
                double v = values[g][s];
                double x = x0 + s * barW;
                double y = ay.py(Math.max(0, v)), y0 = ay.py(Math.min(0, v));
                b.append(String.format(Locale.ROOT, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\"><title>%s, %s: %s%s</title></rect>%n",
                        fmt(x), fmt(y), fmt(barW - 2), fmt(y0 - y), PALETTE.get(s % PALETTE.size()), esc(groups.get(g)), esc(names.get(s)), num(v),
                        lower != null && upper != null ? " [" + num(lower[g][s]) + ", " + num(upper[g][s]) + "]" : ""));
                if (lower != null && upper != null) {
                    double cx = x + (barW - 2) / 2;
                    b.append(String.format(Locale.ROOT, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#222\" stroke-width=\"1.2\"/>"
                                    + "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#222\"/><line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#222\"/>%n",
                            fmt(cx), fmt(ay.py(lower[g][s])), fmt(cx), fmt(ay.py(upper[g][s])),
                            fmt(cx - 4), fmt(ay.py(lower[g][s])), fmt(cx + 4), fmt(ay.py(lower[g][s])),
                            fmt(cx - 4), fmt(ay.py(upper[g][s])), fmt(cx + 4), fmt(ay.py(upper[g][s]))));
                }
            }
            b.append(String.format(Locale.ROOT, "<text x=\"%s\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    fmt(LEFT + (g + 0.5) * groupW), TOP + PLOT_H + 18, esc(groups.get(g))));
        }
        axes(b, ay, yLabel);
        legend(b, names);
        return b.append("</svg>\n").toString();
    }

    /**
     * Scatter plot, e.g. per-objective ranking accuracy (x) against idealized ranking accuracy (y); with
     * {@code diagonal}, the line y = x (points above it have an alignment gap).
     */
    public static String scatter(String title, String xLabel, String yLabel, List<Point> points, boolean diagonal) {
        if (points.isEmpty()) throw new IllegalArgumentException("no points");
        List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (Point p : points) {
            xs.add(p.x());
            ys.add(p.y());
        }
        if (diagonal) {
            List<Double> both = new ArrayList<>(xs);
            both.addAll(ys);
            xs = both;
            ys = both;
        }
        Axis ax = axis(xs, false), ay = axis(ys, false);
        StringBuilder b = open(title);
        grid(b, ax, ay, xLabel, yLabel);
        if (diagonal) {
            double lo = Math.max(ax.lo(), ay.lo()), hi = Math.min(ax.hi(), ay.hi());
            b.append(String.format(Locale.ROOT, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#999\" stroke-dasharray=\"4 3\"><title>y = x</title></line>%n",
                    fmt(ax.px(lo)), fmt(ay.py(lo)), fmt(ax.px(hi)), fmt(ay.py(hi))));
        }
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            b.append(String.format(Locale.ROOT, "<circle cx=\"%s\" cy=\"%s\" r=\"5\" fill=\"%s\" fill-opacity=\"0.85\"><title>%s: (%s, %s)</title></circle>"
                            + "<text x=\"%s\" y=\"%s\" font-size=\"11\" fill=\"#444\">%s</text>%n",
                    fmt(ax.px(p.x())), fmt(ay.py(p.y())), PALETTE.get(i % PALETTE.size()), esc(p.label()), num(p.x()), num(p.y()),
                    fmt(ax.px(p.x()) + 7), fmt(ay.py(p.y()) - 6), esc(p.label())));
        }
        return b.append("</svg>\n").toString();
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    /** Axis over the values with "nice" ticks; {@code fromZero} forces 0 into the range (bar charts). */
    static Axis axis(List<Double> values, boolean fromZero) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double v : values) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        if (lo == Double.POSITIVE_INFINITY) { lo = 0; hi = 1; }
        if (fromZero) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
        if (!(hi > lo)) { lo -= lo == 0 ? 1 : Math.abs(lo) * 0.1; hi += hi == 0 ? 1 : Math.abs(hi) * 0.1; }
        if (!fromZero) { // a little room so marks do not sit on the frame
            double pad = 0.03 * (hi - lo);
            lo -= pad;
            hi += pad;
        }
        if (!fromZero) return new Axis(lo, hi, niceTicks(lo, hi, 6));
        // Bars: extend the range outward to whole ticks so the top bar ends inside the grid.
        double[] t = niceTicks(lo, hi, 6);
        double step = t.length > 1 ? t[1] - t[0] : (hi - lo);
        double nlo = lo >= 0 ? 0 : Math.floor(lo / step + 1e-9) * step, nhi = Math.ceil(hi / step - 1e-9) * step;
        return new Axis(nlo, nhi, niceTicks(nlo, nhi, 6));
    }

    /** Ticks at 1, 2 or 5 times a power of ten, about {@code target} of them, inside [lo, hi]. */
    public static double[] niceTicks(double lo, double hi, int target) {
        double raw = (hi - lo) / target;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3 ? 2 * mag : raw / mag < 7 ? 5 * mag : 10 * mag;
        double first = Math.ceil(lo / step - 1e-9) * step;
        int k = (int) Math.floor((hi - first) / step + 1e-9) + 1;
        double[] t = new double[Math.max(0, k)];
        for (int i = 0; i < t.length; i++) t[i] = first + i * step;
        return t;
    }

    private static StringBuilder open(String title) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"system-ui, sans-serif\" font-size=\"12\" role=\"img\">%n",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        b.append("<title>").append(esc(title)).append("</title>\n");
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"600\" fill=\"#222\">%s</text>%n", LEFT, esc(title)));
        return b;
    }

    private static void grid(StringBuilder b, Axis ax, Axis ay, String xLabel, String yLabel) {
        for (double t : ay.ticks()) hLine(b, ay, t);
        for (double t : ax.ticks()) {
            double x = ax.px(t);
            b.append(String.format(Locale.ROOT, "<line x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\" stroke=\"#eee\"/><text x=\"%s\" y=\"%d\" text-anchor=\"middle\" fill=\"#666\">%s</text>%n",
                    fmt(x), TOP, fmt(x), TOP + PLOT_H, fmt(x), TOP + PLOT_H + 16, num(t)));
        }
        axes(b, ay, yLabel);
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#444\">%s</text>%n", LEFT + PLOT_W / 2, TOP + PLOT_H + 38, esc(xLabel)));
    }

    private static void hLine(StringBuilder b, Axis ay, double t) {
        double y = ay.py(t);
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%s\" x2=\"%d\" y2=\"%s\" stroke=\"#eee\"/><text x=\"%d\" y=\"%s\" text-anchor=\"end\" dominant-baseline=\"middle\" fill=\"#666\">%s</text>%n",
                LEFT, fmt(y), LEFT + PLOT_W, fmt(y), LEFT - 6, fmt(y), num(t)));
    }

    private static void axes(StringBuilder b, Axis ay, String yLabel) {
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#bbb\"/>%n", LEFT, TOP, PLOT_W, PLOT_H));
        b.append(String.format(Locale.ROOT, "<text transform=\"translate(16,%d) rotate(-90)\" text-anchor=\"middle\" fill=\"#444\">%s</text>%n", TOP + PLOT_H / 2, esc(yLabel)));
    }

    private static void legend(StringBuilder b, List<String> names) {
        for (int i = 0; i < names.size(); i++) {
            int y = TOP + 6 + i * 18;
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" dominant-baseline=\"middle\">%s</text>%n",
                    LEFT + PLOT_W + 14, y, PALETTE.get(i % PALETTE.size()), LEFT + PLOT_W + 32, y + 6, esc(names.get(i))));
        }
    }

    static String fmt(double px) {
        return String.format(Locale.ROOT, "%.1f", px);
    }

    /** A tick or tooltip number: up to 4 significant digits, no trailing zeros. */
    static String num(double v) {
        if (v == 0) return "0";
        if (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3) return String.format(Locale.ROOT, "%.3g", v);
        String s = new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
        return s.equals("-0") ? "0" : s;
    }

    static String esc(String s) {
        return Html.esc(s);
    }
}
