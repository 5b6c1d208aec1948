package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Sequence-classification checkpoints: rewards and the Bradley-Terry loss against transformers' expected.json. */
class RewardFixtureTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-rm", "llama-rm"})
    void rewardsMatchTransformersWithin1e4(String name) {
        var dir = Fixtures.shared().resolve("fixtures/hf-tiny-rm").resolve(name);
        JsonNode exp = Fixtures.readJson(dir.resolve("expected.json"));
        JsonNode ex = exp.get("examples");
        List<String[]> pairs = Fixtures.pairs();
        try (RewardModel rm = RewardModel.load(dir)) {
            List<long[]> ids = new ArrayList<>();
            List<PromptResponse> texts = new ArrayList<>();
            for (int i = 0; i < ex.size(); i++) {
                ids.add(Fixtures.longs(ex.get(i).get("chosen_ids")));
                texts.add(new PromptResponse(pairs.get(i)[0], pairs.get(i)[1]));
            }
            for (int i = 0; i < ex.size(); i++) {
                ids.add(Fixtures.longs(ex.get(i).get("rejected_ids")));
                texts.add(new PromptResponse(pairs.get(i)[0], pairs.get(i)[2]));
            }
            for (int i = 0; i < ids.size(); i++) assertArrayEquals(ids.get(i), rm.ids(texts.get(i)), "ids of " + i);
            double[] r = rm.rewards(texts); // one right-padded batch of 20
            int n = ex.size();
            double bt = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(ex.get(i).get("reward_chosen").asDouble(), r[i], 1e-4, "chosen reward " + i);
                assertEquals(ex.get(i).get("reward_rejected").asDouble(), r[n + i], 1e-4, "rejected reward " + i);
                double d = r[i] - r[n + i];
                bt += Math.log1p(Math.exp(-d)); // -log sigmoid(d)
            }
            assertEquals(exp.get("bt_loss_mean").asDouble(), bt / n, 1e-5, "Bradley-Terry loss");
        }
    }
}
