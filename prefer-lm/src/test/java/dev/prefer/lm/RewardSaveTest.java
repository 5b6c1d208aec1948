package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sequence-classification checkpoint saved and loaded back: the same layout (architectures, num_labels,
 * score.weight, tokenizer files) and bit-identical rewards, still within 1e-4 of transformers' expected.json.
 * Batched scoring (sorted by length, chunks of 3) equals one batch of all up to float rounding.
 */
class RewardSaveTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-rm", "llama-rm"})
    void saveThenLoadGivesIdenticalRewards(String name, @TempDir Path tmp) {
        Path dir = Fixtures.shared().resolve("fixtures/hf-tiny-rm").resolve(name);
        JsonNode ex = Fixtures.readJson(dir.resolve("expected.json")).get("examples");
        List<long[]> ids = new ArrayList<>();
        for (int i = 0; i < ex.size(); i++) ids.add(Fixtures.longs(ex.get(i).get("chosen_ids")));
        for (int i = 0; i < ex.size(); i++) ids.add(Fixtures.longs(ex.get(i).get("rejected_ids")));
        double[] before;
        try (RewardModel rm = RewardModel.load(dir)) {
            before = rm.rewardsOfIds(ids);
            assertArrayEquals(before, rm.rewardsOfIds(ids, 3), 1e-5, "batched scoring"); // other shapes: float rounding only
            rm.save(tmp.resolve("saved"));
        }
        JsonNode cfg = Fixtures.readJson(tmp.resolve("saved/config.json"));
        JsonNode orig = Fixtures.readJson(dir.resolve("config.json"));
        assertEquals(orig.get("architectures"), cfg.get("architectures"));
        assertEquals(1, cfg.path("num_labels").asInt(cfg.path("id2label").size()));
        assertEquals(true, tmp.resolve("saved/tokenizer.json").toFile().isFile());
        try (RewardModel rm = RewardModel.load(tmp.resolve("saved"))) {
            double[] after = rm.rewardsOfIds(ids);
            assertArrayEquals(before, after, 0.0, "bit-identical after save -> load");
            for (int i = 0; i < ex.size(); i++) {
                assertEquals(ex.get(i).get("reward_chosen").asDouble(), after[i], 1e-4);
                assertEquals(ex.get(i).get("reward_rejected").asDouble(), after[ex.size() + i], 1e-4);
            }
        }
    }
}
