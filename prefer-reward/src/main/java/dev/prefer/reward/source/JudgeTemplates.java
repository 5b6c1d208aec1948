package dev.prefer.reward.source;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rubric templates and answer parsing for {@link JudgeSource}.
 *
 * <p><b>Templates.</b> A rubric is the judge's user message with placeholders: {@code {prompt}} and
 * {@code {response}} (pointwise) or {@code {prompt}}, {@code {response_a}} and {@code {response_b}} (pairwise);
 * any other {@code {name}} is filled from the data row's field of that name (e.g. {@code {reference}}).
 * Substitution is one pass, so braces inside a completion are never expanded. The built-in rubrics follow
 * MT-Bench's single-answer and pairwise judge prompts (Zheng et al. 2023, FastChat
 * {@code fastchat/llm_judge/data/judge_prompts.jsonl}): the verdict in double brackets, {@code [[7]]} or
 * {@code [[A]]}/{@code [[B]]}/{@code [[C]]} (tie).
 *
 * <p><b>Parsing.</b> Pointwise: the first {@code [[x]]}, else the first {@code [x]} (FastChat's
 * {@code one_score_pattern} and its backup, {@code fastchat/llm_judge/common.py}), else {@code score: x} /
 * {@code rating: x}, else an answer that is just a number (or {@code x/max}); a score outside the scale is
 * malformed. Pairwise: exactly one of {@code [[A]]}, {@code [[B]]}, {@code [[C]]} (or {@code [[tie]]}), else an
 * answer that is just the letter ({@code A}, {@code (b)}, {@code Answer: A}, {@code Output (a)}, {@code tie});
 * anything else, or both letters in brackets, is malformed.
 */
public final class JudgeTemplates {
    private JudgeTemplates() {}

    public static final String POINTWISE = """
            Please act as an impartial judge and evaluate the quality of the response provided by an AI assistant to \
            the user question displayed below. Consider helpfulness, relevance, accuracy, depth and level of detail. \
            Be as objective as possible. Rate the response on a scale of {min} to {max} by strictly following this \
            format: "[[rating]]", for example: "Rating: [[5]]".

            [Question]
            {prompt}

            [The Start of Assistant's Answer]
            {response}
            [The End of Assistant's Answer]""";

    public static final String PAIRWISE = """
            Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants \
            to the user question displayed below. Choose the assistant that follows the user's instructions and \
            answers the user's question better. Avoid any position bias: the order in which the responses are \
            presented must not influence your decision, nor their length. Be as objective as possible. Output your \
            final verdict by strictly following this format: "[[A]]" if assistant A is better, "[[B]]" if assistant \
            B is better, and "[[C]]" for a tie.

            [User Question]
            {prompt}

            [The Start of Assistant A's Answer]
            {response_a}
            [The End of Assistant A's Answer]

            [The Start of Assistant B's Answer]
            {response_b}
            [The End of Assistant B's Answer]""";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    /** The placeholders a template uses, in order of first use. */
    public static Set<String> placeholders(String template) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    /** Checks that a template has the placeholders its mode needs; IllegalArgumentException naming what is missing. */
    public static void check(String template, JudgeConfig.Mode mode, String where) {
        Set<String> p = placeholders(template);
        for (String need : mode == JudgeConfig.Mode.POINTWISE ? new String[] {"prompt", "response"} : new String[] {"prompt", "response_a", "response_b"}) {
            if (!p.contains(need)) throw new IllegalArgumentException(where + ": the " + mode.name().toLowerCase() + " rubric has no {" + need + "} placeholder");
        }
    }

    /**
     * Fills a template in one pass: {@code values} first, then the row's fields; a placeholder found in neither is an
     * IllegalArgumentException naming it.
     */
    public static String fill(String template, Map<String, String> values, Map<String, Object> rowFields) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String key = m.group(1);
            String v = values.get(key);
            if (v == null) {
                Object f = rowFields.get(key);
                if (f == null) throw new IllegalArgumentException("rubric placeholder {" + key + "} is neither a built-in nor a field of the row");
                v = String.valueOf(f);
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static final String NUM = "([+-]?\\d+(?:\\.\\d+)?)";
    private static final Pattern DOUBLE_BRACKET = Pattern.compile("\\[\\[\\s*" + NUM + "\\s*]]");
    private static final Pattern SINGLE_BRACKET = Pattern.compile("\\[\\s*" + NUM + "\\s*]");
    private static final Pattern LABELLED = Pattern.compile("(?i)\\b(?:score|rating)\\s*[:=]\\s*\\**\\s*" + NUM);
    private static final Pattern BARE = Pattern.compile("\\s*" + NUM + "\\s*(?:/\\s*\\d+(?:\\.\\d+)?)?\\s*\\.?\\s*");

    /** The score of a pointwise answer, or NaN when it has none within [min, max]. */
    public static double parseScore(String answer, double min, double max) {
        if (answer == null) return Double.NaN;
        for (Pattern p : new Pattern[] {DOUBLE_BRACKET, SINGLE_BRACKET, LABELLED}) {
            Matcher m = p.matcher(answer);
            if (m.find()) return inRange(Double.parseDouble(m.group(1)), min, max);
        }
        Matcher m = BARE.matcher(answer);
        if (m.matches()) return inRange(Double.parseDouble(m.group(1)), min, max);
        return Double.NaN;
    }

    private static double inRange(double s, double min, double max) {
        return s >= min && s <= max ? s : Double.NaN;
    }

    /** A pairwise verdict. */
    public enum Choice { A, B, TIE }

    private static final Pattern BRACKET_CHOICE = Pattern.compile("(?i)\\[\\[\\s*(A|B|C|tie)\\s*]]");
    private static final Pattern BARE_CHOICE = Pattern.compile(
            "(?i)\\s*(?:(?:final\\s+)?(?:answer|verdict|winner|choice|output|assistant)\\s*[:\\-]?\\s*)?[\\[(\"']?\\s*(A|B|tie)\\s*[\\])\"']?\\s*[.!]?\\s*");

    /** The choice of a pairwise answer, or null when it has no single one. */
    public static Choice parseChoice(String answer) {
        if (answer == null) return null;
        Matcher m = BRACKET_CHOICE.matcher(answer);
        Choice found = null;
        while (m.find()) {
            Choice c = toChoice(m.group(1));
            if (found != null && found != c) return null; // two different verdicts
            found = c;
        }
        if (found != null) return found;
        Matcher b = BARE_CHOICE.matcher(answer);
        return b.matches() ? toChoice(b.group(1)) : null;
    }

    private static Choice toChoice(String s) {
        return switch (s.toUpperCase()) {
            case "A" -> Choice.A;
            case "B" -> Choice.B;
            default -> Choice.TIE; // C or TIE
        };
    }
}
