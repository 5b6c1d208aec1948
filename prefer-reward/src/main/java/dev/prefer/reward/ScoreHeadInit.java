package dev.prefer.reward;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefer.data.AtomicFiles;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.lm.ModelConfig;
import dev.prefer.lm.io.DType;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A sequence-classification starting point made from a causal LM folder, what transformers'
 * {@code AutoModelForSequenceClassification.from_pretrained(causal_lm_dir, num_labels=1)} gives: the same backbone
 * weights, config.json naming {@code XxxForSequenceClassification} with {@code num_labels = 1}, no LM head, and a new
 * bias-free {@code score.weight} (1, hidden) drawn from N(0, initializer_range²) (transformers' {@code _init_weights}
 * for a Linear; 0.02 when the config has no {@code initializer_range}), seeded. The reward model of a policy is then
 * trained from its own SFT model (InstructGPT's recipe: Ouyang et al. 2022, §3.5), e.g. with
 * {@link LmRewardTraining#train}; {@code pairwise:DIR} then uses it as a Bradley–Terry preference model.
 */
public final class ScoreHeadInit {
    private ScoreHeadInit() {}

    /** Writes the sequence-classification folder {@code out} from the causal LM folder {@code causalLm}; returns {@code out}. */
    public static Path fromCausalLm(Path causalLm, Path out, long seed) {
        Path cfgFile = causalLm.resolve("config.json");
        ModelConfig config = ModelConfig.read(cfgFile);
        if (config.head() != ModelConfig.Head.CAUSAL_LM) throw DataException.ofFile(cfgFile, "is not a causal LM checkpoint (already has a score head?)");
        ObjectNode json = (ObjectNode) Json.readObject(cfgFile);
        ArrayNode arch = Json.MAPPER.createArrayNode().add(config.architecture().className(ModelConfig.Head.SEQUENCE_CLASSIFICATION));
        json.set("architectures", arch);
        json.put("num_labels", 1);
        json.remove("id2label");
        json.remove("label2id");
        double std = json.path("initializer_range").asDouble(0.02);

        LinkedHashMap<String, HostTensor> tensors = new LinkedHashMap<>();
        for (var e : SafeTensors.readCheckpoint(causalLm).entrySet()) {
            if (e.getKey().equals("lm_head.weight")) continue; // the classification model has none (transformers drops it too)
            HostTensor t = e.getValue();
            tensors.put(e.getKey(), HostTensor.of(e.getKey(), t.shape(), t.data()));
        }
        int d = config.hiddenSize();
        float[] w = new float[d];
        Random rnd = new Random(seed);
        for (int i = 0; i < d; i++) w[i] = (float) (std * rnd.nextGaussian());
        tensors.put("score.weight", HostTensor.of("score.weight", new long[] {1, d}, w));
        try {
            Files.createDirectories(out);
            for (String f : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt",
                    "tokenizer.model", "added_tokens.json", "chat_template.jinja")) {
                if (Files.isRegularFile(causalLm.resolve(f))) AtomicFiles.write(out.resolve(f), Files.readAllBytes(causalLm.resolve(f)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
        AtomicFiles.writeString(out.resolve("config.json"), Json.pretty(json) + "\n");
        SafeTensors.write(out.resolve("model.safetensors"), tensors, Map.of("format", "pt"), DType.F32);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("from_causal_lm", causalLm.toAbsolutePath().toString());
        cfg.put("score_init", "normal(0, " + std + ")");
        Manifest.of("score-head-init", cfg, seed).withInput("causal_lm", causalLm.resolve("model.safetensors")).writeTo(out);
        return out;
    }
}
