package dev.prefer.lm;

import java.util.Locale;

/**
 * The decoder families Prefer runs, named as in transformers' {@code model_type}.
 *
 * <ul>
 *   <li>{@link #GPT2}: LayerNorm, learned absolute positions, fused {@code c_attn} Conv1D weights stored
 *       {@code [in, out]}, gelu_new MLP (Radford et al. 2019).</li>
 *   <li>{@link #LLAMA}: RMSNorm, rotary positions (Su et al. 2021), SwiGLU MLP, grouped-query attention
 *       (Touvron et al. 2023).</li>
 *   <li>{@link #QWEN2}: the Llama layout with q/k/v projection biases.</li>
 *   <li>{@link #MISTRAL}: the Llama layout (sliding-window attention is not applied; it only matters beyond the
 *       window length).</li>
 * </ul>
 */
public enum Architecture {
    GPT2("gpt2", "GPT2"),
    LLAMA("llama", "Llama"),
    QWEN2("qwen2", "Qwen2"),
    MISTRAL("mistral", "Mistral");

    private final String modelType;
    private final String classPrefix;

    Architecture(String modelType, String classPrefix) {
        this.modelType = modelType;
        this.classPrefix = classPrefix;
    }

    /** transformers' {@code model_type}. */
    public String modelType() {
        return modelType;
    }

    /** The transformers class name for this family and head, e.g. {@code LlamaForCausalLM}. */
    public String className(ModelConfig.Head head) {
        if (this == GPT2) return head == ModelConfig.Head.CAUSAL_LM ? "GPT2LMHeadModel" : "GPT2ForSequenceClassification";
        return classPrefix + (head == ModelConfig.Head.CAUSAL_LM ? "ForCausalLM" : "ForSequenceClassification");
    }

    /** Uses the Llama-style rotary / RMSNorm / SwiGLU block. */
    public boolean llamaLike() {
        return this != GPT2;
    }

    /** Looks up a {@code model_type}; null when unknown. */
    public static Architecture ofModelType(String modelType) {
        if (modelType == null) return null;
        String t = modelType.toLowerCase(Locale.ROOT);
        for (Architecture a : values()) if (a.modelType.equals(t)) return a;
        return null;
    }

    /** Looks up a transformers class name such as {@code Qwen2ForCausalLM}; null when unknown. */
    public static Architecture ofClassName(String className) {
        if (className == null) return null;
        if (className.startsWith("GPT2")) return GPT2;
        for (Architecture a : values()) if (a != GPT2 && className.startsWith(a.classPrefix + "For")) return a;
        return null;
    }
}
