package dev.prefer.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.lm.CausalLM;
import dev.prefer.lm.PromptResponse;
import dev.prefer.lm.TokenizedSequence;
import dev.prefer.lm.io.DType;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A score head on a causal LM (the fixture's tiny Llama): what transformers' AutoModelForSequenceClassification makes. */
class ScoreHeadInitTest {
    static final Path LM = Path.of(System.getProperty("prefer.shared")).resolve("fixtures/hf-tiny/llama/policy");

    @Test
    void keepsTheBackboneAndAddsASeededScoreHead(@TempDir Path tmp) {
        Path out = ScoreHeadInit.fromCausalLm(LM, tmp.resolve("rm"), 7);
        assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
        assertTrue(LmRewardModel.isLmFolder(out));
        Map<String, HostTensor> before = SafeTensors.readCheckpoint(LM), after = SafeTensors.readCheckpoint(out);
        for (var e : before.entrySet()) {
            if (e.getKey().equals("lm_head.weight")) {
                assertFalse(after.containsKey("lm_head.weight"));
                continue;
            }
            assertArrayEquals(e.getValue().data(), after.get(e.getKey()).data(), e.getKey());
        }
        float[] w = after.get("score.weight").data();
        assertArrayEquals(new long[] {1, 64}, after.get("score.weight").shape());
        // N(0, initializer_range²) with the config's initializer_range 0.2: the sample sd of 64 draws within 30%
        double ss = 0;
        for (float x : w) ss += x * x;
        assertEquals(0.2, Math.sqrt(ss / w.length), 0.06);
        assertArrayEquals(w, SafeTensors.readCheckpoint(ScoreHeadInit.fromCausalLm(LM, tmp.resolve("same"), 7)).get("score.weight").data());
        assertFalse(Arrays.equals(w, SafeTensors.readCheckpoint(ScoreHeadInit.fromCausalLm(LM, tmp.resolve("other"), 8)).get("score.weight").data()));
        dev.prefer.data.DataException e = assertThrows(dev.prefer.data.DataException.class, () -> ScoreHeadInit.fromCausalLm(out, tmp.resolve("again"), 7));
        assertTrue(e.getMessage().contains("rm/config.json") && e.getMessage().contains("is not a causal LM"), e.getMessage());
    }

    /**
     * With score.weight = lm_head[t1] − lm_head[t2], the reward read at the eos must be the causal LM's
     * log p(t1 | text, eos) − log p(t2 | text, eos) (the logits' difference): the backbone, the position read and the
     * head layout are then all the LM's.
     */
    @Test
    void rewardIsTheLanguageModelsLogitDifferenceWhenTheHeadIsOne(@TempDir Path tmp) {
        Path out = ScoreHeadInit.fromCausalLm(LM, tmp.resolve("rm"), 1);
        LinkedHashMap<String, HostTensor> t = SafeTensors.readCheckpoint(out);
        float[] head = SafeTensors.readCheckpoint(LM).get("lm_head.weight").data();
        int d = 64, t1 = 5, t2 = 17;
        float[] w = new float[d];
        for (int i = 0; i < d; i++) w[i] = head[t1 * d + i] - head[t2 * d + i];
        t.put("score.weight", HostTensor.of("score.weight", new long[] {1, d}, w));
        SafeTensors.write(out.resolve("model.safetensors"), t, Map.of("format", "pt"), DType.F32);
        String prompt = "Q: 12+7=", response = " 19";
        double reward;
        try (LmRewardModel rm = LmRewardModel.load(out)) {
            reward = rm.score(prompt, response);
        }
        try (CausalLM lm = CausalLM.load(LM)) {
            TokenizedSequence s = lm.tokenize(new PromptResponse(prompt, response)); // response ids end with eos
            double[] lp = new double[2];
            int[] next = {t1, t2};
            for (int k = 0; k < 2; k++) {
                long[] r = Arrays.copyOf(s.responseIds(), s.responseIds().length + 1);
                r[r.length - 1] = next[k];
                double[] tok = lm.logpsOfIds(List.of(new TokenizedSequence(s.promptIds(), r)), 1).get(0).tokenLogps();
                lp[k] = tok[tok.length - 1];
            }
            assertEquals(lp[0] - lp[1], reward, 1e-4);
        }
    }
}
