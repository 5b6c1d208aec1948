package dev.prefer.reward.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.PreferencePair;
import dev.prefer.eval.tasks.PairBuilder;
import dev.prefer.eval.tasks.ScoredResponses;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Generation;
import dev.prefer.lm.GenerationConfig;
import dev.prefer.reward.Backbones;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One on-policy round as the quickstart runs it (sample K completions per prompt from the policy, score, build
 * best-vs-worst pairs), with every kind of reward source in turn: the verifier, the fixture's LM reward model as
 * rewards and as win rates, a pointwise LLM judge on a loopback stub, and their weighted sum.
 */
class QuickstartStyleRoundTest {
    static final Path SHARED = Path.of(System.getProperty("prefer.shared"));
    static final int K = 4;

    @Test
    void sampleScorePairWithEverySource() throws Exception {
        List<String> prompts = List.of("12+35=", "07+08=", "40+02=");
        List<Group> groups = new ArrayList<>();
        try (CausalLM policy = CausalLM.load(SHARED.resolve("fixtures/hf-tiny/llama/policy"))) {
            List<String> batch = new ArrayList<>();
            for (String p : prompts) for (int k = 0; k < K; k++) batch.add(p);
            List<Generation> gen = policy.generate(batch, GenerationConfig.sample(6, 1.0, 0, 1.0, 17));
            for (int i = 0; i < prompts.size(); i++) {
                List<String> texts = new ArrayList<>();
                for (int k = 0; k < K; k++) texts.add(gen.get(i * K + k).text());
                // the policy is an untrained tiny model: one verified answer per group makes the verifier's pairs
                texts.set(K - 1, String.valueOf(eval(prompts.get(i))));
                groups.add(new Group(prompts.get(i), texts));
            }
        }
        Path rm = SHARED.resolve("fixtures/hf-tiny-rm/llama-rm");
        RewardSources.Options o = RewardSources.Options.defaults().withBackbone(Backbones.Options.inMemory(1));
        // the judge rates a bare number 9 and anything else 2
        try (JudgeStub stub = new JudgeStub((body, n) -> JudgeStub.Reply.ok(JudgeStub.between(JudgeStub.user(body),
                "[The Start of Assistant's Answer]", "[The End of Assistant's Answer]").matches("\\d+") ? "[[9]]" : "[[2]]"))) {
            String judge = "judge:" + stub.endpoint() + "?model=stub&cache=none&name=judge";
            for (List<String> specs : List.of(List.of("verifier:arithmetic"), List.of("model:" + rm), List.of("pairwise:" + rm), List.of(judge),
                    List.of("verifier:arithmetic", "0.5*model:" + rm, "0.25*pairwise:" + rm, "0.1*" + judge))) {
                try (RewardSource source = RewardSources.open(specs, null, o)) {
                    List<GroupScores> scores = source.scoreAll(groups);
                    int pairCount = 0;
                    for (int g = 0; g < groups.size(); g++) {
                        ScoredResponses s = ScoredGroups.of(groups.get(g), scores.get(g));
                        assertEquals(K, s.responses().size());
                        for (PreferencePair p : PairBuilder.defaults().pairs(s)) {
                            pairCount++;
                            double chosen = s.scores().get(s.responses().indexOf(p.chosen()));
                            double rejected = s.scores().get(s.responses().indexOf(p.rejected()));
                            assertTrue(chosen > rejected, specs + ": chosen has the higher reward");
                            assertEquals(chosen - rejected, p.margin(), 1e-12);
                            assertEquals(groups.get(g).prompt(), p.prompt());
                        }
                    }
                    assertEquals(groups.size(), pairCount, specs + ": one best-vs-worst pair per prompt");
                    if (specs.equals(List.of("verifier:arithmetic")) || specs.equals(List.of(judge))) {
                        for (int g = 0; g < groups.size(); g++) {
                            List<PreferencePair> pairs = PairBuilder.defaults().pairs(ScoredGroups.of(groups.get(g), scores.get(g)));
                            assertEquals(groups.get(g).completions().get(K - 1), pairs.get(0).chosen(), specs + ": the verified answer is chosen");
                        }
                    }
                }
            }
            assertEquals(2 * prompts.size() * K, stub.requests(), "the judge alone, then in the sum: K requests per prompt each time");
        }
    }

    static int eval(String prompt) {
        String[] ab = prompt.substring(0, prompt.length() - 1).split("\\+");
        return Integer.parseInt(ab[0]) + Integer.parseInt(ab[1]);
    }
}
