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
 * @param json              the original config.json, kept so that saving writes back every key
 */
public record ModelConfig(Architecture architecture, Head head, int vocabSize, int hiddenSize, int numLayers,
                          int numHeads, int numKvHeads, int headDim, int intermediateSize, int maxPositions,
                          double normEps, double ropeTheta, String activation, boolean tieWordEmbeddings,
                          boolean attentionBias, boolean outputBias, boolean mlpBias, int numLabels,
                          int bosTokenId, List<Integer> eosTokenIds, int padTokenId, String json) {

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

    private static void require(boolean ok, String message) {
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
        if (arch == null) {
            throw new DataException(file, 0, className != null ? "architectures" : "model_type",
                    "unsupported architecture '" + (className != null ? className : modelType)
                            + "' (supported: GPT2LMHeadModel, LlamaForCausalLM, Qwen2ForCausalLM, MistralForCausalLM and their ForSequenceClassification variants)");
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
        String json = root.toString();
        if (arch == Architecture.GPT2) {
            int d = intKey(file, root, "n_embd", 768);
            int h = intKey(file, root, "n_head", 12);
            if (h <= 0 || d % h != 0) throw new DataException(file, 0, "n_head", "n_embd " + d + " is not a multiple of n_head " + h);
            JsonNode inner = root.get("n_inner");
            int ff = inner == null || inner.isNull() ? 4 * d : intKey(file, root, "n_inner", 4 * d);
            String act = strKey(file, root, "activation_function", "gelu_new");
            if (root.path("scale_attn_by_inverse_layer_idx").asBoolean(false) || root.path("reorder_and_upcast_attn").asBoolean(false)) {
                throw new DataException(file, 0, "scale_attn_by_inverse_layer_idx", "GPT-2 attention variants are not supported");
            }
            return new ModelConfig(arch, head, intKey(file, root, "vocab_size", 50257), d, intKey(file, root, "n_layer", 12),
                    h, h, d / h, ff, intKey(file, root, "n_positions", 1024),
                    numKey(file, root, "layer_norm_epsilon", 1e-5), Double.NaN, act,
                    root.path("tie_word_embeddings").asBoolean(true), true, true, true, numLabels, bos, eos, pad, json);
        }
        int d = intKey(file, root, "hidden_size", -1);
        int h = intKey(file, root, "num_attention_heads", -1);
        int kv = root.has("num_key_value_heads") && !root.get("num_key_value_heads").isNull() ? intKey(file, root, "num_key_value_heads", h) : h;
        int hd = root.has("head_dim") && !root.get("head_dim").isNull() ? intKey(file, root, "head_dim", -1) : (h > 0 ? d / h : -1);
        double theta = ropeTheta(file, root);
        boolean attnBias = arch == Architecture.QWEN2 || root.path("attention_bias").asBoolean(false);
        boolean outBias = arch != Architecture.QWEN2 && root.path("attention_bias").asBoolean(false);
        boolean mlpBias = arch == Architecture.LLAMA && root.path("mlp_bias").asBoolean(false);
        return new ModelConfig(arch, head, intKey(file, root, "vocab_size", -1), d, intKey(file, root, "num_hidden_layers", -1),
                h, kv, hd, intKey(file, root, "intermediate_size", -1), intKey(file, root, "max_position_embeddings", 2048),
                numKey(file, root, "rms_norm_eps", 1e-6), theta, strKey(file, root, "hidden_act", "silu"),
                root.path("tie_word_embeddings").asBoolean(false), attnBias, outBias, mlpBias, numLabels, bos, eos, pad, json);
    }

    /** {@code rope_theta} from the top level or the newer {@code rope_parameters} block; only the default rope type. */
    private static double ropeTheta(Path file, JsonNode root) {
        JsonNode params = root.get("rope_parameters");
        if (params == null || params.isNull()) params = root.get("rope_scaling");
        if (params != null && !params.isNull()) {
            if (!params.isObject()) throw new DataException(file, 0, "rope_parameters", "must be an object");
            String type = params.has("rope_type") ? params.get("rope_type").asText() : params.path("type").asText("default");
            if (!type.equals("default")) {
                throw new DataException(file, 0, "rope_parameters.rope_type", "unsupported rope type '" + type + "' (supported: default)");
            }
            if (params.has("rope_theta")) return numKey(file, params, "rope_theta", 10000.0);
        }
        return numKey(file, root, "rope_theta", 10000.0);
    }

    private static int optId(Path file, JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) return -1;
        if (n.isArray() && n.size() > 0) n = n.get(0);
        if (!n.canConvertToInt()) throw new DataException(file, 0, key, "must be an integer");
        return n.asInt();
    }

    private static int intKey(Path file, JsonNode root, String key, int dflt) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            if (dflt < 0) throw new DataException(file, 0, key, "missing");
            return dflt;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) throw new DataException(file, 0, key, "must be an integer, got " + n);
        return n.asInt();
    }

    private static double numKey(Path file, JsonNode root, String key, double dflt) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) return dflt;
        if (!n.isNumber()) throw new DataException(file, 0, key, "must be a number, got " + n);
        return n.asDouble();
    }

    private static String strKey(Path file, JsonNode root, String key, String dflt) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) return dflt;
        if (!n.isTextual()) throw new DataException(file, 0, key, "must be a string, got " + n);
        return n.asText();
    }
}
