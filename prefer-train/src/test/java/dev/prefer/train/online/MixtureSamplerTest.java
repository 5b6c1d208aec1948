package dev.prefer.train.online;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Generation;
import dev.prefer.lm.GenerationConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Nash-MD's mixture sampler against independent paths: at a vanishing temperature it decodes greedily, so with
 * α = 0 it must reproduce the policy's own greedy decoding ({@link CausalLM#generateIds}, the batched decoder) and with
 * α = 1 the reference's, on prompts of different lengths (left padding). The two fixture models differ, so the
 * limits are distinguishable; sampled rows are reproducible from the seed.
 */
class MixtureSamplerTest {

    @Test
    void limitsAreThePolicyAndTheReferenceGreedyDecodings() {
        try (CausalLM policy = CausalLM.load(OnlineFixtures.llama("policy"));
             CausalLM reference = CausalLM.load(OnlineFixtures.llama("reference"))) {
            List<long[]> prompts = new ArrayList<>();
            for (OnlinePrompt p : OnlineFixtures.prompts(4)) prompts.add(policy.tokenizer().encode(p.prompt()));
            int n = 6;
            List<Generation> pg = policy.generateIds(prompts, GenerationConfig.greedy(n).withStopAtEos(true));
            List<Generation> rg = reference.generateIds(prompts, GenerationConfig.greedy(n).withStopAtEos(true));
            List<Generation> m0 = MixtureSampler.sample(policy, reference, prompts, n, 1e-6, 0.0, 1);
            List<Generation> m1 = MixtureSampler.sample(policy, reference, prompts, n, 1e-6, 1.0, 1);
            boolean differ = false;
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(pg.get(i).newIds(), m0.get(i).newIds(), "alpha 0 = policy greedy, prompt " + i);
                assertArrayEquals(rg.get(i).newIds(), m1.get(i).newIds(), "alpha 1 = reference greedy, prompt " + i);
                assertEquals(pg.get(i).stoppedAtEos(), m0.get(i).stoppedAtEos());
                differ |= !java.util.Arrays.equals(pg.get(i).newIds(), rg.get(i).newIds());
            }
            assertNotEquals(false, differ, "the fixture models decode alike: the limits would not be told apart");
            List<Generation> a = MixtureSampler.sample(policy, reference, prompts, n, 1.0, 0.5, 9);
            List<Generation> b = MixtureSampler.sample(policy, reference, prompts, n, 1.0, 0.5, 9);
            for (int i = 0; i < prompts.size(); i++) assertArrayEquals(a.get(i).newIds(), b.get(i).newIds(), "seeded rows repeat");
        }
    }

    @Test
    void drawFollowsTheTemperedDistribution() {
        double[] logProbs = {Math.log(0.5), Math.log(0.3), Math.log(0.2)};
        SplittableRandom rng = new SplittableRandom(4);
        int[] count = new int[3];
        int n = 200_000;
        for (int i = 0; i < n; i++) count[MixtureSampler.draw(logProbs, 0, 3, 1.0, rng)]++;
        for (int j = 0; j < 3; j++) assertEquals(Math.exp(logProbs[j]), (double) count[j] / n, 0.005, "token " + j);
        // temperature 2: p^(1/2) renormalised
        double z = Math.sqrt(0.5) + Math.sqrt(0.3) + Math.sqrt(0.2);
        count = new int[3];
        for (int i = 0; i < n; i++) count[MixtureSampler.draw(logProbs, 0, 3, 2.0, rng)]++;
        assertEquals(Math.sqrt(0.2) / z, (double) count[2] / n, 0.005);
    }
}
