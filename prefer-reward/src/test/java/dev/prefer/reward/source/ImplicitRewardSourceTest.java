package dev.prefer.reward.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code pairwise:DIR?ref=REF&beta=B}: DPO's implicit reward as a pairwise judge, against transformers' numbers in
 * ../shared/fixtures/hf-tiny/llama/expected.json (implicit_reward_chosen/rejected = β (log π − log π_ref) of the
 * fixture's pairs, made by transformers).
 */
class ImplicitRewardSourceTest {
    static final Path F = Path.of(System.getProperty("prefer.shared")).resolve("fixtures/hf-tiny");

    @Test
    void winProbabilitiesAreSigmoidsOfTransformersImplicitRewards() throws Exception {
        JsonNode expected = Json.MAPPER.readTree(F.resolve("llama/expected.json").toFile());
        List<String> pairs = Files.readAllLines(F.resolve("pairs.jsonl"));
        String spec = "pairwise:" + F.resolve("llama/policy") + "?ref=" + F.resolve("llama/reference") + "&beta=" + expected.get("beta").asDouble();
        try (RewardSource judge = RewardSources.open(spec, RewardSources.Options.defaults())) {
            assertTrue(judge instanceof ImplicitRewardSource, judge.getClass().toString());
            for (int i = 0; i < 3; i++) {
                JsonNode pair = Json.MAPPER.readTree(pairs.get(i)), e = expected.get("examples").get(i);
                String c = pair.get("chosen").asText(), r = pair.get("rejected").asText();
                double[] rewards = ((ImplicitRewardSource) judge).rewards(List.of(new dev.prefer.lm.PromptResponse(pair.get("prompt").asText(), c),
                        new dev.prefer.lm.PromptResponse(pair.get("prompt").asText(), r)));
                assertEquals(e.get("implicit_reward_chosen").asDouble(), rewards[0], 1e-5, "example " + i);
                assertEquals(e.get("implicit_reward_rejected").asDouble(), rewards[1], 1e-5, "example " + i);
                // a group of (chosen, rejected, chosen): P = σ(r_i − r_j), identical completions tie, win rates from it
                GroupScores g = judge.score(new Group(pair.get("prompt").asText(), List.of(c, r, c), Map.of()));
                double u = e.get("implicit_reward_chosen").asDouble() - e.get("implicit_reward_rejected").asDouble();
                double p = 1 / (1 + Math.exp(-u));
                assertEquals(p, g.winProbabilities()[0][1], 1e-5);
                assertEquals(1 - p, g.winProbabilities()[1][2], 1e-5);
                assertEquals(0.5, g.winProbabilities()[0][2], 0.0);
                assertEquals((p + 0.5) / 2, g.rewards()[0], 1e-5);
                assertEquals(1 - p, g.rewards()[1], 1e-5);
            }
        }
    }

    /** SimPO's reference-free reward (β/|y|) log π(y|x), |y| counting the eos, from transformers' summed log-probs. */
    @Test
    void simpoRewardIsTheLengthNormalisedLikelihood() throws Exception {
        JsonNode expected = Json.MAPPER.readTree(F.resolve("llama/expected.json").toFile());
        List<String> pairs = Files.readAllLines(F.resolve("pairs.jsonl"));
        try (RewardSource judge = RewardSources.open("pairwise:" + F.resolve("llama/policy") + "?implicit=simpo&beta=2", RewardSources.Options.defaults())) {
            for (int i = 0; i < 3; i++) {
                JsonNode pair = Json.MAPPER.readTree(pairs.get(i)), e = expected.get("examples").get(i);
                double[] r = ((ImplicitRewardSource) judge).rewards(List.of(new dev.prefer.lm.PromptResponse(pair.get("prompt").asText(), pair.get("chosen").asText()),
                        new dev.prefer.lm.PromptResponse(pair.get("prompt").asText(), pair.get("rejected").asText())));
                assertEquals(2 * e.get("policy_chosen_logps").asDouble() / e.get("chosen_ids").size(), r[0], 1e-4, "example " + i);
                assertEquals(2 * e.get("policy_rejected_logps").asDouble() / e.get("rejected_ids").size(), r[1], 1e-4, "example " + i);
            }
        }
    }

    @Test
    void badSpecsSayWhy() {
        Path policy = F.resolve("llama/policy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RewardSources.open("pairwise:" + policy + "?ref=/no/such/dir", RewardSources.Options.defaults()));
        assertTrue(e.getMessage().contains("no such reference folder"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RewardSources.open("pairwise:" + policy + "?ref=" + policy + "&beta=0", RewardSources.Options.defaults()));
        assertTrue(e.getMessage().contains("beta must be > 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RewardSources.open("pairwise:" + policy + "?implicit=simpo&ref=" + policy, RewardSources.Options.defaults()));
        assertTrue(e.getMessage().contains("has no reference"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RewardSources.open("pairwise:" + policy + "?implicit=dpo", RewardSources.Options.defaults()));
        assertTrue(e.getMessage().contains("needs ref="), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RewardSources.open("model:" + policy + "?beta=0.1", RewardSources.Options.defaults()));
        assertTrue(e.getMessage().contains("unknown key 'beta'"), e.getMessage());
    }
}
