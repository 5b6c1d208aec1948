package dev.prefer.reward;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.prefer.data.AtomicFiles;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.data.PreferencePair;
import dev.prefer.reward.backbone.Backbone;
import dev.prefer.reward.backbone.CachedBackbone;
import dev.prefer.reward.eval.PairMetrics;
import dev.prefer.reward.head.EncodedPair;
import dev.prefer.reward.head.HeadConfig;
import dev.prefer.reward.head.Heads;
import dev.prefer.reward.head.MultiAttributeHead;
import dev.prefer.core.Scalars;
import dev.prefer.reward.head.PreferenceHead;
import dev.prefer.reward.head.ScalarRewardHead;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained reward model: an {@link Encoder} (text to vectors) and a {@link PreferenceHead}. Score one response,
 * compare two, rerank n candidates (best-of-n), evaluate on pairs; save to and load from a folder.
 *
 * <p>Saved layout: {@code config.json} (format, encoder, head config and shapes, annotators, DPA direction),
 * {@code head.json} (the flat parameter vector as JSON numbers: doubles written by Jackson round-trip exactly, the
 * heads are small, and the file stays readable; LM-sized weights will use safetensors via prefer-lm),
 * {@code manifest.json} (how it was made) and, after training, {@code metrics.json}.
 */
public final class RewardModel implements RewardScorer {
    public static final String FORMAT = "prefer-reward/1";

    /** One candidate after reranking: its index in the input, its text and its score (higher is better). */
    public record Ranked(int index, String response, double score) {}

    private final Encoder encoder;
    private final PreferenceHead head;

    public RewardModel(Encoder encoder, PreferenceHead head) {
        this.encoder = encoder;
        this.head = head;
    }

    public Encoder encoder() {
        return encoder;
    }

    public PreferenceHead head() {
        return head;
    }

    /** True when each response gets its own score (all heads but GPM and the pairwise classifier). */
    public boolean hasScalarReward() {
        return head instanceof ScalarRewardHead;
    }

    /** The reward of one response (for heads without a scalar reward: an error; use {@link #rerank}). */
    @Override
    public double score(String prompt, String response, String annotator) {
        if (!(head instanceof ScalarRewardHead s)) {
            throw new IllegalArgumentException("the " + head.config().kind() + " head has no per-response reward; compare or rerank instead");
        }
        return s.reward(encoder.context(prompt, annotator), encoder.responses(prompt, List.of(response)).get(0), annotator);
    }

    @Override
    public double score(String prompt, String response) {
        return score(prompt, response, null);
    }

    /** P(a ≻ b | prompt, annotator). */
    @Override
    public double preferenceProbability(String prompt, String a, String b, String annotator) {
        List<double[]> v = encoder.responses(prompt, List.of(a, b));
        return Scalars.sigmoid(head.logit(encoder.context(prompt, annotator), v.get(0), v.get(1), annotator));
    }

