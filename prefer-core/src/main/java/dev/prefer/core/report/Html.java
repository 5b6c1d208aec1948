package dev.prefer.core.report;

/** HTML escaping for text placed in pages, attributes and inline SVG (the one escaper of the reports and the collection app). */
public final class Html {
    private Html() {}

    public static String esc(Object o) {
        if (o == null) return "";
        String s = o.toString();
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A number for a table cell: fixed decimals, or an en dash when not a number. */
    public static String num(double x, int decimals) {
        return Double.isFinite(x) ? String.format(java.util.Locale.ROOT, "%." + decimals + "f", x) : "–";
    }
}
