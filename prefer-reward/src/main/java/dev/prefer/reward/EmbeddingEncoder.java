package dev.prefer.reward;

import dev.prefer.data.PreferencePair;
import dev.prefer.reward.backbone.Backbone;
import dev.prefer.reward.head.EncodedPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Response vector = backbone(response); context vector = backbone(context text), where the context text is chosen
 * by {@link ContextSource}: the prompt (default), the annotator string used as a criterion (e.g. "prefers concise
 * answers"), both, or none. Distinct texts in a batch are embedded once.
 */
public final class EmbeddingEncoder implements Encoder {

    /** What text conditions the reward. */
    public enum ContextSource {
        PROMPT, ANNOTATOR, BOTH, NONE;

        public static ContextSource parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown context source '" + s + "'; expected prompt, annotator, both or none");
            }
        }

        String text(String prompt, String annotator) {
            return switch (this) {
                case PROMPT -> prompt;
                case ANNOTATOR -> annotator == null ? "" : annotator;
                case BOTH -> (annotator == null ? "" : annotator + "\n") + prompt;
                case NONE -> null;
            };
        }
    }

    private final Backbone backbone;
    private final ContextSource contextSource;

    public EmbeddingEncoder(Backbone backbone, ContextSource contextSource) {
        this.backbone = backbone;
        this.contextSource = contextSource;
    }

    public Backbone backbone() {
        return backbone;
    }

    @Override
    public int dimension() {
        return backbone.dimension();
    }

    @Override
    public int contextDimension() {
        return contextSource == ContextSource.NONE ? 0 : backbone.dimension();
    }

    @Override
    public List<EncodedPair> encode(List<PreferencePair> pairs) {
        LinkedHashSet<String> texts = new LinkedHashSet<>();
        for (PreferencePair p : pairs) {
            String c = contextSource.text(p.prompt(), p.annotator());
            if (c != null) texts.add(c);
            texts.add(p.chosen());
            texts.add(p.rejected());
        }
        List<String> list = new ArrayList<>(texts);
        List<float[]> vecs = backbone.embedAll(list);
        Map<String, double[]> byText = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) byText.put(list.get(i), toDouble(vecs.get(i)));
        List<EncodedPair> out = new ArrayList<>(pairs.size());
        double[] none = new double[0];
        for (PreferencePair p : pairs) {
            String c = contextSource.text(p.prompt(), p.annotator());
            out.add(new EncodedPair(c == null ? none : byText.get(c), byText.get(p.chosen()), byText.get(p.rejected()),
                    p.annotator(), p.margin(), p.weight(), p.attributes()));
        }
        return out;
    }

    @Override
    public double[] context(String prompt, String annotator) {
        String c = contextSource.text(prompt, annotator);
        return c == null ? new double[0] : toDouble(backbone.embed(c));
    }

    @Override
    public List<double[]> responses(String prompt, List<String> responses) {
        List<double[]> out = new ArrayList<>();
        for (float[] v : backbone.embedAll(responses)) out.add(toDouble(v));
        return out;
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "embedding");
        m.put("backbone", backbone.id());
        m.put("dimension", backbone.dimension());
        m.put("context", contextSource.name().toLowerCase(Locale.ROOT));
        return m;
    }

    @Override
    public void close() {
        backbone.close();
    }
}
