package dev.prefer.lm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The shape of a decoder, read from a Hugging Face {@code config.json}. Immutable and validated in its constructor;
 * {@link #read(Path)} fills the defaults transformers uses when a key is absent.
 *
 * @param architecture      decoder family
 * @param head              language-model head or sequence-classification ({@code score}) head
 * @param vocabSize         vocabulary size V
 * @param hiddenSize        model width D
 * @param numLayers         number of decoder blocks
 * @param numHeads          query heads H
 * @param numKvHeads        key/value heads (GQA); H must be a multiple
 * @param headDim           width of one head (Llama family: {@code head_dim}, default D/H)
 * @param intermediateSize  MLP width (GPT-2: {@code n_inner}, default 4D)
 * @param maxPositions      context length ({@code n_positions} / {@code max_position_embeddings})
 * @param normEps           LayerNorm / RMSNorm epsilon
 * @param ropeTheta         rotary base (Llama family; top-level {@code rope_theta} or {@code rope_parameters.rope_theta}); NaN for GPT-2
 * @param activation        MLP activation, as transformers names it ({@code gelu_new}, {@code silu}, ...)
 * @param tieWordEmbeddings the LM head reuses the token embedding matrix
 * @param attentionBias     q/k/v projections have biases (Qwen2 always; Llama when {@code attention_bias})
 * @param outputBias        the attention output projection has a bias (Llama {@code attention_bias}; GPT-2 always)
 * @param mlpBias           MLP projections have biases (GPT-2 always; Llama when {@code mlp_bias})
 * @param numLabels         outputs of the {@code score} head (sequence classification only; else 0)
 * @param bosTokenId        beginning-of-sequence id or -1
 * @param eosTokenIds       end-of-sequence ids (the first is the one appended to responses)
 * @param padTokenId        padding id or -1
 * @param ropeScaling       rotary frequency scaling ({@code rope_scaling} / {@code rope_parameters}); {@link RopeScaling#NONE} when absent
 * @param layout            per-layer choices and family extras (sliding windows, soft-capping, convolution blocks, ...)
 * @param json              the original config.json, kept so that saving writes back every key
 */
public record ModelConfig(Architecture architecture, Head head, int vocabSize, int hiddenSize, int numLayers,
                          int numHeads, int numKvHeads, int headDim, int intermediateSize, int maxPositions,
                          double normEps, double ropeTheta, String activation, boolean tieWordEmbeddings,
                          boolean attentionBias, boolean outputBias, boolean mlpBias, int numLabels,
                          int bosTokenId, List<Integer> eosTokenIds, int padTokenId, RopeScaling ropeScaling,
                          Layout layout, String json) {

    /** Which head sits on the backbone. */
    public enum Head { CAUSAL_LM, SEQUENCE_CLASSIFICATION }

    /** Activations the runtime implements. */
    public static final Set<String> ACTIVATIONS = Set.of("gelu_new", "gelu_pytorch_tanh", "gelu", "silu", "swish", "relu");

    public ModelConfig {
        require(architecture != null, "architecture is required");
        require(head != null, "head is required");
        require(vocabSize > 0, "vocab_size must be > 0: " + vocabSize);
        require(hiddenSize > 0, "hidden size must be > 0: " + hiddenSize);
        require(numLayers > 0, "number of layers must be > 0: " + numLayers);
        require(numHeads > 0, "number of attention heads must be > 0: " + numHeads);
        require(numKvHeads > 0 && numHeads % numKvHeads == 0,
                "num_key_value_heads must divide num_attention_heads: " + numKvHeads + " vs " + numHeads);
        require(headDim > 0, "head_dim must be > 0: " + headDim);
        require(architecture.llamaLike() || headDim * numHeads == hiddenSize, "n_embd must be a multiple of n_head");
        ropeScaling = ropeScaling == null ? RopeScaling.NONE : ropeScaling;
        layout = layout == null ? Layout.plain(numLayers, 1.0 / Math.sqrt(headDim)) : layout;
        require(layout.layerTypes().size() == numLayers, "layer_types must name " + numLayers + " layers, got " + layout.layerTypes().size());
        require(!architecture.llamaLike() || headDim % 2 == 0, "head_dim must be even for rotary embeddings: " + headDim);
        require(intermediateSize > 0, "intermediate size must be > 0: " + intermediateSize);
        require(maxPositions > 0, "max positions must be > 0: " + maxPositions);
        require(normEps > 0 && Double.isFinite(normEps), "norm epsilon must be finite and > 0: " + normEps);
        require(!architecture.llamaLike() || (ropeTheta > 0 && Double.isFinite(ropeTheta)), "rope_theta must be > 0: " + ropeTheta);
        require(activation != null && ACTIVATIONS.contains(activation), "unsupported activation '" + activation + "' (supported: " + ACTIVATIONS + ")");
        require(head == Head.CAUSAL_LM ? numLabels == 0 : numLabels > 0, "num_labels must be > 0 for a classification head");
        eosTokenIds = List.copyOf(eosTokenIds == null ? List.of() : eosTokenIds);
        for (int id : eosTokenIds) require(id >= 0 && id < vocabSize, "eos_token_id out of range: " + id);
        require(bosTokenId < vocabSize, "bos_token_id out of range: " + bosTokenId);
        require(padTokenId < vocabSize, "pad_token_id out of range: " + padTokenId);
        json = json == null ? "{}" : json;
    }

    static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /**
     * A GPT-2-shaped config (gelu_new, tied head, eps 1e-5) with id 0 as bos/eos/pad, for random-weight models in
     * tests and benchmarks. GPT-2 small is {@code gpt2(50257, 1024, 768, 12, 12)}.
     */
    public static ModelConfig gpt2(int vocabSize, int positions, int width, int layers, int heads) {
        var n = Json.MAPPER.createObjectNode();
        n.putArray("architectures").add("GPT2LMHeadModel");
        n.put("model_type", "gpt2");
        n.put("vocab_size", vocabSize);
        n.put("n_positions", positions);
        n.put("n_embd", width);
        n.put("n_layer", layers);
        n.put("n_head", heads);
        n.put("bos_token_id", 0);
        n.put("eos_token_id", 0);
        n.put("pad_token_id", 0);
        n.put("tie_word_embeddings", true);
        return parse(null, n);
    }

    /**
     * A small Llama config as {@code config.json} holds it (the keys transformers 5 writes for {@code LlamaForCausalLM}
     * plus the top-level {@code rope_theta} transformers 4 reads): head width hiddenSize / heads, untied head, eps
     * 1e-5, theta 1e4, initializer_range 0.02 and token 0 as bos/eos/pad (a trained tokenizer's
     * {@code <|endoftext|>}). (Absorbed prefer-eval's {@code LlamaConfig.small}.)
     */
    public static ModelConfig llama(int vocabSize, int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads, int maxPositions) {
        if (heads <= 0 || hiddenSize % heads != 0) throw new IllegalArgumentException("heads (" + heads + ") must divide hiddenSize (" + hiddenSize + ")");
        var m = Json.MAPPER.createObjectNode();
        m.putArray("architectures").add("LlamaForCausalLM");
        m.put("attention_bias", false);
        m.put("attention_dropout", 0.0);
        m.put("bos_token_id", 0);
        m.put("dtype", "float32");
        m.put("eos_token_id", 0);
        m.put("head_dim", hiddenSize / heads);
        m.put("hidden_act", "silu");
        m.put("hidden_size", hiddenSize);
        m.put("initializer_range", 0.02);
        m.put("intermediate_size", intermediateSize);
        m.put("max_position_embeddings", maxPositions);
        m.put("mlp_bias", false);
        m.put("model_type", "llama");
        m.put("num_attention_heads", heads);
        m.put("num_hidden_layers", layers);
        m.put("num_key_value_heads", kvHeads);
        m.put("pad_token_id", 0);
        m.put("pretraining_tp", 1);
        m.put("rms_norm_eps", 1e-5);
        var rope = m.putObject("rope_parameters");
        rope.put("rope_theta", 10000.0);
        rope.put("rope_type", "default");
        m.put("rope_theta", 10000.0);
        m.put("tie_word_embeddings", false);
        m.put("use_cache", true);
        m.put("vocab_size", vocabSize);
        try {
            return parse(null, m);
        } catch (DataException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** {@code initializer_range} of the config (transformers' default 0.02). */
    public double initializerRange() {
        try {
            double r = Json.MAPPER.readTree(json).path("initializer_range").asDouble(0.02);
            require(r > 0 && Double.isFinite(r), "initializer_range must be finite and > 0: " + r);
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code generation_config.json}: the special ids, as transformers writes it from the model config. */
    public ObjectNode toGenerationConfigJson() {
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("bos_token_id", bosTokenId);
        m.put("eos_token_id", eosTokenId());
        m.put("pad_token_id", padTokenId);
        m.put("use_cache", true);
        return m;
    }

    /** The id appended after each response (the first eos), or -1 when the config names none. */
    public int eosTokenId() {
        return eosTokenIds.isEmpty() ? -1 : eosTokenIds.get(0);
    }

    /** Query heads per key/value head. */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    /** The config as JSON, with {@code architectures} set to this head's class. */
    public ObjectNode toJson() {
        try {
            ObjectNode n = (ObjectNode) Json.MAPPER.readTree(json);
            n.putArray("architectures").add(architecture.className(head));
            n.put("model_type", architecture.modelType());
            return n;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads {@code config.json}; a missing or bad key is a one-line {@link DataException} naming file and key. */
    public static ModelConfig read(Path file) {
        JsonNode root = Json.readObject(file);
        try {
            return parse(file, root);
        } catch (IllegalArgumentException e) {
            throw DataException.ofFile(file, e.getMessage());
        }
    }

    /** Parses a config already in memory ({@code file} only names it in errors). */
    public static ModelConfig parse(Path file, JsonNode root) {
        String className = null;
        JsonNode archs = root.get("architectures");
        if (archs != null && archs.isArray() && archs.size() > 0) className = archs.get(0).asText();
        String modelType = root.path("model_type").asText(null);
        Architecture arch = className != null ? Architecture.ofClassName(className) : Architecture.ofModelType(modelType);
        if (arch == null && className != null) arch = Architecture.ofModelType(modelType);
        if (arch == null) {
            throw new DataException(file, 0, className != null ? "architectures" : "model_type",
                    "unsupported architecture '" + (className != null ? className : modelType) + "' (supported: " + Architecture.supportedNames()
                            + " and their ForSequenceClassification variants)");
        }
        Head head = className != null && className.endsWith("ForSequenceClassification") ? Head.SEQUENCE_CLASSIFICATION : Head.CAUSAL_LM;
        if (className != null && head == Head.CAUSAL_LM && !className.endsWith("ForCausalLM") && !className.equals("GPT2LMHeadModel")
                && !className.equals("GPT2Model") && !className.endsWith("Model")) {
            throw new DataException(file, 0, "architectures", "unsupported head '" + className + "' (expected a causal LM or sequence classification model)");
        }
        int numLabels = 0;
        if (head == Head.SEQUENCE_CLASSIFICATION) {
            JsonNode id2label = root.get("id2label");
            numLabels = root.has("num_labels") ? intKey(file, root, "num_labels", 1)
                    : id2label != null && id2label.isObject() && id2label.size() > 0 ? id2label.size() : 2;
        }
        int bos = optId(file, root, "bos_token_id");
        int pad = optId(file, root, "pad_token_id");
        List<Integer> eos = new ArrayList<>();
        JsonNode e = root.get("eos_token_id");
        if (e != null && e.isArray()) {
            for (JsonNode x : e) {
                if (!x.canConvertToInt()) throw new DataException(file, 0, "eos_token_id", "must be integers");
                eos.add(x.asInt());
            }
        } else if (e != null && !e.isNull()) {
            if (!e.canConvertToInt()) throw new DataException(file, 0, "eos_token_id", "must be an integer");
            eos.add(e.asInt());
        }
        return arch.family().parse(new Keys(file, root), arch, head, numLabels, bos, eos, pad);
    }

    /**
     * Reading helpers over one config.json for the families' parsers: a missing or bad key is a one-line
     * {@link DataException} naming the file and key.
     */
    record Keys(Path file, JsonNode root) {
        int i(String key, int dflt) {
            return intKey(file, root, key, dflt);
        }

        /** An integer key that may be absent or null (then {@code dflt}, which may be negative). */
        int opt(String key, int dflt) {
            JsonNode n = root.get(key);
            return n == null || n.isNull() ? dflt : intKey(file, root, key, dflt);
        }

        double d(String key, double dflt) {
            return numKey(file, root, key, dflt);
        }

        String s(String key, String dflt) {
            return strKey(file, root, key, dflt);
        }

        boolean b(String key, boolean dflt) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) return dflt;
            if (!n.isBoolean()) throw new DataException(file, 0, key, "must be true or false, got " + n);
            return n.asBoolean();
        }

        boolean has(String key) {
            return root.has(key) && !root.get(key).isNull();
        }

        DataException bad(String key, String message) {
            return new DataException(file, 0, key, message);
        }

        /** A list of strings (e.g. {@code layer_types}); null when absent. */
        List<String> strings(String key) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) return null;
            if (!n.isArray()) throw bad(key, "must be a list");
            List<String> out = new ArrayList<>();
            for (JsonNode x : n) {
                if (!x.isTextual()) throw bad(key, "must hold strings, got " + x);
                out.add(x.asText());
            }
            return out;
        }

        /** A list of integers; null when absent. */
        List<Integer> ints(String key) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) return null;
            if (!n.isArray()) throw bad(key, "must be a list");
            List<Integer> out = new ArrayList<>();
            for (JsonNode x : n) {
                if (!x.canConvertToInt()) throw bad(key, "must hold integers, got " + x);
                out.add(x.asInt());
            }
            return out;
        }

        /**
         * The rotary block for layers of {@code layerType} (null: the only one): {@code rope_parameters} (transformers
         * 5, possibly one block per layer type) or {@code rope_scaling} (transformers 4), else an empty object.
         */
        JsonNode ropeBlock(String layerType) {
            JsonNode p = root.get("rope_parameters");
            if (p == null || p.isNull()) p = root.get("rope_scaling");
            if (p == null || p.isNull()) return Json.MAPPER.createObjectNode();
            if (!p.isObject()) throw bad("rope_parameters", "must be an object");
            if (layerType != null && p.has(layerType) && p.get(layerType).isObject()) return p.get(layerType);
            if (p.has("full_attention") && p.get("full_attention").isObject()) return p.get("full_attention");
            return p;
        }

        /** rope_theta of a rotary block, else the top-level key, else {@code dflt}. */
        double ropeTheta(JsonNode block, double dflt) {
            if (block.has("rope_theta")) return numKey(file, block, "rope_theta", dflt);
            return numKey(file, root, "rope_theta", dflt);
        }

        /** The scaling of a rotary block. */
        RopeScaling ropeScaling(JsonNode block) {
            String type = block.has("rope_type") ? block.get("rope_type").asText() : block.path("type").asText("default");
            String key = "rope_parameters.rope_type";
            switch (type) {
                case "default":
                    return RopeScaling.NONE;
                case "linear":
                case "dynamic":
                case "yarn":
                case "llama3": {
                    if (!block.has("factor")) throw bad("rope_parameters.factor", "missing (rope type " + type + ")");
                    double factor = numKey(file, block, "factor", 1.0);
                    int orig = block.has("original_max_position_embeddings") ? intKey(file, block, "original_max_position_embeddings", 1)
                            : type.equals("llama3") ? -1 : i("max_position_embeddings", 2048);
                    if (orig < 0) throw bad("rope_parameters.original_max_position_embeddings", "missing (rope type llama3)");
                    return new RopeScaling(type, factor, orig, numKey(file, block, "low_freq_factor", 1.0), numKey(file, block, "high_freq_factor", 4.0),
                            numKey(file, block, "beta_fast", 32.0), numKey(file, block, "beta_slow", 1.0),
                            block.has("attention_factor") ? numKey(file, block, "attention_factor", 1.0) : Double.NaN);
                }
                default:
                    throw bad(key, "unsupported rope type '" + type + "' (supported: default, linear, dynamic, yarn, llama3)");
            }
        }
    }

    /**
     * Rotary frequency scaling, as transformers' {@code modeling_rope_utils}: {@code linear} (position
     * interpolation), {@code dynamic} (NTK-aware base growth past the original context), {@code yarn} (Peng et al.
     * 2023) and {@code llama3} (Llama 3.1's wavelength-banded scaling).
     *
     * @param type                 default, linear, dynamic, yarn or llama3
     * @param factor               scaling factor (>= 1 in practice)
     * @param originalMaxPositions the pretraining context (llama3, yarn, dynamic)
     * @param lowFreqFactor        llama3 low-frequency factor (default 1)
     * @param highFreqFactor       llama3 high-frequency factor (default 4)
     * @param betaFast             yarn beta_fast (default 32)
     * @param betaSlow             yarn beta_slow (default 1)
     * @param attentionFactor      yarn cos/sin multiplier; NaN: 0.1 ln(factor) + 1
     */
    public record RopeScaling(String type, double factor, int originalMaxPositions, double lowFreqFactor, double highFreqFactor,
                              double betaFast, double betaSlow, double attentionFactor) {
        public static final RopeScaling NONE = new RopeScaling("default", 1.0, 0, 1.0, 4.0, 32.0, 1.0, Double.NaN);

        public RopeScaling {
            require(List.of("default", "linear", "dynamic", "yarn", "llama3").contains(type), "unsupported rope type " + type);
            require(factor > 0 && Double.isFinite(factor), "rope factor must be > 0: " + factor);
            require(!type.equals("llama3") || highFreqFactor != lowFreqFactor, "llama3 rope needs high_freq_factor != low_freq_factor");
        }
    }

    /**
     * Per-layer choices and the family extras that are not plain numbers of every decoder.
     *
     * @param layerTypes        per layer: {@code full_attention}, {@code sliding_attention} or {@code conv} (LFM2)
     * @param slidingWindow     keys a sliding layer sees, itself included (query i reads keys j > i - window); 0 when none
     * @param attentionScale    multiplier of q·k (1/sqrt(head_dim); Gemma: query_pre_attn_scalar^-1/2)
     * @param attnSoftcap       attention-logit soft-capping c (scores -> c tanh(scores / c)); 0 when off
     * @param finalSoftcap      LM-logit soft-capping; 0 when off
     * @param localRopeTheta    rotary base of sliding layers (Gemma 3 {@code rope_local_base_freq}); NaN: as full layers
     * @param ropeLayers        per layer: whether it applies rotary positions (SmolLM3's {@code no_rope_layers})
     * @param convKernel        LFM2 short-convolution length ({@code conv_L_cache}); 0 when no conv layers
     * @param convBias          LFM2 convolution and its projections have biases
     */
    public record Layout(List<String> layerTypes, int slidingWindow, double attentionScale, double attnSoftcap, double finalSoftcap,
                         double localRopeTheta, List<Boolean> ropeLayers, int convKernel, boolean convBias) {
        public Layout {
            layerTypes = List.copyOf(layerTypes);
            ropeLayers = List.copyOf(ropeLayers);
            for (String t : layerTypes) {
                require(t.equals("full_attention") || t.equals("sliding_attention") || t.equals("conv"),
                        "unsupported layer type '" + t + "' (supported: full_attention, sliding_attention, conv)");
            }
            require(ropeLayers.size() == layerTypes.size(), "one rope flag per layer");
            require(slidingWindow >= 0, "sliding_window must be >= 0: " + slidingWindow);
            require(!layerTypes.contains("sliding_attention") || slidingWindow > 0, "sliding layers need sliding_window > 0");
            require(attentionScale > 0 && Double.isFinite(attentionScale), "attention scale must be > 0");
            require(attnSoftcap >= 0 && finalSoftcap >= 0, "soft-capping must be >= 0");
            require(!layerTypes.contains("conv") || convKernel >= 1, "conv layers need conv_L_cache >= 1");
        }

        /** Every layer full attention with rotary positions, no extras. */
        public static Layout plain(int layers, double attentionScale) {
            return new Layout(java.util.Collections.nCopies(layers, "full_attention"), 0, attentionScale, 0, 0, Double.NaN,
                    java.util.Collections.nCopies(layers, true), 0, false);
        }

        public boolean sliding(int layer) {
            return layerTypes.get(layer).equals("sliding_attention");
        }

        public boolean conv(int layer) {
            return layerTypes.get(layer).equals("conv");
        }

        public boolean anySliding() {
            return layerTypes.contains("sliding_attention");
        }
    }

    static int optId(Path file, JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) return -1;
        if (n.isArray() && n.size() > 0) n = n.get(0);
        if (!n.canConvertToInt()) throw new DataException(file, 0, key, "must be an integer");
        return n.asInt();
    }

    static int intKey(Path file, JsonNode root, String key, int dflt) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            if (dflt < 0) throw new DataException(file, 0, key, "missing");
            return dflt;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) throw new DataException(file, 0, key, "must be an integer, got " + n);
        return n.asInt();
    }

    static double numKey(Path file, JsonNode root, String key, double dflt) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) return dflt;
        if (!n.isNumber()) throw new DataException(file, 0, key, "must be a number, got " + n);
        return n.asDouble();
    }

    static String strKey(Path file, JsonNode root, String key, String dflt) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) return dflt;
        if (!n.isTextual()) throw new DataException(file, 0, key, "must be a string, got " + n);
        return n.asText();
    }
}
