package dev.prefer.ratings;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Arena's four style features of an answer, and the per-vote feature (a − b)/(a + b) of a pair of answers
 * (lmarena/arena-rank {@code examples/example_utils.py} {@code add_style_feature_cols}, lines 32-45: a sum of 0
 * divides by 1).
 *
 * <p>Markdown counts follow lmarena/arena-hard-auto {@code utils/add_markdown_info.py}: fenced code is removed
 * first ({@code remove_pattern} with {@code ```([^`]*)```}, lines 34-38, which deletes every occurrence of each
 * fenced block's inner text), then headers {@code ^#{1..6}\s} (each level counted separately, multiline),
 * list items {@code ^\s*\d+\.\s} and {@code ^\s*[-*+]\s}, bold {@code \*\*[^*\n]+\*\*} and
 * {@code __[^_\n]+__} (lines 11-32). Tokens: the Arena counts tiktoken (gpt-4o) tokens, which we cannot run
 * here; we count words and punctuation marks, {@code \w+|[^\w\s]}, on the whole answer. Character classes are
 * ASCII ({@code re.ASCII} in the reference script) and lines end at {@code \n} only.
 */
public final class StyleFeatures {
    private StyleFeatures() {}

    /** Feature names, in order. */
    public static final List<String> NAMES = List.of("tokens", "headers", "lists", "bold");

    private static final Pattern CODE = Pattern.compile("```([^`]*)```");
    private static final Pattern TOKEN = Pattern.compile("\\w+|[^\\w\\s]");
    private static final Pattern[] HEADERS = new Pattern[6];
    private static final Pattern ORDERED = Pattern.compile("^\\s*\\d+\\.\\s", Pattern.MULTILINE | Pattern.UNIX_LINES);
    private static final Pattern UNORDERED = Pattern.compile("^\\s*[-*+]\\s", Pattern.MULTILINE | Pattern.UNIX_LINES);
    private static final Pattern BOLD_STARS = Pattern.compile("\\*\\*[^*\\n]+\\*\\*");
    private static final Pattern BOLD_UNDERSCORES = Pattern.compile("__[^_\\n]+__");

    static {
        for (int h = 1; h <= 6; h++) HEADERS[h - 1] = Pattern.compile("^#{" + h + "}\\s", Pattern.MULTILINE | Pattern.UNIX_LINES);
    }

    /** [tokens, headers, lists, bold] of one answer. */
    public static double[] counts(String answer) {
        double tokens = count(TOKEN, answer);
        String text = removeCode(answer);
        double headers = 0;
        for (Pattern p : HEADERS) headers += count(p, text);
        double lists = count(ORDERED, text) + count(UNORDERED, text);
        double bold = count(BOLD_STARS, text) + count(BOLD_UNDERSCORES, text);
        return new double[] {tokens, headers, lists, bold};
    }

    /** (a − b)/(a + b) per feature, dividing by 1 where a + b = 0. */
    public static double[] differences(double[] a, double[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("feature counts differ in length");
        double[] d = new double[a.length];
        for (int k = 0; k < a.length; k++) {
            double sum = a[k] + b[k];
            d[k] = (a[k] - b[k]) / (sum == 0 ? 1 : sum);
        }
        return d;
    }

    /** The per-vote style features of two answers. */
    public static double[] of(String answerA, String answerB) {
        return differences(counts(answerA), counts(answerB));
    }

    static String removeCode(String answer) {
        List<String> blocks = new ArrayList<>();
        Matcher m = CODE.matcher(answer);
        while (m.find()) blocks.add(m.group(1));
        String s = answer;
        for (String b : blocks) s = s.replace(b, "");
        return s;
    }

    private static int count(Pattern p, String s) {
        Matcher m = p.matcher(s);
        int c = 0;
        while (m.find()) c++;
        return c;
    }
}
