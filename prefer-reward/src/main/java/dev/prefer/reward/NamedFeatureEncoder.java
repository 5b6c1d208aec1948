package dev.prefer.reward;

import dev.prefer.data.PreferencePair;
import dev.prefer.reward.backbone.Backbone;
import dev.prefer.reward.head.EncodedPair;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * A handful of named, human-readable features of a (prompt, response) pair for the interpretable linear head
 * (a "domain-knowledge reward model": each learned weight says how much a standardised unit of that feature moves
 * the log-odds of being preferred). Features are standardised with the training responses' mean and standard
 * deviation, which are saved with the model.
 *
 * <table>
 *   <caption>features</caption>
 *   <tr><td>log_words</td><td>ln(1 + words in the response)</td></tr>
 *   <tr><td>refusal</td><td>1 when the response declines ("I'm sorry", "I can't", "I won't", "as an AI", ...)</td></tr>
 *   <tr><td>apology</td><td>1 when it apologises ("sorry", "apolog")</td></tr>
 *   <tr><td>questions</td><td>ln(1 + question marks)</td></tr>
 *   <tr><td>prompt_overlap</td><td>share of the response's distinct words that occur in the prompt</td></tr>
 *   <tr><td>second_person</td><td>share of words that are "you"/"your"</td></tr>
 *   <tr><td>exclamations</td><td>ln(1 + exclamation marks)</td></tr>
 *   <tr><td>digits</td><td>share of characters that are digits</td></tr>
 *   <tr><td>relevance</td><td>cosine of backbone(prompt) and backbone(response); only with a backbone</td></tr>
 * </table>
 */
public final class NamedFeatureEncoder implements Encoder {
    private static final Pattern WORD = Pattern.compile("[^\\p{L}\\p{N}']+");
    private static final Pattern REFUSAL = Pattern.compile(
            "\\b(i'?m sorry|i am sorry|i can'?t|i cannot|i won'?t|i will not|i'?m not able|i am not able|not able to help|as an ai|i'?m not comfortable|i do not feel comfortable|i don'?t feel comfortable)\\b");

    private static final Map<String, BiFunction<String, String, Double>> TEXT_FEATURES = new LinkedHashMap<>();

    static {
        TEXT_FEATURES.put("log_words", (p, r) -> Math.log1p(words(r).size()));
        TEXT_FEATURES.put("refusal", (p, r) -> REFUSAL.matcher(r.toLowerCase(Locale.ROOT)).find() ? 1.0 : 0.0);
        TEXT_FEATURES.put("apology", (p, r) -> {
            String l = r.toLowerCase(Locale.ROOT);
            return l.contains("sorry") || l.contains("apolog") ? 1.0 : 0.0;
        });
        TEXT_FEATURES.put("questions", (p, r) -> Math.log1p(count(r, '?')));
        TEXT_FEATURES.put("prompt_overlap", (p, r) -> {
            Set<String> rw = new HashSet<>(words(r));
            if (rw.isEmpty()) return 0.0;
            Set<String> pw = new HashSet<>(words(p));
            int n = 0;
            for (String w : rw) if (pw.contains(w)) n++;
            return (double) n / rw.size();
        });
        TEXT_FEATURES.put("second_person", (p, r) -> {
            List<String> w = words(r);
            if (w.isEmpty()) return 0.0;
            int n = 0;
            for (String x : w) if (x.equals("you") || x.equals("your") || x.equals("yours")) n++;
            return (double) n / w.size();
        });
        TEXT_FEATURES.put("exclamations", (p, r) -> Math.log1p(count(r, '!')));
        TEXT_FEATURES.put("digits", (p, r) -> {
            if (r.isEmpty()) return 0.0;
            int n = 0;
            for (int i = 0; i < r.length(); i++) if (Character.isDigit(r.charAt(i))) n++;
            return (double) n / r.length();
        });
    }

    private final Backbone backbone;   // null: no relevance feature
    private final double[] mean;
    private final double[] std;

    private NamedFeatureEncoder(Backbone backbone, double[] mean, double[] std) {
        this.backbone = backbone;
        this.mean = mean;
        this.std = std;
    }

