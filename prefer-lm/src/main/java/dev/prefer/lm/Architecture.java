package dev.prefer.lm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The decoder families Prefer runs, named as in transformers' {@code model_type}. Each names its {@link Family}: the
 * weight layout, config keys and block definition over the shared pieces ({@link Layers}, {@link Rotary}).
 *
 * <ul>
 *   <li>{@link #GPT2}: LayerNorm, learned absolute positions, fused {@code c_attn} Conv1D weights stored
 *       {@code [in, out]}, gelu_new MLP (Radford et al. 2019).</li>
 *   <li>{@link #LLAMA}: RMSNorm, rotary positions (Su et al. 2021) with default/linear/dynamic/yarn/llama3 scaling,
 *       SwiGLU MLP, grouped-query attention (Touvron et al. 2023).</li>
 *   <li>{@link #MISTRAL}: the Llama layout with sliding-window attention ({@code sliding_window}).</li>
 *   <li>{@link #QWEN2}: the Llama layout with q/k/v projection biases.</li>
 *   <li>{@link #QWEN3}: the Llama layout with per-head RMSNorm on queries and keys.</li>
 *   <li>{@link #SMOLLM3}: the Llama layout with rotary positions left out on every fourth layer (NoPE layers).</li>
 *   <li>{@link #GEMMA2}, {@link #GEMMA3}: (1 + w) RMSNorm around both sub-blocks, embeddings scaled by sqrt(D),
 *       alternating sliding and global layers, attention/final logit soft-capping (2), q/k norms and a local rotary base (3).</li>
 *   <li>{@link #PHI3}: fused {@code qkv_proj} and {@code gate_up_proj}.</li>
 *   <li>{@link #LFM2}: hybrid of gated short-convolution blocks and GQA attention blocks with q/k norms (Liquid AI 2025).</li>
 * </ul>
 */
public enum Architecture {
    GPT2("gpt2", "GPT2", new Gpt2Family()),
    LLAMA("llama", "Llama", new LlamaFamily(LlamaFamily.Kind.LLAMA)),
    QWEN2("qwen2", "Qwen2", new LlamaFamily(LlamaFamily.Kind.QWEN2)),
    MISTRAL("mistral", "Mistral", new LlamaFamily(LlamaFamily.Kind.MISTRAL)),
    QWEN3("qwen3", "Qwen3", new LlamaFamily(LlamaFamily.Kind.QWEN3)),
    SMOLLM3("smollm3", "SmolLM3", new LlamaFamily(LlamaFamily.Kind.SMOLLM3)),
    GEMMA2("gemma2", "Gemma2", new GemmaFamily(2)),
    GEMMA3("gemma3_text", "Gemma3", new GemmaFamily(3)),
    PHI3("phi3", "Phi3", new Phi3Family()),
    LFM2("lfm2", "Lfm2", new Lfm2Family());

    private final String modelType;
    private final String classPrefix;
    private final Family family;

    Architecture(String modelType, String classPrefix, Family family) {
        this.modelType = modelType;
        this.classPrefix = classPrefix;
        this.family = family;
    }

    /** transformers' {@code model_type}. */
    public String modelType() {
        return modelType;
    }

    Family family() {
        return family;
    }

    /** The transformers class name for this family and head, e.g. {@code LlamaForCausalLM}. */
    public String className(ModelConfig.Head head) {
        if (this == GPT2) return head == ModelConfig.Head.CAUSAL_LM ? "GPT2LMHeadModel" : "GPT2ForSequenceClassification";
        if (this == GEMMA3 && head == ModelConfig.Head.SEQUENCE_CLASSIFICATION) return "Gemma3TextForSequenceClassification";
        return classPrefix + (head == ModelConfig.Head.CAUSAL_LM ? "ForCausalLM" : "ForSequenceClassification");
    }

    /** Uses rotary positions and RMSNorm (every family but GPT-2). */
    public boolean llamaLike() {
        return this != GPT2;
    }

    /** Default LoRA target modules (the last part of the module name), as PEFT's table for the family. */
    public List<String> loraTargets() {
        return family.loraTargets();
    }

    /** Linear weights are stored (in, out) (GPT-2's Conv1D; PEFT's {@code fan_in_fan_out}). */
    public boolean fanInFanOut() {
        return family.fanInFanOut();
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
        if (className.startsWith("Gemma3TextFor") || className.equals("Gemma3ForCausalLM")) return GEMMA3;
        for (Architecture a : values()) if (a != GPT2 && className.startsWith(a.classPrefix + "For")) return a;
        return null;
    }

    /** The causal-LM class names, for error messages. */
    static String supportedNames() {
        List<String> n = new ArrayList<>();
        for (Architecture a : values()) n.add(a.className(ModelConfig.Head.CAUSAL_LM));
        return String.join(", ", n);
    }
}
