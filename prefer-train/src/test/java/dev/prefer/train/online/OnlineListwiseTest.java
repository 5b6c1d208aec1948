package dev.prefer.train.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Generation;
import dev.prefer.lm.SequenceLogps;
import dev.prefer.lm.TokenizedSequence;
import dev.prefer.objectives.Batch;
import dev.prefer.objectives.Layout;
import dev.prefer.objectives.Objective;
import dev.prefer.objectives.ObjectiveCatalog;
import dev.prefer.train.TrainConfig;
import dev.prefer.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Online DPO with the catalog's listwise objectives on the hf-tiny Llama fixture: each prompt's G completions form
 * one list ranked by the reward (the share of the letter e), labels = reward minus the list's lowest, all-tied lists
 * dropped. For every listwise objective of the catalog: the loss the trainer back-propagates on a generation batch
 * after one update on it (the step run twice; two gradient-accumulation chunks of lists) equals the objective's double twin ({@link Objective#loss(Batch)}) on lists
 * rebuilt here from the completions' text, with sequence log-probs from the host path {@code CausalLM.logpsOfIds};
 * and a two-step run through {@link OnlineTrainer#train} trains (finite losses, weights moved).
 */
class OnlineListwiseTest {

    static List<String> listwise() {
        // the catalog's own listing (`prefer objectives`): name, then layout
        List<String> out = new ArrayList<>();
        for (String line : ObjectiveCatalog.textTable().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 1 && f[1].equals(Layout.LISTS.name().toLowerCase(java.util.Locale.ROOT))) out.add(f[0]);
        }
        assertTrue(out.size() >= 3, "listwise objectives of the catalog: " + out);
        return out;
    }

    @ParameterizedTest
    @MethodSource("listwise")
    void secondStepLossEqualsTheTwin(String name) {
        try (CausalLM policy = CausalLM.load(OnlineFixtures.llama("policy"));
             CausalLM reference = CausalLM.load(OnlineFixtures.llama("reference"))) {
            int b = 4, g = 4;
            double lr = 2e-2;
            TrainConfig c = TrainConfig.builder(TrainConfig.Task.PREFERENCE).objective(name, Map.of()).learningRate(lr)
                    .schedule(TrainConfig.Schedule.CONSTANT, 0).batchSize(b).gradAccumulation(2).maxSteps(2).seed(11).maxGradNorm(0).build();
            OnlineConfig o = OnlineConfig.builder(OnlineConfig.Method.ONLINE_DPO).numGenerations(g).maxCompletionLength(6).build();
            RewardFunction reward = OnlineFixtures.letterE();
            try (OnlineTrainer.Run run = new OnlineTrainer.Run(policy, reference, c, o, OnlineFixtures.prompts(6), List.of(), List.of(reward), null)) {
                run.gb = run.generate(0);
                List<Generation> gens = run.gb.generations();
                // the lists, by hand: rewards from the text, all-tied prompts dropped, labels minus the lowest
                List<TokenizedSequence> rows = new ArrayList<>();
                List<Double> labels = new ArrayList<>();
                int lists = 0;
                for (int q = 0; q < b; q++) {
                    double[] r = new double[g];
                    double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
                    for (int j = 0; j < g; j++) {
                        String s = gens.get(q * g + j).text();
                        r[j] = s.isEmpty() ? 0 : (double) s.chars().filter(ch -> ch == 'e').count() / s.length();
                        lo = Math.min(lo, r[j]);
                        hi = Math.max(hi, r[j]);
                    }
                    if (hi == lo) continue;
                    lists++;
                    for (int j = 0; j < g; j++) {
                        Generation gen = gens.get(q * g + j);
                        rows.add(new TokenizedSequence(gen.promptIds(), gen.newIds()));
                        labels.add(r[j] - lo);
                    }
                }
                assertTrue(lists >= 2, "fewer than two untied lists; pick another seed");
                double[] ref = sums(reference.logpsOfIds(rows, 16));
                Map<String, Object> first = run.trainStep(0, lr); // the first update
                assertEquals((double) lists, ((Number) first.get("lists")).doubleValue(), "lists kept: " + first);
                double[] now = sums(policy.logpsOfIds(rows, 16));
                double[] tokens = new double[rows.size()];
                for (int i = 0; i < tokens.length; i++) tokens[i] = rows.get(i).responseIds().length;
                double[] lab = labels.stream().mapToDouble(Double::doubleValue).toArray();
                Objective twin = ObjectiveCatalog.create(name, Map.of());
                double expected = twin.loss(Batch.lists(g, now, ref, lab).withTokens(tokens)).value();
                Map<String, Object> row = run.trainStep(0, lr); // online DPO takes one step per batch: the same batch again, by hand
                double got = ((Number) row.get("loss")).doubleValue();
                System.out.printf("online %s: loss %.6f, twin %.6f (%d lists)%n", name, got, expected, lists);
                assertEquals(expected, got, 1e-5 * Math.max(1, Math.abs(expected)), "trainer loss vs twin " + row);
                assertNotEquals(((Number) first.get("loss")).doubleValue(), got, "the first update changed nothing");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("listwise")
    void trainsTwoOnlineSteps(String name) {
        try (CausalLM policy = CausalLM.load(OnlineFixtures.llama("policy"));
             CausalLM reference = CausalLM.load(OnlineFixtures.llama("policy"))) {
            float[] before = policy.parameters().values().iterator().next().toFloatArray();
            TrainConfig c = TrainConfig.builder(TrainConfig.Task.PREFERENCE).objective(name, Map.of()).learningRate(1e-2)
                    .schedule(TrainConfig.Schedule.CONSTANT, 0).batchSize(4).maxSteps(2).seed(5).build();
            OnlineConfig o = OnlineConfig.builder(OnlineConfig.Method.ONLINE_DPO).numGenerations(4).maxCompletionLength(6).build();
            Trainer.TrainResult r = OnlineTrainer.train(policy, reference, c, o, OnlineFixtures.prompts(12), List.of(),
                    List.of(OnlineFixtures.letterE()), null);
            assertEquals(2, r.history().size());
            double lists = 0;
            for (Map<String, Object> h : r.history()) {
                double l = ((Number) h.get("loss")).doubleValue();
                assertTrue(Double.isFinite(l), name + " loss " + h);
                assertFalse(h.containsKey("pairs"), "a listwise run logs lists, not pairs: " + h);
                lists += ((Number) h.get("lists")).doubleValue();
            }
            assertTrue(lists > 0, name + ": no list in two steps");
            float[] after = policy.parameters().values().iterator().next().toFloatArray();
            assertFalse(java.util.Arrays.equals(before, after), name + ": weights unchanged after two steps");
        }
    }

    @Test
    void listwiseObjectivesAreForOnlineDpoOnly() {
        try (CausalLM policy = CausalLM.load(OnlineFixtures.llama("policy"))) {
            TrainConfig c = TrainConfig.builder(TrainConfig.Task.PREFERENCE).objective("plackett-luce", Map.of()).batchSize(2).maxSteps(1).build();
            OnlineConfig o = OnlineConfig.builder(OnlineConfig.Method.DNO).numGenerations(4).maxCompletionLength(4).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OnlineTrainer.train(policy, null, c, o, OnlineFixtures.prompts(4), List.of(), List.of(OnlineFixtures.letterE()), null));
            assertTrue(e.getMessage().contains("dno takes a pairwise objective"), e.getMessage());
        }
    }

    static double[] sums(List<SequenceLogps> lp) {
        double[] out = new double[lp.size()];
        for (int i = 0; i < out.length; i++) out[i] = lp.get(i).sum();
        return out;
    }
}
