package dev.prefer.objectives;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The numbers transformers computed for ../shared/fixtures/hf-tiny (per-pair policy and reference log-probs with
 * dpo_sigmoid_loss, ipo_loss_mean_logps and hinge_loss at β = 0.1, implicit rewards, and the mean DPO loss):
 * the double twins and the tensor forms must reproduce them.
 */
class HfTinyFixtureTest {
    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = Fixtures.manager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void lossesAndRewardsMatchTransformers(String arch) throws Exception {
        JsonNode exp = Fixtures.json(Fixtures.SHARED.resolve("fixtures/hf-tiny/" + arch + "/expected.json"));
        double beta = exp.get("beta").asDouble();
        JsonNode ex = exp.get("examples");
        int n = ex.size();
        double[] pc = new double[n], pr = new double[n], rc = new double[n], rr = new double[n];
        int[] nc = new int[n], nr = new int[n];
        for (int i = 0; i < n; i++) {
            JsonNode e = ex.get(i);
            pc[i] = e.get("policy_chosen_logps").asDouble();
            pr[i] = e.get("policy_rejected_logps").asDouble();
            rc[i] = e.get("reference_chosen_logps").asDouble();
            rr[i] = e.get("reference_rejected_logps").asDouble();
            nc[i] = e.get("chosen_ids").size();
            nr[i] = e.get("rejected_ids").size();
        }
        Batch b = Batch.pairs(pc, pr, rc, rr).withPairTokens(nc, nr);
        Objective dpo = new Dpo(beta);
        Objective ipoMean = new LengthNormalized(new Ipo(beta));
        Objective hinge = new Hinge(beta);
        double[] dpoL = dpo.groupLosses(b);
        double[] ipoL = ipoMean.groupLosses(b);
        double[] hingeL = hinge.groupLosses(b);
        double[] rewards = dpo.rewardForm().rewards(b);
        for (int i = 0; i < n; i++) {
            JsonNode e = ex.get(i);
            String at = arch + " example " + i;
            assertEquals(e.get("dpo_sigmoid_loss").asDouble(), dpoL[i], 1e-9, at);
            assertEquals(e.get("ipo_loss_mean_logps").asDouble(), ipoL[i], 1e-9 * Math.max(1, ipoL[i]), at);
            assertEquals(e.get("hinge_loss").asDouble(), hingeL[i], 1e-9, at);
            assertEquals(e.get("implicit_reward_chosen").asDouble(), rewards[2 * i], 1e-9, at);
            assertEquals(e.get("implicit_reward_rejected").asDouble(), rewards[2 * i + 1], 1e-9, at);
        }
        assertEquals(exp.get("dpo_sigmoid_loss_mean").asDouble(), dpo.loss(b).value(), 1e-9);
        // Tensor forms: float64 to 1e-9, float32 to the fixture README's 1e-5 for losses.
        double ipoMeanLoss = ipoMean.loss(b).value();
        assertEquals(exp.get("dpo_sigmoid_loss_mean").asDouble(), Fixtures.tensorLoss(manager, dpo, b, DataType.FLOAT64), 1e-9);
        assertEquals(exp.get("dpo_sigmoid_loss_mean").asDouble(), Fixtures.tensorLoss(manager, dpo, b, DataType.FLOAT32), 1e-5);
        assertEquals(ipoMeanLoss, Fixtures.tensorLoss(manager, ipoMean, b, DataType.FLOAT64), 1e-9 * Math.max(1, ipoMeanLoss));
        assertEquals(hinge.loss(b).value(), Fixtures.tensorLoss(manager, hinge, b, DataType.FLOAT64), 1e-9);
    }
}
