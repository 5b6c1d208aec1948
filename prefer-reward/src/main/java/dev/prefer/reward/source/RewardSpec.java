package dev.prefer.reward.source;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One reward source written as a string, {@code [WEIGHT*]KIND:TARGET[?key=value&...]}:
 * <ul>
 * <li>{@code verifier:arithmetic} (also {@code format}, {@code counting}): a built-in verifier;</li>
 * <li>{@code model:runs/rm}: a reward model with a per-response reward (embedding head or LM score head); key
 *     {@code annotator};</li>
 * <li>{@code pairwise:runs/rm-gpm}: a preference model as within-group win rates; key {@code annotator}; a
 *     preference-trained causal LM judges by its implicit reward ({@link ImplicitRewardSource}): DPO's with
 *     {@code ref=DIR} (its reference) and {@code beta} (default 0.1), SimPO's with {@code implicit=simpo} (no
 *     reference; {@code beta} default 2);</li>
 * <li>{@code judge:http://127.0.0.1:8000/v1?model=NAME}: an LLM judge; keys {@code model} (required),
 *     {@code mode} (pointwise|pairwise), {@code rubric} (a template file), {@code system} (a file),
 *     {@code temperature}, {@code max-tokens}, {@code timeout} and {@code backoff} (seconds), {@code retries},
 *     {@code concurrency}, {@code cache} (a folder, or {@code none}), {@code api-key-env}, {@code malformed}
 *     (neutral|skip|fail), {@code scale} (MIN-MAX, e.g. 1-10), {@code orders} (both|one).</li>
 * </ul>
 * Every kind takes {@code name=} (its name in metrics, {@code rewards/NAME/mean}; default: the spec without its
 * weight). A leading {@code 0.5*} weights the source in a sum. Keys accept {@code _} for {@code -}; values are URL-decoded.
 * Errors are one line and quote the spec.
 *
 * @param text   the spec as written
 * @param weight the weight (1 when none is written)
 * @param kind   verifier, model, pairwise or judge
 * @param target the task name, model folder or endpoint URL (without the query)
 * @param params the {@code key=value} settings, keys normalised to kebab-case, in written order
 */
public record RewardSpec(String text, double weight, String kind, String target, Map<String, String> params) {
    public static final List<String> KINDS = List.of("verifier", "model", "pairwise", "judge");

    static final Map<String, Set<String>> KEYS = Map.of(
            "verifier", Set.of("name"),
            "model", Set.of("name", "annotator"),
            "pairwise", Set.of("name", "annotator", "ref", "beta", "implicit"),
            "judge", Set.of("name", "model", "mode", "rubric", "system", "temperature", "max-tokens", "timeout", "backoff", "retries", "concurrency",
                    "cache", "api-key-env", "malformed", "scale", "orders"));

    private static final Pattern WEIGHTED = Pattern.compile("\\s*([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?)\\s*\\*\\s*(.*)", Pattern.DOTALL);

    public RewardSpec {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** The spec's name in metrics: its {@code name=} when given, else the text without its weight. */
    public String name() {
        if (params.containsKey("name")) return params.get("name");
        return unweighted();
    }

    /** The text without its weight. */
    String unweighted() {
        Matcher m = WEIGHTED.matcher(text);
        return m.matches() ? m.group(2).strip() : text.strip();
    }

    /** Parses one spec; IllegalArgumentException with a one-line message quoting it. */
    public static RewardSpec parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("reward spec is empty; expected e.g. verifier:arithmetic, model:DIR, pairwise:DIR or judge:URL?model=NAME");
        String body = text.strip();
        double weight = 1;
        Matcher m = WEIGHTED.matcher(body);
        if (m.matches()) {
            weight = Double.parseDouble(m.group(1));
            body = m.group(2).strip();
        }
        if (!Double.isFinite(weight)) throw error(text, "weight must be finite");
        int colon = body.indexOf(':');
        if (colon <= 0) throw error(text, "expected KIND:TARGET with KIND one of " + KINDS);
        String kind = body.substring(0, colon).strip().toLowerCase();
        if (!KINDS.contains(kind)) throw error(text, "unknown kind '" + kind + "'; expected one of " + KINDS);
        String rest = body.substring(colon + 1).strip();
        String target = rest;
        Map<String, String> params = new LinkedHashMap<>();
        int q = rest.indexOf('?');
        if (q >= 0) {
            target = rest.substring(0, q);
            for (String kv : rest.substring(q + 1).split("&")) {
                if (kv.isEmpty()) continue;
                int eq = kv.indexOf('=');
                if (eq <= 0) throw error(text, "expected key=value, got '" + kv + "'");
                String key = decode(text, kv.substring(0, eq)).strip().toLowerCase().replace('_', '-');
                String value = decode(text, kv.substring(eq + 1));
                if (!KEYS.get(kind).contains(key)) {
                    throw error(text, "unknown key '" + key + "' for " + kind + "; expected one of " + new java.util.TreeSet<>(KEYS.get(kind)));
                }
                if (key.equals("name") && value.isBlank()) throw error(text, "name= is empty");
                if (params.put(key, value) != null) throw error(text, "key '" + key + "' given twice");
            }
        }
        if (target.isEmpty()) throw error(text, kind + " needs a target after '" + kind + ":'");
        return new RewardSpec(text.strip(), weight, kind, target, params);
    }

    private static String decode(String text, String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw error(text, "bad %-escape in '" + s + "'");
        }
    }

    /** An error about a spec: {@code reward spec 'TEXT': REASON}. */
    public static IllegalArgumentException error(String text, String reason) {
        return new IllegalArgumentException("reward spec '" + dev.prefer.data.DataException.oneLine(text) + "': " + reason);
    }

    /** A weight as written back in names: {@code 0.5}, {@code 2}. */
    static String formatWeight(double w) {
        return w == Math.rint(w) && Math.abs(w) < 1e15 ? Long.toString((long) w) : Double.toString(w);
    }
}
