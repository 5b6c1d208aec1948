package dev.prefer.reward.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.PreferencePair;
import dev.prefer.eval.tasks.ArithmeticTask;
import dev.prefer.eval.tasks.PairBuilder;
import dev.prefer.eval.tasks.ScoredResponses;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A quickstart-style round on any source: K completions per drawn problem, scored by a weighted sum of the verifier
 * and a pairwise LLM judge (a loopback stub that prefers the longer answer), then best-vs-worst pairs.
 */
class ScoredGroupsTest {
    @Test
    void roundOfPairsFromAVerifierPlusAJudge() throws IOException {
        ArithmeticTask task = ArithmeticTask.defaults();
        SplittableRandom rng = new SplittableRandom(7);
        List<Group> groups = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ArithmeticTask.Sum p = task.draw(rng);
            String wrongLong = task.negatives(p, rng, 1).get(0).response() + "\nI am sure."; // fails, but longer
            groups.add(new Group(p.prompt(), List.of(p.reference(), wrongLong, p.reference() + "!"), Map.of()));
        }
        try (JudgeStub stub = new JudgeStub(JudgeSourceTest.LONGER);
             RewardSource judge = new JudgeSource("judge:stub", JudgeSourceTest.config(stub).mode(JudgeConfig.Mode.PAIRWISE).build(), JudgeSourceTest.ENV::get);
             RewardSource sum = new WeightedSum(List.of(new WeightedSum.Part(RewardSources.open("verifier:arithmetic", RewardSources.Options.defaults()), 1),
                     new WeightedSum.Part(judge, 0.5)))) {
            List<ScoredResponses> scored = ScoredGroups.of(sum, groups);
            assertEquals(4, scored.size());
            for (int g = 0; g < 4; g++) {
                ScoredResponses s = scored.get(g);
                // verifier 1, 0, 0 ("47!" is not canonical); judge win rates by length: shortest 0, longest 1, middle 1/2
                assertEquals(List.of(1.0 + 0.5 * 0, 0.0 + 0.5 * 1, 0.0 + 0.5 * 0.5), s.scores(), "group " + g);
                List<PreferencePair> pairs = PairBuilder.defaults().pairs(s);
                assertEquals(1, pairs.size());
                assertEquals(groups.get(g).completions().get(0), pairs.get(0).chosen(), "the verified answer wins");
                assertEquals(groups.get(g).completions().get(2), pairs.get(0).rejected());
                assertEquals(0.75, pairs.get(0).margin(), 1e-12);
            }
            assertTrue(judge.counters().get("judge:stub/requests") == 4 * 6);
        }
    }
}