    /** An encoder with standardisation fitted on the responses of {@code train}; backbone may be null. */
    public static NamedFeatureEncoder fit(Backbone backbone, List<PreferencePair> train) {
        NamedFeatureEncoder raw = new NamedFeatureEncoder(backbone, null, null);
        int d = raw.dimension();
        double[] sum = new double[d];
        double[] sq = new double[d];
        int n = 0;
        for (EncodedPair p : raw.encode(train)) {
            for (double[] v : new double[][] {p.chosen(), p.rejected()}) {
                for (int i = 0; i < d; i++) {
                    sum[i] += v[i];
                    sq[i] += v[i] * v[i];
                }
                n++;
            }
        }
        double[] mean = new double[d];
        double[] std = new double[d];
        for (int i = 0; i < d; i++) {
            mean[i] = n == 0 ? 0 : sum[i] / n;
            double var = n == 0 ? 0 : sq[i] / n - mean[i] * mean[i];
            std[i] = var > 1e-12 ? Math.sqrt(var) : 1.0;
        }
        return new NamedFeatureEncoder(backbone, mean, std);
    }

    /** Rebuilds a saved encoder. */
    public static NamedFeatureEncoder restore(Backbone backbone, double[] mean, double[] std) {
        return new NamedFeatureEncoder(backbone, mean, std);
    }

    /** Feature names, in vector order. */
    public List<String> names() {
        List<String> n = new ArrayList<>(TEXT_FEATURES.keySet());
        if (backbone != null) n.add("relevance");
        return n;
    }

    @Override
    public int dimension() {
        return TEXT_FEATURES.size() + (backbone != null ? 1 : 0);
    }

    @Override
    public int contextDimension() {
        return 0;
    }

    private double[] features(String prompt, String response, float[] ep, float[] er) {
        double[] v = new double[dimension()];
        int i = 0;
        for (BiFunction<String, String, Double> f : TEXT_FEATURES.values()) v[i++] = f.apply(prompt, response);
        if (backbone != null) v[i] = cosine(ep, er);
        if (mean != null) for (int j = 0; j < v.length; j++) v[j] = (v[j] - mean[j]) / std[j];
        return v;
    }

    @Override
    public List<EncodedPair> encode(List<PreferencePair> pairs) {
        Map<String, float[]> emb = new LinkedHashMap<>();
        if (backbone != null) {
            List<String> texts = new ArrayList<>();
            for (PreferencePair p : pairs) {
                texts.add(p.prompt());
                texts.add(p.chosen());
                texts.add(p.rejected());
            }
            List<String> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(texts));
            List<float[]> v = backbone.embedAll(distinct);
            for (int i = 0; i < distinct.size(); i++) emb.put(distinct.get(i), v.get(i));
        }
        List<EncodedPair> out = new ArrayList<>();
        for (PreferencePair p : pairs) {
            out.add(new EncodedPair(new double[0], features(p.prompt(), p.chosen(), emb.get(p.prompt()), emb.get(p.chosen())),
                    features(p.prompt(), p.rejected(), emb.get(p.prompt()), emb.get(p.rejected())), p.annotator(), p.margin(),
                    p.weight(), p.attributes()));
        }
        return out;
    }

    @Override
    public double[] context(String prompt, String annotator) {
        return new double[0];
    }

    @Override
    public List<double[]> responses(String prompt, List<String> responses) {
        float[] ep = backbone == null ? null : backbone.embed(prompt);
        List<float[]> er = backbone == null ? null : backbone.embedAll(responses);
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < responses.size(); i++) out.add(features(prompt, responses.get(i), ep, er == null ? null : er.get(i)));
        return out;
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "named-features");
        m.put("backbone", backbone == null ? null : backbone.id());
        m.put("features", names());
        m.put("mean", mean);
        m.put("std", std);
        return m;
    }

    @Override
    public void close() {
        if (backbone != null) backbone.close();
    }

    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        for (String w : WORD.split(s.toLowerCase(Locale.ROOT))) if (!w.isEmpty()) out.add(w);
        return out;
    }

    private static int count(String s, char c) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == c) n++;
        return n;
    }

    private static double cosine(float[] a, float[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
    }
}