    /**
     * Candidates best first. Scalar heads rank by reward; GPM and the classifier rank by the mean preference
     * probability against the other candidates (a win rate, n(n−1) comparisons).
     */
    @Override
    public List<Ranked> rerank(String prompt, List<String> candidates, String annotator) {
        if (candidates.isEmpty()) return List.of();
        double[] c = encoder.context(prompt, annotator);
        List<double[]> v = encoder.responses(prompt, candidates);
        List<Ranked> out = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            double s;
            if (head instanceof ScalarRewardHead r) {
                s = r.reward(c, v.get(i), annotator);
            } else if (candidates.size() == 1) {
                s = 0.5;
            } else {
                s = 0;
                for (int j = 0; j < candidates.size(); j++) if (j != i) s += Scalars.sigmoid(head.logit(c, v.get(i), v.get(j), annotator));
                s /= candidates.size() - 1;
            }
            out.add(new Ranked(i, candidates.get(i), s));
        }
        out.sort(Comparator.comparingDouble(Ranked::score).reversed().thenComparingInt(Ranked::index));
        return out;
    }

    /** Best-of-n: the top candidate. */
    @Override
    public Ranked best(String prompt, List<String> candidates, String annotator) {
        return rerank(prompt, candidates, annotator).get(0);
    }

    /** Accuracy, log-likelihood, calibration and per-annotator accuracy on labelled pairs. */
    @Override
    public PairMetrics evaluate(List<PreferencePair> pairs) {
        return PairMetrics.of(head, encoder.encode(pairs));
    }

    /** Rewards (NaN for heads without a per-response reward) and P(chosen ≻ rejected), encoding each text once. */
    @Override
    public List<PairScore> scorePairs(List<PreferencePair> pairs) {
        List<EncodedPair> enc = encoder.encode(pairs);
        List<PairScore> out = new ArrayList<>(pairs.size());
        for (EncodedPair e : enc) {
            double rc = Double.NaN, rr = Double.NaN;
            if (head instanceof ScalarRewardHead s) {
                rc = s.reward(e.context(), e.chosen(), e.annotator());
                rr = s.reward(e.context(), e.rejected(), e.annotator());
            }
            out.add(new PairScore(rc, rr, Scalars.sigmoid(head.logit(e.context(), e.chosen(), e.rejected(), e.annotator()))));
        }
        return out;
    }

    /** Sets the user's direction over attributes (multi-attribute head only). */
    public void setDirection(Map<String, Double> weights) {
        if (!(head instanceof MultiAttributeHead m)) throw new IllegalArgumentException("--weights needs a multi-attribute head (this one is " + head.config().kind() + ")");
        m.setDirection(weights);
    }

    /**
     * Few-shot placement of a new annotator (PAL: their mixture over the prototypes; MiCRo: their routing bias),
     * from a handful of their pairs; everything else stays frozen. Returns a new model sharing this one's encoder.
     */
    public RewardModel withNewAnnotator(String annotator, List<PreferencePair> pairs, dev.prefer.train.TrainConfig config) {
        if (pairs.isEmpty()) throw new IllegalArgumentException("no pairs for annotator " + annotator);
        PreferenceHead adapted;
        if (head instanceof dev.prefer.reward.head.PalHead p) adapted = p.withNewAnnotator(annotator);
        else if (head instanceof dev.prefer.reward.head.MicroHead m) adapted = m.withNewAnnotator(annotator);
        else throw new IllegalArgumentException("only pal and micro heads adapt to a new annotator (this one is " + head.config().kind() + ")");
        List<EncodedPair> enc = new ArrayList<>();
        for (EncodedPair e : encoder.encode(pairs)) enc.add(e.withAnnotator(annotator));
        HeadTrainer.fit(adapted, enc, List.of(), config.toBuilder().weightDecay(0).build(), null);
        return new RewardModel(encoder, adapted);
    }

    // ---- persistence -------------------------------------------------------------------------------------------

    public void save(Path folder, Manifest manifest) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("format", FORMAT);
        cfg.put("encoder", encoder.toMap());
        cfg.put("head", head.config().toMap());
        cfg.put("dimension", encoder.dimension());
        cfg.put("contextDimension", encoder.contextDimension());
        cfg.put("annotators", head.annotators());
        if (head instanceof MultiAttributeHead m) cfg.put("direction", m.direction());
        Map<String, Object> weights = new LinkedHashMap<>();
        weights.put("count", head.parameters().length);
        weights.put("parameters", head.parameters());
        AtomicFiles.writeString(folder.resolve("head.json"), Json.line(weights) + "\n");
        AtomicFiles.writeString(folder.resolve("config.json"), Json.pretty(cfg) + "\n");
        if (encoder instanceof EmbeddingEncoder e && e.backbone() instanceof CachedBackbone cb) cb.flush();
        manifest.withInput("head.json", folder.resolve("head.json")).writeTo(folder);
    }

    /** Loads a saved model; the backbone named in its config is opened with {@code options}. */
    public static RewardModel load(Path folder, Backbones.Options options) {
        Map<String, Object> cfg = readJson(folder.resolve("config.json"));
        if (!FORMAT.equals(cfg.get("format"))) {
            throw DataException.ofFile(folder.resolve("config.json"), "not a Prefer reward model (format " + cfg.get("format") + ", expected " + FORMAT + ")");
        }
        @SuppressWarnings("unchecked") Map<String, Object> enc = (Map<String, Object>) cfg.get("encoder");
        @SuppressWarnings("unchecked") Map<String, Object> hc = (Map<String, Object>) cfg.get("head");
        @SuppressWarnings("unchecked") List<String> annotators = (List<String>) cfg.get("annotators");
        int dim = ((Number) cfg.get("dimension")).intValue();
        int ctx = ((Number) cfg.get("contextDimension")).intValue();
        Map<String, Object> weights = readJson(folder.resolve("head.json"));
        @SuppressWarnings("unchecked") List<Number> ps = (List<Number>) weights.get("parameters");
        double[] params = new double[ps.size()];
        for (int i = 0; i < params.length; i++) params[i] = ps.get(i).doubleValue();
        Encoder encoder = openEncoder(enc, options);
        if (encoder.dimension() != dim) {
            throw DataException.ofFile(folder.resolve("config.json"), "backbone gives " + encoder.dimension() + "-d vectors, the head expects " + dim);
        }
        PreferenceHead head = Heads.restore(HeadConfig.fromMap(hc), dim, ctx, annotators, params);
        if (head instanceof MultiAttributeHead m && cfg.get("direction") instanceof List<?> dir) {
            Map<String, Double> w = new LinkedHashMap<>();
            for (int i = 0; i < dir.size(); i++) w.put(m.attributeNames().get(i), ((Number) dir.get(i)).doubleValue());
            if (w.values().stream().anyMatch(x -> x != 0)) m.setDirection(w);
        }
        return new RewardModel(encoder, head);
    }

    private static Encoder openEncoder(Map<String, Object> enc, Backbones.Options options) {
        String type = (String) enc.get("type");
        String backboneId = (String) enc.get("backbone");
        if ("embedding".equals(type)) {
            Backbone b = Backbones.open(backboneId, options);
            return new EmbeddingEncoder(b, EmbeddingEncoder.ContextSource.parse((String) enc.get("context")));
        }
        if ("named-features".equals(type)) {
            Backbone b = backboneId == null ? null : Backbones.open(backboneId, options);
            return NamedFeatureEncoder.restore(b, toArray(enc.get("mean")), toArray(enc.get("std")));
        }
        throw new IllegalArgumentException("unknown encoder type " + type);
    }

    private static double[] toArray(Object o) {
        List<?> l = (List<?>) o;
        double[] d = new double[l.size()];
        for (int i = 0; i < d.length; i++) d[i] = ((Number) l.get(i)).doubleValue();
        return d;
    }

    private static Map<String, Object> readJson(Path p) {
        try {
            return Json.MAPPER.readValue(Files.readString(p), new TypeReference<Map<String, Object>>() {});
        } catch (NoSuchFileException e) {
            throw DataException.ofFile(p, "no such file (is this a reward model folder?)");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw DataException.ofFile(p, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /** Encodes pairs with this model's encoder (for evaluation by callers holding encoded data). */
    public List<EncodedPair> encode(List<PreferencePair> pairs) {
        return encoder.encode(pairs);
    }

    @Override
    public void close() {
        encoder.close();
    }
}
