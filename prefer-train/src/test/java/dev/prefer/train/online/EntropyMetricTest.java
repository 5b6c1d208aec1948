package dev.prefer.train.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.lm.CausalLM;
import dev.prefer.lm.SequenceLogps;
import dev.prefer.lm.TokenizedSequence;
import dev.prefer.train.TrainConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@code entropy} metric (TRL's name: mean per-token entropy of the policy over completion tokens) against an
 * independent computation: the next-token distribution at each completion position is rebuilt token by token with
 * the host path {@code CausalLM.logpsOfIds} (float64 log-softmax, one sequence per candidate token v, no gathering of
 * a stored distribution), and −Σ_v p_v log p_v averaged over the completion tokens. Checked for a policy-gradient
 * method (GRPO) and a pairwise one (DNO, whose metric covers the chosen and rejected completions).
 */
class EntropyMetricTest {

    @ParameterizedTest
    @EnumSource(value = OnlineConfig.Method.class, names = {"GRPO", "DNO"})
    void entropyEqualsTheDistributionRebuiltTokenByToken(OnlineConfig.Method method) {
        try (CausalLM policy = CausalLM.load(OnlineFixtures.llama("policy"))) {
            TrainConfig c = TrainConfig.builder(TrainConfig.Task.PREFERENCE).objective("dpo", Map.of("beta", 0.1)).learningRate(1e-3)
                    .batchSize(1).maxSteps(1).seed(3).build();
            OnlineConfig o = OnlineConfig.builder(method).numGenerations(2).maxCompletionLength(3).margin(0).build();
            int v = policy.config().vocabSize();
            try (OnlineTrainer.Run run = new OnlineTrainer.Run(policy, null, c, o, OnlineFixtures.prompts(2), List.of(),
                    List.of(OnlineFixtures.letterE()), null)) {
                run.gb = run.generate(0);
                List<TokenizedSequence> seqs = run.gb.seqs();
                if (method == OnlineConfig.Method.DNO) {
                    assertTrue(run.gb.pairs().size() > 0, "no pair to train on; pick another seed");
                    seqs = List.of(seqs.get(run.gb.pairs().chosen()[0]), seqs.get(run.gb.pairs().rejected()[0]));
                }
                double sum = 0;
                int count = 0;
                for (TokenizedSequence s : seqs) {
                    long[] prompt = s.promptIds(), resp = s.responseIds();
                    for (int j = 0; j < resp.length; j++) {
                        List<TokenizedSequence> cand = new ArrayList<>(v);
                        for (int tok = 0; tok < v; tok++) {
                            long[] r = Arrays.copyOf(resp, j + 1);
                            r[j] = tok;
                            cand.add(new TokenizedSequence(prompt, r));
                        }
                        List<SequenceLogps> lp = policy.logpsOfIds(cand, 64, true);
                        double h = 0, z = 0;
                        for (SequenceLogps l : lp) {
                            double[] tl = l.tokenLogps();
                            double x = tl[tl.length - 1];
                            h -= Math.exp(x) * x;
                            z += Math.exp(x);
                        }
                        assertEquals(1.0, z, 1e-6, "the rebuilt distribution sums to 1 (float32 logits)");
                        sum += h;
                        count++;
                    }
                }
                double expected = sum / count;
                Map<String, Object> row = run.trainStep(0, 1e-3);
                double got = ((Number) row.get("entropy")).doubleValue();
                System.out.printf("%s entropy %.6f (rebuilt %.6f over %d tokens)%n", method, got, expected, count);
                assertEquals(expected, got, 1e-4 * Math.max(1, expected));
            }
        }
    }
}
