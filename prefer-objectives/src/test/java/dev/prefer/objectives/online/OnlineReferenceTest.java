package dev.prefer.objectives.online;

import static dev.prefer.objectives.online.OnlineFixtures.doubles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.objectives.online.Advantages.ScaleRewards;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The online advantages and losses against independent numbers: src/test/python/online_ref.py (PyTorch 1.13, float64,
 * written after TRL's GRPO/RLOO/Nash-MD trainers, OpenRLHF's experience maker and the SPPO authors' code) printed
 * online-reference-numbers.json, committed beside this test. Double twins match to 1e-12, the float64 tensor forms to
 * 1e-12 and the float32 tensor forms to 1e-6 (relative to max(1, |value|)); autograd gradients of the tensor forms
 * and central finite differences of the double twins match the reference script's autograd gradients.
 */
class OnlineReferenceTest {
    static NDManager manager;
    static JsonNode ref;
    static JsonNode batch;

    @BeforeAll
    static void open() throws Exception {
        manager = OnlineFixtures.manager();
        ref = OnlineFixtures.reference();
        batch = ref.get("batch");
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static double tol(double scale, double expected) {
        return scale * Math.max(1, Math.abs(expected));
    }

    /** The script's batch, configured as one of its cases. */
    static OnlineBatch batchFor(JsonNode config) {
        int b = batch.get("b").asInt(), t = batch.get("t").asInt();
        OnlineBatch h = OnlineBatch.of(b, t, doubles(batch.get("logps")), doubles(batch.get("mask")))
                .withRefLogps(doubles(batch.get("ref"))).withEntropies(doubles(batch.get("entropies")));
        if (!config.path("first_iteration").asBoolean(false)) h = h.withOldLogps(doubles(batch.get("old")));
        h = h.withAdvantages(doubles(batch.get(config.path("advantages").asText("advantages"))));
        if (config.path("mask_truncated").asBoolean(false)) {
            JsonNode tr = batch.get("truncated");
            boolean[] truncated = new boolean[tr.size()];
            for (int i = 0; i < truncated.length; i++) truncated[i] = tr.get(i).asBoolean();
            h = h.maskTruncated(truncated);
        }
        return h.withTokensInBatch(config.path("items").asDouble(40.0));
    }

    static GrpoLoss grpoFor(JsonNode c) {
        GrpoLoss.Aggregation agg = GrpoLoss.Aggregation.valueOf(c.path("loss_type").asText("grpo").toUpperCase());
        GrpoLoss.RatioLevel level = GrpoLoss.RatioLevel.valueOf(c.path("level").asText("token").toUpperCase());
        double delta = c.hasNonNull("delta") ? c.get("delta").asDouble() : Double.NaN;
        return new GrpoLoss(agg, level, c.path("eps_low").asDouble(0.2), c.path("eps_high").asDouble(0.28), delta,
                c.path("beta").asDouble(0.04), c.path("max_len").asInt(8), true);
    }

    static Stream<String> grpoCases() throws Exception {
        List<String> names = new ArrayList<>();
        OnlineFixtures.reference().get("grpo").fieldNames().forEachRemaining(names::add);
        return names.stream();
    }

    /** Value, metrics and gradients of one loss against one reference case. */
    static void check(String label, OnlineLoss loss, OnlineBatch h, JsonNode expected) {
        double v = expected.get("loss").asDouble();
        OnlineLoss.Value twin = loss.loss(h);
        assertEquals(v, twin.value(), tol(1e-12, v), label + " (double twin)");
        assertEquals(v, OnlineFixtures.tensorLoss(manager, loss, h, DataType.FLOAT64), tol(1e-12, v), label + " (tensor, float64)");
        assertEquals(v, OnlineFixtures.tensorLoss(manager, loss, h, DataType.FLOAT32), tol(1e-6, v), label + " (tensor, float32)");
        if (expected.has("metrics")) {
            Map<String, Double> m = twin.metrics();
            expected.get("metrics").fields().forEachRemaining(e ->
                    assertEquals(e.getValue().asDouble(), m.get(e.getKey()), 1e-12, label + " metric " + e.getKey()));
            assertEquals(expected.get("metrics").size(), m.size(), label + " metric names " + m.keySet());
            try (NDManager step = manager.newSubManager()) {
                Map<String, Double> tm = loss.loss(OnlineTensorBatch.of(step, h, DataType.FLOAT64)).metrics();
                assertEquals(m, tm, label + " tensor-form metrics");
            }
        }
        double[] g = doubles(expected.get("grad"));
        double[] g64 = OnlineFixtures.autograd(manager, loss, h, DataType.FLOAT64);
        double[] g32 = OnlineFixtures.autograd(manager, loss, h, DataType.FLOAT32);
        double[] fd = OnlineFixtures.finiteDifferences(loss, h);
        for (int i = 0; i < g.length; i++) {
            assertEquals(g[i], g64[i], tol(1e-12, g[i]), label + " autograd float64 [" + i + "]");
            assertEquals(g[i], g32[i], tol(1e-6, g[i]), label + " autograd float32 [" + i + "]");
            assertEquals(g[i], fd[i], tol(1e-7, g[i]), label + " finite differences of the twin [" + i + "]");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("grpoCases")
    void grpoFamily(String name) {
        JsonNode c = ref.get("grpo").get(name);
        check(name, grpoFor(c.get("config")), batchFor(c.get("config")), c);
    }

    @Test
    void rloo() {
        for (String name : List.of("clip", "clip-asym", "plain")) {
            JsonNode c = ref.get("rloo").get(name);
            JsonNode cfg = c.get("config");
            OnlineLoss loss = new RlooLoss(cfg.path("eps_low").asDouble(0.2), cfg.path("eps_high").asDouble(0.2), cfg.path("clip").asBoolean(true));
            String adv = name.equals("clip-asym") ? "advantages" : "advantages_alt";
            OnlineBatch h = batchFor(Json(adv)).withTokensInBatch(Double.NaN);
            check("rloo " + name, loss, h, c);
        }
    }

    @Test
    void sppo() {
        JsonNode c = ref.get("sppo");
        OnlineBatch h = batchFor(Json("advantages")).withScores(doubles(c.get("win_rates")));
        check("sppo", new SppoLoss(c.get("eta").asDouble()), h, c);
    }

    @Test
    void inpo() {
        JsonNode c = ref.get("inpo");
        check("inpo", new InpoLoss(c.get("eta").asDouble(), c.get("tau").asDouble()), batchFor(Json("advantages")), c);
    }

    /**
     * INPO's constant η/2, by its defining property (independent of the script's transcription): on a tabular game
     * the population loss Σ_{y,y'} π_t(y) π_t(y') P(y ≻ y') L_INPO(y, y') has zero gradient in the logits at the OMD
     * update π_{t+1} ∝ π_t^{1−ητ} π_ref^{ητ} exp(η P(y ≻ π_t)), here taken from the script's numbers and evaluated
     * with the double twin on one-token "completions" by central differences.
     */
    @Test
    void inpoPopulationLossIsStationaryAtTheMirrorDescentUpdate() {
        JsonNode c = ref.get("inpo");
        JsonNode tab = c.get("tabular");
        double[] pt = doubles(tab.get("pi_t")), pr = doubles(tab.get("pi_ref")), p = doubles(tab.get("P"));
        double[] theta = doubles(tab.get("omd_log_probs"));
        InpoLoss loss = new InpoLoss(c.get("eta").asDouble(), c.get("tau").asDouble());
        int n = pt.length;
        java.util.function.ToDoubleFunction<double[]> population = th -> {
            double lse = dev.prefer.objectives.Num.logSumExp(th);
            double s = 0;
            for (int y = 0; y < n; y++)
                for (int z = 0; z < n; z++) {
                    if (y == z) continue;
                    OnlineBatch h = OnlineBatch.of(2, 1, new double[] {th[y] - lse, th[z] - lse}, new double[] {1, 1})
                            .withOldLogps(new double[] {Math.log(pt[y]), Math.log(pt[z])})
                            .withRefLogps(new double[] {Math.log(pr[y]), Math.log(pr[z])});
                    s += pt[y] * pt[z] * p[y * n + z] * loss.loss(h).value();
                }
            return s;
        };
        double eps = 1e-5;
        for (int i = 0; i < n; i++) {
            double[] up = theta.clone(), down = theta.clone();
            up[i] += eps;
            down[i] -= eps;
            double g = (population.applyAsDouble(up) - population.applyAsDouble(down)) / (2 * eps);
            assertEquals(0.0, g, 1e-9, "population gradient at the OMD update, logit " + i);
        }
        // and it is not stationary at π_t itself (the check has power)
        double[] at = new double[n];
        for (int i = 0; i < n; i++) at[i] = Math.log(pt[i]);
        double[] up = at.clone();
        up[0] += eps;
        double[] down = at.clone();
        down[0] -= eps;
        assertTrue(Math.abs(population.applyAsDouble(up) - population.applyAsDouble(down)) / (2 * eps) > 1e-4);
    }

    @Test
    void nashMd() {
        JsonNode c = ref.get("nash_md");
        OnlineBatch h = batchFor(Json("advantages")).withScores(doubles(c.get("probabilities")));
        check("nash-md", new NashMdLoss(c.get("beta").asDouble()), h, c);
    }

    @Test
    void geometricMixture() {
        JsonNode c = ref.get("mixture");
        int v = c.get("v").asInt();
        double alpha = c.get("alpha").asDouble();
        double[] pl = doubles(c.get("policy_logits")), rl = doubles(c.get("reference_logits")), e = doubles(c.get("log_probs"));
        double[] twin = GeometricMixture.logProbs(pl, rl, v, alpha);
        try (NDManager step = manager.newSubManager()) {
            Shape s = new Shape(pl.length / v, v);
            NDArray t = GeometricMixture.logProbs(step.create(pl, s), step.create(rl, s), alpha);
            double[] t64 = t.toDoubleArray();
            double[] t32 = GeometricMixture.logProbs(step.create(pl, s).toType(DataType.FLOAT32, false),
                    step.create(rl, s).toType(DataType.FLOAT32, false), alpha).toType(DataType.FLOAT64, false).toDoubleArray();
            for (int i = 0; i < e.length; i++) {
                assertEquals(e[i], twin[i], tol(1e-12, e[i]), "mixture twin [" + i + "]");
                assertEquals(e[i], t64[i], tol(1e-12, e[i]), "mixture float64 [" + i + "]");
                assertEquals(e[i], t32[i], tol(1e-6, e[i]), "mixture float32 [" + i + "]");
            }
        }
    }

    @Test
    void grpoAdvantages() {
        JsonNode a = ref.get("advantages");
        double[] r = doubles(a.get("rewards"));
        int g = a.get("group_size").asInt();
        for (ScaleRewards s : ScaleRewards.values()) {
            String key = s.name().toLowerCase();
            Advantages.Result res = Advantages.grpo(r, g, s);
            assertArrayClose(doubles(a.get("grpo_" + key)), res.advantages(), 1e-12, "grpo " + key);
            assertEquals(a.get("frac_reward_zero_std_" + key).asDouble(), res.metrics().get("frac_reward_zero_std"), 1e-15, key);
        }
    }

    @Test
    void multiRewardAdvantagesBothOrders() {
        JsonNode m = ref.get("advantages").get("multi");
        JsonNode pf = m.get("per_func");
        double[][] perFunc = new double[pf.size()][];
        for (int i = 0; i < perFunc.length; i++) perFunc[i] = doubles(pf.get(i));
        List<String> names = List.of(m.get("names").get(0).asText(), m.get("names").get(1).asText());
        double[] w = doubles(m.get("weights"));
        int g = ref.get("advantages").get("group_size").asInt();
        Advantages.Result sum = Advantages.grpo(perFunc, names, w, g, ScaleRewards.GROUP, Advantages.Aggregation.SUM_THEN_NORMALIZE);
        Advantages.Result norm = Advantages.grpo(perFunc, names, w, g, ScaleRewards.GROUP, Advantages.Aggregation.NORMALIZE_THEN_SUM);
        assertArrayClose(doubles(m.get("sum_then_normalize")), sum.advantages(), 1e-12, "sum then normalize");
        assertArrayClose(doubles(m.get("normalize_then_sum")), norm.advantages(), 1e-12, "normalize then sum");
        m.get("metrics").fields().forEachRemaining(e ->
                assertEquals(e.getValue().asDouble(), sum.metrics().get(e.getKey()), 1e-12, e.getKey()));
    }

    @Test
    void rlooAdvantages() {
        JsonNode a = ref.get("advantages");
        JsonNode rl = a.get("rloo");
        double[] r = doubles(a.get("rewards"));
        int g = a.get("group_size").asInt();
        double[] shaped = Advantages.klShapedRewards(r, doubles(rl.get("old")), doubles(rl.get("ref")), doubles(rl.get("mask")),
                rl.get("t").asInt(), rl.get("beta").asDouble());
        assertArrayClose(doubles(rl.get("shaped_rewards")), shaped, 1e-12, "KL-shaped rewards");
        assertArrayClose(doubles(rl.get("advantages")), Advantages.rloo(shaped, g, false), 1e-12, "rloo");
        assertArrayClose(doubles(rl.get("advantages_normalized")), Advantages.rloo(shaped, g, true), 1e-12, "rloo normalized");
        assertArrayClose(doubles(rl.get("advantages_no_kl")), Advantages.rloo(r, g, false), 1e-12, "rloo without KL");
    }

    @Test
    void reinforcePlusPlusAdvantages() {
        JsonNode a = ref.get("advantages");
        JsonNode rl = a.get("rloo");
        JsonNode pp = a.get("reinforce_pp");
        double[] r = doubles(a.get("rewards"));
        double[] old = doubles(rl.get("old")), rf = doubles(rl.get("ref")), mask = doubles(rl.get("mask"));
        int t = rl.get("t").asInt(), g = a.get("group_size").asInt();
        double kc = pp.get("kl_coef").asDouble();
        var k1 = Advantages.KlEstimator.K1;
        assertArrayClose(doubles(pp.get("plain")), Advantages.reinforcePlusPlus(r, old, rf, mask, t, g, kc, k1, false), 1e-12, "reinforce++");
        assertArrayClose(doubles(pp.get("baseline")), Advantages.reinforcePlusPlus(r, old, rf, mask, t, g, kc, k1, true), 1e-12, "reinforce++ baseline");
        assertArrayClose(doubles(pp.get("baseline_k3")), Advantages.reinforcePlusPlus(r, old, rf, mask, t, g, kc, Advantages.KlEstimator.K3, true), 1e-12, "k3");
        assertArrayClose(doubles(pp.get("no_kl")), Advantages.reinforcePlusPlus(r, old, rf, mask, t, g, 0, k1, false), 1e-12, "no KL");
    }

    @Test
    void pairwiseWinRates() {
        JsonNode p = ref.get("advantages").get("pairwise");
        int k = p.get("k").asInt();
        double[] probs = doubles(p.get("probabilities"));
        double[] others = WinRates.againstOthers(probs, k);
        assertArrayClose(doubles(p.get("win_rate_others")), others, 1e-12, "SPO / Pref-GRPO win rates");
        assertArrayClose(doubles(p.get("win_rate_hard")), WinRates.hardAgainstOthers(probs, k), 1e-12, "hard win rates");
        assertArrayClose(doubles(p.get("sppo_win_rate")), WinRates.sppo(probs, k), 1e-12, "SPPO win rates");
        assertArrayClose(doubles(p.get("pref_grpo_advantages")), Advantages.grpo(others, k, ScaleRewards.GROUP).advantages(), 1e-12, "Pref-GRPO");
    }

    static JsonNode Json(String advantages) {
        return dev.prefer.data.Json.MAPPER.createObjectNode().put("advantages", advantages);
    }

    static void assertArrayClose(double[] expected, double[] actual, double scale, String label) {
        assertEquals(expected.length, actual.length, label + " length");
        for (int i = 0; i < expected.length; i++)
            assertEquals(expected[i], actual[i], tol(scale, expected[i]), label + " [" + i + "]");
        assertTrue(expected.length > 0, label);
    }
}
