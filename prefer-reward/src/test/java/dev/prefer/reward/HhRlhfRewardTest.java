package dev.prefer.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.PreferencePair;
import dev.prefer.data.pref.PreferenceReader;
import dev.prefer.reward.head.HeadConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing, slow tier: BT on MiniLM over hh-rlhf harmless with its own seeded 10% validation split. The bar is
 * "better than chance with confidence": with n = 116 held-out pairs, chance accuracy has standard error
 * √(0.25/116) = 0.046, so the test asks for more than 0.5 + 2·0.046 = 0.593.
 */
@Tag("slow")
class HhRlhfRewardTest {
    @Test
    void bradleyTerryOnMiniLmBeatsChanceOnHeldOutPairs(@TempDir Path cache) {
        Path data = Path.of(System.getProperty("prefer.shared"), "data", "hh-rlhf-harmless", "dev.jsonl.gz");
        assertTrue(Files.exists(data), "missing fixture " + data);
        List<PreferencePair> pairs = PreferenceReader.read(data).pairs();
        assertEquals(1156, pairs.size());
        RewardTraining.Outcome o = RewardTraining.train(pairs, null,
                new RewardTraining.Config("minilm", HeadConfig.defaults("bt"), HeadTrainer.defaults(), "auto", true),
                new Backbones.Options(2, cache), null);
        assertEquals(116, o.validationPairs());
        assertTrue(o.validation().accuracy() > 0.593, "held-out accuracy " + o.validation());
    }
}
