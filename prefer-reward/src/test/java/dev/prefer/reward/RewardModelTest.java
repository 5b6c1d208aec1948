package dev.prefer.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.data.PreferencePair;
import dev.prefer.data.Source;
import dev.prefer.reward.head.HeadConfig;
import dev.prefer.train.TrainConfig;
import dev.prefer.train.TrainData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Train, save, load, score and rerank through the public API, on text with a hashing backbone (fast). */
class RewardModelTest {
    static final String[] GOOD = {"Here is a clear and helpful answer with steps.", "Sure, here are the steps you asked for.",
            "A helpful explanation with an example follows.", "Happy to help: here is how it works."};
    static final String[] BAD = {"I refuse, go away.", "No. Figure it out yourself.", "Whatever, not my problem.",
            "Go away, I will not answer."};

    /** Pairs where a "good" answer beats a "bad" one; annotators alternate; some carry attribute labels. */
    static List<PreferencePair> pairs(int n, long seed) {
        Random rnd = new Random(seed);
        List<PreferencePair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String prompt = "Question " + rnd.nextInt(20) + ": how do I do task " + rnd.nextInt(5) + "?";
            String g = GOOD[rnd.nextInt(GOOD.length)] + " (" + rnd.nextInt(3) + ")";
            String b = BAD[rnd.nextInt(BAD.length)];
            out.add(new PreferencePair(prompt, g, b, 1.0, 1.0, i % 2 == 0 ? "ann-x" : "ann-y", Map.of(), new Source("mem", i + 1)));
        }
        return out;
    }

    static RewardTraining.Outcome train(String kind, List<PreferencePair> data) {
        HeadConfig hc = HeadConfig.defaults(kind).withHidden(8).withLatent(4);
        TrainConfig tc = HeadTrainer.defaults().toBuilder().epochs(40).learningRate(0.05).build();
        return RewardTraining.train(data, null, new RewardTraining.Config("hash-64", hc, tc, "auto", true), Backbones.Options.inMemory(1), null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bt", "mlp", "pal", "micro", "gpm", "classifier", "multi", "linear"})
    void savedModelLoadsBackToIdenticalScores(String kind, @TempDir Path dir) {
        List<PreferencePair> data = pairs(120, 1);
        RewardTraining.Outcome o = train(kind, data);
        RewardModel m = o.model();
        assertTrue(o.validation().accuracy() > 0.9, kind + " learns the obvious preference: " + o.validation());
        m.save(dir, Manifest.of("reward-model", Map.of("head", kind), 42L));
        RewardModel back = RewardModel.load(dir, Backbones.Options.inMemory(1));
        assertArrayEquals(m.head().parameters(), back.head().parameters(), "parameters round-trip exactly");
        List<String> cands = List.of(GOOD[0], BAD[1], GOOD[2], "something else entirely");
        for (String ann : new String[] {null, "ann-x"}) {
            List<RewardModel.Ranked> a = m.rerank("Question 3: how?", cands, ann);
            List<RewardModel.Ranked> b = back.rerank("Question 3: how?", cands, ann);
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).index(), b.get(i).index());
                assertEquals(a.get(i).score(), b.get(i).score(), 0.0, "identical score after loading");
            }
            assertEquals(m.preferenceProbability("q", GOOD[1], BAD[2], ann), back.preferenceProbability("q", GOOD[1], BAD[2], ann), 0.0);
        }
        assertTrue(Files.exists(dir.resolve("manifest.json")));
        // the loaded model reproduces the validation accuracy measured at training time (same seeded split)
        assertEquals(o.validation().accuracy(), back.evaluate(splitValidation(data)).accuracy(), 0.0);
    }

    static List<PreferencePair> splitValidation(List<PreferencePair> data) {
        return TrainData.split(data, HeadTrainer.defaults().data().evalFraction(), HeadTrainer.defaults().seed()).get(1);
    }

    @Test
    void bestOfNPicksTheHelpfulAnswer() {
        RewardModel m = train("bt", pairs(120, 2)).model();
        List<String> cands = List.of(BAD[0], BAD[3], GOOD[3], BAD[2]);
        RewardModel.Ranked best = m.best("Question 1: how do I do task 2?", cands, null);
        assertEquals(2, best.index());
        assertEquals(m.score("Question 1: how do I do task 2?", GOOD[3]), best.score(), 0.0);
    }

    @Test
    void linearHeadExposesNamedFeatures() {
        RewardModel m = train("linear", pairs(120, 3)).model();
        NamedFeatureEncoder e = (NamedFeatureEncoder) m.encoder();
        assertEquals(e.dimension(), e.names().size());
        assertTrue(e.names().contains("refusal") && e.names().contains("relevance"));
    }

    @Test
    void loadingSomethingElseFailsWithALocatedMessage(@TempDir Path dir) throws Exception {
        DataException e = assertThrows(DataException.class, () -> RewardModel.load(dir, Backbones.Options.inMemory(1)));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
        Files.writeString(dir.resolve("config.json"), Json.pretty(Map.of("format", "other")));
        e = assertThrows(DataException.class, () -> RewardModel.load(dir, Backbones.Options.inMemory(1)));
        assertTrue(e.getMessage().contains("not a Prefer reward model"), e.getMessage());
    }

    /** Annotators "pos-*" prefer the helpful answer, "neg-*" the rude one; a new "neg" annotator is placed from 10 pairs. */
    @Test
    void newAnnotatorAdaptsThroughTheModelApi() {
        List<PreferencePair> data = new ArrayList<>();
        int i = 0;
        for (PreferencePair p : pairs(160, 5)) {
            boolean neg = i % 2 == 1;
            String who = (neg ? "neg-" : "pos-") + (i % 6);
            data.add(neg ? new PreferencePair(p.prompt(), p.rejected(), p.chosen(), null, 1, who, Map.of(), p.source())
                    : new PreferencePair(p.prompt(), p.chosen(), p.rejected(), null, 1, who, Map.of(), p.source()));
            i++;
        }
        HeadConfig hc = HeadConfig.defaults("pal").withLatent(4);
        TrainConfig tc = HeadTrainer.defaults().toBuilder().epochs(60).learningRate(0.05).build();
        RewardModel m = RewardTraining.train(data, List.of(), new RewardTraining.Config("hash-64", hc, tc, "auto", true),
                Backbones.Options.inMemory(1), null).model();
        List<PreferencePair> ten = new ArrayList<>();
        for (PreferencePair p : pairs(10, 6)) ten.add(new PreferencePair(p.prompt(), p.rejected(), p.chosen(), null, 1, null, Map.of(), p.source()));
        RewardModel adapted = m.withNewAnnotator("neg-new", ten, tc);
        List<String> cands = List.of(GOOD[1], BAD[0]);
        assertEquals(0, adapted.best("Question 9: how do I do task 1?", cands, "pos-0").index());
        assertEquals(1, adapted.best("Question 9: how do I do task 1?", cands, "neg-new").index(), "the new annotator is placed with the neg group");
    }

    @Test
    void directionNeedsAMultiHead() {
        RewardModel m = train("bt", pairs(40, 4)).model();
        assertThrows(IllegalArgumentException.class, () -> m.setDirection(Map.of("preference", 1.0)));
    }
}
