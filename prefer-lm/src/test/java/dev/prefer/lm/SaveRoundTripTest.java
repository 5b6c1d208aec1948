package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * load -> save -> load gives identical numbers, and the saved safetensors hold exactly the names, shapes and dtypes
 * of the checkpoint transformers wrote (GPT-2 Conv1D layout kept, tied head omitted).
 */
class SaveRoundTripTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void causalLmRoundTripIsIdentical(String arch, @TempDir Path tmp) {
        Path src = Fixtures.model(arch, "policy");
        Path out = tmp.resolve("saved");
        List<PromptResponse> data = Fixtures.chosenThenRejected();
        List<SequenceLogps> before;
        try (CausalLM lm = CausalLM.load(src)) {
            before = lm.logps(data);
            lm.save(out);
        }
        assertSameTensorLayout(src.resolve("model.safetensors"), out.resolve("model.safetensors"));
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json", "manifest.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), "saved " + f);
        }
        try (CausalLM again = CausalLM.load(out)) {
            assertEquals(ModelConfig.Head.CAUSAL_LM, again.config().head());
            assertEquals(arch, again.config().architecture().modelType());
            List<SequenceLogps> after = again.logps(data);
            for (int i = 0; i < data.size(); i++) {
                assertEquals(before.get(i).sum(), after.get(i).sum(), 0.0, "sum " + i);
                assertArrayEquals(before.get(i).tokenLogps(), after.get(i).tokenLogps(), 0.0, "tokens " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-rm", "llama-rm"})
    void rewardModelRoundTripIsIdentical(String name, @TempDir Path tmp) {
        Path src = Fixtures.shared().resolve("fixtures/hf-tiny-rm").resolve(name);
        Path out = tmp.resolve("saved");
        List<PromptResponse> data = new ArrayList<>();
        for (String[] p : Fixtures.pairs()) data.add(new PromptResponse(p[0], p[1]));
        double[] before;
        try (RewardModel rm = RewardModel.load(src)) {
            before = rm.rewards(data);
            rm.save(out);
        }
        assertSameTensorLayout(src.resolve("model.safetensors"), out.resolve("model.safetensors"));
        try (RewardModel again = RewardModel.load(out)) {
            assertArrayEquals(before, again.rewards(data), 0.0);
            assertEquals(ModelConfig.Head.SEQUENCE_CLASSIFICATION, again.config().head());
        }
    }

    static void assertSameTensorLayout(Path original, Path saved) {
        Map<String, HostTensor> a = SafeTensors.read(original);
        Map<String, HostTensor> b = SafeTensors.read(saved);
        assertEquals(a.keySet(), b.keySet(), "tensor names");
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).shape(), b.get(k).shape(), "shape of " + k);
            assertEquals(a.get(k).storedAs(), b.get(k).storedAs(), "dtype of " + k);
            assertArrayEquals(a.get(k).data(), b.get(k).data(), 0f, "values of " + k);
        }
    }
}
