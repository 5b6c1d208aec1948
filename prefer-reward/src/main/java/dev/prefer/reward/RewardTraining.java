package dev.prefer.reward;

import dev.prefer.data.PreferencePair;
import dev.prefer.reward.backbone.Backbone;
import dev.prefer.reward.eval.PairMetrics;
import dev.prefer.reward.head.EncodedPair;
import dev.prefer.reward.head.HeadConfig;
import dev.prefer.reward.head.Heads;
import dev.prefer.reward.head.PreferenceHead;
import dev.prefer.train.TrainConfig;
import dev.prefer.train.TrainData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The library entry point behind {@code prefer train reward}: pick the encoder for the head, encode the pairs once,
 * split off a seeded validation set ({@code TrainData.split}, as every trainer), train on the one loop with early
 * stopping ({@link HeadTrainer}), and report metrics on both parts.
 */
public final class RewardTraining {
    private RewardTraining() {}

    /**
     * @param backbone        backbone name ({@link Backbones#open})
     * @param head            head kind and shape
     * @param train           optimizer, epochs, batch size, seed, validation fraction and patience: prefer-train's
     *                        {@link TrainConfig} (default {@link HeadTrainer#defaults()}); its reward loss is the head's
     * @param context         what conditions the reward: {@code auto} (the prompt for heads that read a context —
     *                        micro, gpm, contextual ones — nothing otherwise), {@code prompt}, {@code annotator},
     *                        {@code both}, {@code none}
     * @param deriveVerbosity multi head: when the data has no attribute labels, add a {@code verbosity} label
     *                        ln(1 + words) per response so that there is a second attribute to regress
     */
    public record Config(String backbone, HeadConfig head, TrainConfig train, String context, boolean deriveVerbosity) {
        public Config {
            if (backbone == null || backbone.isBlank()) throw new IllegalArgumentException("backbone must be given");
            if (head == null) throw new IllegalArgumentException("head must be given");
            train = train == null ? HeadTrainer.defaults() : train;
            context = context == null ? "auto" : context.toLowerCase(Locale.ROOT);
            if (!context.equals("auto")) EmbeddingEncoder.ContextSource.parse(context);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("backbone", backbone);
            m.put("head", head.toMap());
            m.put("train", HeadTrainer.settings(train));
            m.put("context", context);
            m.put("deriveVerbosity", deriveVerbosity);
            return m;
        }
    }

