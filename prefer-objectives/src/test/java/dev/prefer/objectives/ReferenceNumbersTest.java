package dev.prefer.objectives;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Losses against independent numbers: src/test/python/objectives_ref.py (PyTorch 1.13, float64, written after
 * TRL's trainers, the LiPO paper and the MODPO code) printed reference-numbers.json, committed beside this test.
 * Both the double twins and the float64 tensor forms must match to 1e-12 relative.
 */
class ReferenceNumbersTest {
    static NDManager manager;
    static JsonNode ref;

    @BeforeAll
    static void open() throws Exception {
        manager = Fixtures.manager();
        ref = Fixtures.resource("reference-numbers.json");
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static void check(String name, double expected, Objective o, Batch b) {
        double tol = 1e-12 * Math.max(1, Math.abs(expected));
        assertEquals(expected, o.loss(b).value(), tol, name + " (double twin)");
        assertEquals(expected, Fixtures.tensorLoss(manager, o, b, DataType.FLOAT64), tol, name + " (tensor, float64)");
    }

    @Test
    void pairwiseObjectives() {
        JsonNode p = ref.get("pairs");
        JsonNode losses = p.get("losses");
        double[] nc = Fixtures.doubles(p.get("tokens_chosen"));
        double[] nr = Fixtures.doubles(p.get("tokens_rejected"));
        Batch b = Batch.pairs(Fixtures.doubles(p.get("policy_chosen")), Fixtures.doubles(p.get("policy_rejected")),
                Fixtures.doubles(p.get("reference_chosen")), Fixtures.doubles(p.get("reference_rejected")))
                .withTokens(Batch.interleave(nc, nr));
        double beta = p.get("beta").asDouble();
        Map<String, Objective> objectives = Map.ofEntries(
                Map.entry("dpo", new Dpo(beta)),
                Map.entry("cdpo", new ConservativeDpo(beta, 0.1)),
                Map.entry("robust-dpo", new RobustDpo(beta, 0.1)),
                Map.entry("ipo", new Ipo(beta)),
                Map.entry("ln-ipo", new LengthNormalized(new Ipo(beta))),
                Map.entry("hinge", new Hinge(beta)),
                Map.entry("exo", new Exo(beta, 1e-3)),
                Map.entry("nca", new Nca(beta)),
                Map.entry("apo-zero", new ApoZero(beta)),
                Map.entry("apo-down", new ApoDown(beta)),
                Map.entry("sppo-hard", new SppoHard(beta)),
                Map.entry("bco", new Bco(beta, null, Layout.PAIRS)),
                Map.entry("aot", new Aot(beta, 0, true)),
                Map.entry("aot-unpaired", new Aot(beta, 0, false)),
                Map.entry("simpo", new SimPo(2.0, 0.5)),
                Map.entry("orpo", new Orpo(0.1)),
                Map.entry("rpo", new Rpo(beta, 1.0)),
                Map.entry("sft", new ChosenNll()),
                Map.entry("ln-dpo", new LengthNormalized(new Dpo(beta))));
        for (var e : objectives.entrySet()) check(e.getKey(), losses.get(e.getKey()).asDouble(), e.getValue(), b);
        assertEquals(losses.size() - 2, objectives.size()); // all but modpo and dpo-weighted, checked below

        // Per-row weights.
        check("dpo-weighted", losses.get("dpo-weighted").asDouble(), new Dpo(beta), b.withWeights(Fixtures.doubles(p.get("weights"))));

        // MODPO: score differences from per-response scores, as the data reader supplies them.
        double[] w = Fixtures.doubles(p.get("modpo_weights"));
        double[] cs = Fixtures.flat(p.get("chosen_scores"));
        double[] rs = Fixtures.flat(p.get("rejected_scores"));
        double[] diff = new double[cs.length];
        for (int i = 0; i < diff.length; i++) diff[i] = cs[i] - rs[i];
        check("modpo", losses.get("modpo").asDouble(), new Modpo(beta, w, List.of("a", "b")), b.withAttributes(2, diff));

        // TRL's metrics.
        Map<String, Double> m = new Dpo(beta).loss(b).metrics();
        p.get("metrics").fields().forEachRemaining(e -> assertEquals(e.getValue().asDouble(), m.get(e.getKey()), 1e-15, e.getKey()));
    }

    @Test
    void listwiseObjectives() {
        JsonNode l = ref.get("lists");
        int k = l.get("k").asInt();
        double beta = l.get("beta").asDouble();
        Batch b = Batch.lists(k, Fixtures.flat(l.get("policy")), Fixtures.flat(l.get("reference")), Fixtures.flat(l.get("labels")));
        JsonNode losses = l.get("losses");
        check("lipo-lambda", losses.get("lipo-lambda").asDouble(), new LipoLambda(beta, true), b);
        check("lipo-pair-logistic", losses.get("lipo-pair-logistic").asDouble(), new LipoLambda(beta, false), b);
        check("plackett-luce", losses.get("plackett-luce").asDouble(), new PlackettLuce(beta), b);
        check("softmax-listwise", losses.get("softmax-listwise").asDouble(), new SoftmaxListwise(beta), b);
    }

    @Test
    void unpairedObjectives() {
        JsonNode u = ref.get("unpaired");
        double beta = u.get("beta").asDouble();
        double[] labels = Fixtures.doubles(u.get("labels"));
        boolean[] desirable = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) desirable[i] = labels[i] == 1;
        Batch b = Batch.unpaired(Fixtures.doubles(u.get("policy")), Fixtures.doubles(u.get("reference")), desirable);
        JsonNode losses = u.get("losses");
        check("kto-no-kl", losses.get("kto-no-kl").asDouble(), new Kto(beta, 1, 1), b);
        check("kto", losses.get("kto").asDouble(), new Kto(beta, 1, 1),
                b.withKlSamples(Fixtures.doubles(u.get("kl_policy")), Fixtures.doubles(u.get("kl_reference"))));
        check("bco-unpaired", losses.get("bco-unpaired").asDouble(), new Bco(beta, null, Layout.UNPAIRED), b);
    }
}
