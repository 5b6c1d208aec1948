package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a causal LM ({@link CausalLM}) and a sequence-classification reward model ({@link RewardModel}) share: one
 * {@link Transformer} loaded from a Hugging Face folder, its tokenizer convention and saving. Trainers and LoRA work
 * on this, so the same machinery fine-tunes a policy or a reward model.
 */
public interface HfModel {
    /** The folder it was loaded from. */
    Path source();

    ModelConfig config();

    /** The backbone with its head(s): parameters by Hugging Face name, forward pass. */
    Transformer model();

    /** Prompt and response tokenized separately, eos appended to the response (the fixtures' convention). */
    TokenizedSequence tokenize(PromptResponse pr);

    /** Parameters by Hugging Face name. */
    default Map<String, NDArray> parameters() {
        return model().parameters();
    }

    /** Marks parameters trainable or frozen. */
    default void setTrainable(boolean trainable) {
        model().setTrainable(trainable);
    }

    /** Saves as a Hugging Face folder (config.json, model.safetensors float32, tokenizer files). */
    void save(Path dir);
}
