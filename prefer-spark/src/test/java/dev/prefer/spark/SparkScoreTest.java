package dev.prefer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.prefer.data.Manifest;
import dev.prefer.data.PreferencePair;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.PairLogps;
import dev.prefer.reward.Backbones;
import dev.prefer.reward.EmbeddingEncoder;
import dev.prefer.reward.RewardModel;
import dev.prefer.reward.RewardScorer;
import dev.prefer.reward.backbone.HashingBackbone;
import dev.prefer.reward.head.HeadConfig;
import dev.prefer.reward.head.Heads;
import dev.prefer.reward.head.PreferenceHead;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch scoring in Spark (local[2], 3 partitions, batches of 4 pairs) against the single-machine scorers that
 * {@code prefer score} and {@code prefer logps} call, on the hf-tiny fixture pairs: an embedding head on the hashing
 * backbone (exact), the tiny Llama sequence-classification model and the tiny GPT-2 policy (float32 models: other
 * batch shapes round differently, so 1e-5).
 */
class SparkScoreTest {
    @TempDir
    static Path dir;

    static Path fixtures() {
        return Path.of(System.getProperty("prefer.shared"), "fixtures");
    }

    static Dataset<Row> pairs(SparkSession spark) {
        return spark.read().json(fixtures().resolve("hf-tiny/pairs.jsonl").toString()).repartition(3);
    }

    /** The rows Spark scored, in the order of {@code pairs}, as (prompt, chosen, rejected). */
    static List<PreferencePair> asPairs(List<Row> rows) {
        List<PreferencePair> out = new ArrayList<>();
        for (Row r : rows) out.add(PreferencePair.of(r.getAs("prompt"), r.getAs("chosen"), r.getAs("rejected")));
        return out;
    }

    @Test
    void rewardsEqualTheSingleMachineScorer() {
        SparkSession spark = SparkTests.session();
        PreferenceHead head = Heads.create(HeadConfig.defaults("mlp"), 32, 32, List.of(), 3);
        Path hash = dir.resolve("hash-rm");
        new RewardModel(new EmbeddingEncoder(new HashingBackbone(32), EmbeddingEncoder.ContextSource.PROMPT), head)
                .save(hash, Manifest.of("reward-model", Map.of("head", "mlp"), 3L));
        Path llama = fixtures().resolve("hf-tiny-rm/llama-rm");
        for (Path model : List.of(hash, llama)) {
            Path out = dir.resolve("scored-" + model.getFileName());
            SparkScore.score(pairs(spark), model.toString(), 4).write().parquet(out.toString());
            List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
            assertEquals(10, rows.size());
            List<PreferencePair> ps = asPairs(rows);
            double tol = model == hash ? 0 : 1e-5;
            try (RewardScorer m = RewardScorer.open(model, Backbones.Options.inMemory(1))) {
                List<RewardScorer.PairScore> want = m.scorePairs(ps);
                for (int i = 0; i < rows.size(); i++) {
                    Row r = rows.get(i);
                    assertEquals(want.get(i).rewardChosen(), r.<Double>getAs("reward_chosen"), tol, model + " row " + i);
                    assertEquals(want.get(i).rewardRejected(), r.<Double>getAs("reward_rejected"), tol, model + " row " + i);
                    assertEquals(want.get(i).pChosen(), r.<Double>getAs("p_chosen"), tol, model + " row " + i);
                }
            }
        }
        // one load per model in this (driver = executor) JVM, whatever the number of tasks
        assertEquals(1, SparkScore.LOADS.get("reward:" + hash.toAbsolutePath()));
        assertEquals(1, SparkScore.LOADS.get("reward:" + llama.toAbsolutePath()));
    }

    @Test
    void logpsEqualTheSingleMachineScorer() {
        SparkSession spark = SparkTests.session();
        Path policy = fixtures().resolve("hf-tiny/gpt2/policy");
        Path out = dir.resolve("logps");
        SparkScore.logps(pairs(spark), policy.toString(), 4).write().parquet(out.toString());
        List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
        assertEquals(10, rows.size());
        try (CausalLM lm = dev.prefer.train.ModelLoader.causalLm(policy)) {
            List<PairLogps> want = lm.pairLogps(asPairs(rows), 16);
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                assertEquals(want.get(i).chosen().sum(), r.<Double>getAs("chosen_logps"), 1e-4, "row " + i);
                assertEquals(want.get(i).rejected().sum(), r.<Double>getAs("rejected_logps"), 1e-4, "row " + i);
                assertEquals(want.get(i).chosen().tokens(), (int) r.<Integer>getAs("chosen_tokens"), "row " + i);
                assertEquals(want.get(i).rejected().tokens(), (int) r.<Integer>getAs("rejected_tokens"), "row " + i);
            }
        }
    }
}