    /** A trained model with its training history and metrics. */
    public record Outcome(RewardModel model, HeadTrainer.Result result, PairMetrics train, PairMetrics validation,
                          int trainPairs, int validationPairs) {
        public Map<String, Object> metrics() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("trainPairs", trainPairs);
            m.put("validationPairs", validationPairs);
            m.put("bestEpoch", result.bestEpoch());
            m.put("epochsRun", result.history().size());
            m.put("stoppedEarly", result.stoppedEarly());
            m.put("train", train.toMap());
            if (validation != null) m.put("validation", validation.toMap());
            return m;
        }
    }

    /**
     * Trains a reward model. {@code validation} null splits {@code config.train().data().evalFraction()} of the
     * pairs off with the training seed.
     */
    public static Outcome train(List<PreferencePair> pairs, List<PreferencePair> validation, Config config,
                                Backbones.Options options, Consumer<String> log) {
        Consumer<String> say = log == null ? s -> {} : log;
        if (pairs.isEmpty()) throw new IllegalArgumentException("no preference pairs to train on");
        List<PreferencePair> trainPairs;
        List<PreferencePair> valPairs;
        if (validation != null) {
            trainPairs = pairs;
            valPairs = validation;
        } else {
            List<List<PreferencePair>> s = TrainData.split(pairs, config.train().data().evalFraction(), config.train().seed());
            trainPairs = s.get(0);
            valPairs = s.get(1);
        }
        HeadConfig hc = config.head();
        if (hc.kind().equals("multi")) {
            if (config.deriveVerbosity() && !hasAttributes(trainPairs)) {
                trainPairs = withVerbosity(trainPairs);
                valPairs = withVerbosity(valPairs);
            }
            hc = hc.withAttributes(attributeNames(trainPairs));
        }
        Backbone backbone = Backbones.open(config.backbone(), options);
        Encoder encoder;
        if (hc.kind().equals("linear")) {
            encoder = NamedFeatureEncoder.fit(backbone, trainPairs);
        } else {
            if (backbone == null) throw new IllegalArgumentException("the " + hc.kind() + " head needs a backbone (--backbone minilm)");
            encoder = new EmbeddingEncoder(backbone, contextSource(config.context(), hc));
        }
        long t0 = System.nanoTime();
        List<EncodedPair> trainEnc = encoder.encode(trainPairs);
        List<EncodedPair> valEnc = valPairs.isEmpty() ? List.of() : encoder.encode(valPairs);
        if (backbone instanceof dev.prefer.reward.backbone.CachedBackbone cb) cb.flush();
        say.accept(String.format(Locale.ROOT, "encoded %d + %d pairs with %s in %.1f s", trainEnc.size(), valEnc.size(),
                config.backbone(), (System.nanoTime() - t0) / 1e9));
        TreeSet<String> annotators = new TreeSet<>();
        for (PreferencePair p : trainPairs) if (p.annotator() != null) annotators.add(p.annotator());
        PreferenceHead head = Heads.create(hc, encoder.dimension(), encoder.contextDimension(), new ArrayList<>(annotators), config.train().seed());
        HeadTrainer.Result result = HeadTrainer.fit(head, trainEnc, valEnc, config.train().withReward(hc.loss()), e -> {
            if (e.epoch() == 1 || e.epoch() % 10 == 0) {
                say.accept(String.format(Locale.ROOT, "epoch %d train loss %.4f validation loss %.4f", e.epoch(), e.trainLoss(), e.validationLoss()));
            }
        });
        say.accept(String.format(Locale.ROOT, "best epoch %d of %d (validation loss %.4f)", result.bestEpoch(), result.history().size(), result.bestValidationLoss()));
        PairMetrics tm = PairMetrics.of(head, trainEnc);
        PairMetrics vm = valEnc.isEmpty() ? null : PairMetrics.of(head, valEnc);
        return new Outcome(new RewardModel(encoder, head), result, tm, vm, trainEnc.size(), valEnc.size());
    }

    static EmbeddingEncoder.ContextSource contextSource(String context, HeadConfig hc) {
        if (!context.equals("auto")) return EmbeddingEncoder.ContextSource.parse(context);
        boolean reads = hc.contextual() || hc.kind().equals("micro") || hc.kind().equals("gpm");
        return reads ? EmbeddingEncoder.ContextSource.PROMPT : EmbeddingEncoder.ContextSource.NONE;
    }

    static boolean hasAttributes(List<PreferencePair> pairs) {
        for (PreferencePair p : pairs) if (!p.attributes().isEmpty()) return true;
        return false;
    }

    /** "preference" plus every attribute named in the labels (chosen.X / rejected.X / X), sorted. */
    static List<String> attributeNames(List<PreferencePair> pairs) {
        TreeSet<String> names = new TreeSet<>();
        for (PreferencePair p : pairs) {
            for (String k : p.attributes().keySet()) {
                names.add(k.startsWith("chosen.") ? k.substring(7) : k.startsWith("rejected.") ? k.substring(9) : k);
            }
        }
        names.remove(HeadConfig.PREFERENCE);
        List<String> out = new ArrayList<>();
        out.add(HeadConfig.PREFERENCE);
        out.addAll(names);
        return out;
    }

    static List<PreferencePair> withVerbosity(List<PreferencePair> pairs) {
        List<PreferencePair> out = new ArrayList<>(pairs.size());
        for (PreferencePair p : pairs) {
            Map<String, Double> a = new HashMap<>(p.attributes());
            a.put("chosen.verbosity", Math.log1p(NamedFeatureEncoder.words(p.chosen()).size()));
            a.put("rejected.verbosity", Math.log1p(NamedFeatureEncoder.words(p.rejected()).size()));
            out.add(new PreferencePair(p.prompt(), p.chosen(), p.rejected(), p.margin(), p.weight(), p.annotator(), a, p.source()));
        }
        return out;
    }
}
