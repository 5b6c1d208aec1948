package dev.prefer.eval.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a Llama-layout causal LM (Touvron et al. 2023: pre-norm RMSNorm, rotary positions, SwiGLU MLP,
 * grouped-query attention), with the field names and meaning of Hugging Face's {@code LlamaConfig}.
 *
 * @param vocabSize             tokens, >= 1
 * @param hiddenSize            model width d, >= 1
 * @param intermediateSize      SwiGLU inner width, >= 1
 * @param numHiddenLayers       decoder layers, >= 1
 * @param numAttentionHeads     query heads, >= 1
 * @param numKeyValueHeads      key/value heads, divides numAttentionHeads (GQA; equal = plain multi-head)
 * @param headDim               width of one head; hiddenSize / numAttentionHeads unless set otherwise
 * @param maxPositionEmbeddings longest sequence, >= 1
 * @param rmsNormEps            RMSNorm epsilon, > 0 (transformers' default 1e-6; the fixture uses 1e-5)
 * @param ropeTheta             RoPE base, > 0 (default 10000)
 * @param tieWordEmbeddings     share the input embedding with the LM head (then no {@code lm_head.weight})
 * @param initializerRange      standard deviation of the normal initialisation, > 0 (default 0.02)
 * @param bosTokenId            begin-of-sequence id, in [0, vocabSize)
 * @param eosTokenId            end-of-sequence id, in [0, vocabSize)
 * @param padTokenId            padding id, in [0, vocabSize); its embedding row starts at zero, as transformers does
 */
public record LlamaConfig(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
                          int numAttentionHeads, int numKeyValueHeads, int headDim, int maxPositionEmbeddings,
                          double rmsNormEps, double ropeTheta, boolean tieWordEmbeddings, double initializerRange,
                          int bosTokenId, int eosTokenId, int padTokenId) {

    public LlamaConfig {
        positive("vocabSize", vocabSize);
        positive("hiddenSize", hiddenSize);
        positive("intermediateSize", intermediateSize);
        positive("numHiddenLayers", numHiddenLayers);
        positive("numAttentionHeads", numAttentionHeads);
        positive("numKeyValueHeads", numKeyValueHeads);
        positive("headDim", headDim);
        positive("maxPositionEmbeddings", maxPositionEmbeddings);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("numKeyValueHeads (" + numKeyValueHeads + ") must divide numAttentionHeads (" + numAttentionHeads + ")");
        }
        if (headDim % 2 != 0) throw new IllegalArgumentException("headDim must be even for rotary embeddings: " + headDim);
        if (!(rmsNormEps > 0)) throw new IllegalArgumentException("rmsNormEps must be > 0: " + rmsNormEps);
        if (!(ropeTheta > 0)) throw new IllegalArgumentException("ropeTheta must be > 0: " + ropeTheta);
        if (!(initializerRange > 0) || Double.isInfinite(initializerRange)) throw new IllegalArgumentException("initializerRange must be finite and > 0: " + initializerRange);
        for (var e : Map.of("bosTokenId", bosTokenId, "eosTokenId", eosTokenId, "padTokenId", padTokenId).entrySet()) {
            if (e.getValue() < 0 || e.getValue() >= vocabSize) throw new IllegalArgumentException(e.getKey() + " must be in [0, vocabSize): " + e.getValue());
        }
    }

    /**
     * A small model with head width hiddenSize / heads, untied head, eps 1e-5, theta 1e4, init std 0.02 and
     * token 0 as bos/eos/pad (the trained tokenizer's {@code <|endoftext|>}).
     */
    public static LlamaConfig small(int vocabSize, int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads, int maxPositions) {
        if (heads <= 0 || hiddenSize % heads != 0) throw new IllegalArgumentException("heads (" + heads + ") must divide hiddenSize (" + hiddenSize + ")");
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, layers, heads, kvHeads, hiddenSize / heads, maxPositions,
                1e-5, 10000.0, false, 0.02, 0, 0, 0);
    }

    private static void positive(String name, int v) {
        if (v < 1) throw new IllegalArgumentException(name + " must be >= 1: " + v);
    }

    /** Parameter count of the weights {@link LlamaInit} writes. */
    public long parameterCount() {
        long d = hiddenSize, q = (long) numAttentionHeads * headDim, kv = (long) numKeyValueHeads * headDim;
        long layer = d * q + 2 * d * kv + q * d + 3 * d * intermediateSize + 2 * d;
        return vocabSize * d * (tieWordEmbeddings ? 1 : 2) + numHiddenLayers * layer + d;
    }

    /**
     * The {@code config.json} content, with the keys transformers 5 writes for {@code LlamaForCausalLM} plus the
     * top-level {@code rope_theta} that transformers 4 reads. {@code transformers_version} is left out: no
     * transformers wrote this file.
     */
    public Map<String, Object> toConfigJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("LlamaForCausalLM"));
        m.put("attention_bias", false);
        m.put("attention_dropout", 0.0);
        m.put("bos_token_id", bosTokenId);
        m.put("dtype", "float32");
        m.put("eos_token_id", eosTokenId);
        m.put("head_dim", headDim);
        m.put("hidden_act", "silu");
        m.put("hidden_size", hiddenSize);
        m.put("initializer_range", initializerRange);
        m.put("intermediate_size", intermediateSize);
        m.put("max_position_embeddings", maxPositionEmbeddings);
        m.put("mlp_bias", false);
        m.put("model_type", "llama");
        m.put("num_attention_heads", numAttentionHeads);
        m.put("num_hidden_layers", numHiddenLayers);
        m.put("num_key_value_heads", numKeyValueHeads);
        m.put("pad_token_id", padTokenId);
        m.put("pretraining_tp", 1);
        m.put("rms_norm_eps", rmsNormEps);
        Map<String, Object> rope = new LinkedHashMap<>();
        rope.put("rope_theta", ropeTheta);
        rope.put("rope_type", "default");
        m.put("rope_parameters", rope);
        m.put("rope_theta", ropeTheta);
        m.put("tie_word_embeddings", tieWordEmbeddings);
        m.put("use_cache", true);
        m.put("vocab_size", vocabSize);
        return m;
    }

    /** {@code generation_config.json}: the special ids, as transformers writes it from the model config. */
    public Map<String, Object> toGenerationConfigJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bos_token_id", bosTokenId);
        m.put("eos_token_id", eosTokenId);
        m.put("pad_token_id", padTokenId);
        m.put("use_cache", true);
        return m;
    }

    /**
     * Reads a Llama {@code config.json} (either rope form: {@code rope_parameters.rope_theta} or top-level
     * {@code rope_theta}); missing optional keys take transformers' defaults. Errors name the file and key.
     */
    public static LlamaConfig read(Path file) {
        JsonNode c = Json.readObject(file);
        String type = c.path("model_type").asText("");
        if (!type.equals("llama")) throw new DataException(file, 0, "model_type", "expected \"llama\", got \"" + type + "\"");
        int hidden = requireInt(file, c, "hidden_size");
        int heads = requireInt(file, c, "num_attention_heads");
        double theta = c.path("rope_parameters").has("rope_theta") ? c.path("rope_parameters").get("rope_theta").asDouble()
                : c.path("rope_theta").asDouble(10000.0);
        try {
            return new LlamaConfig(requireInt(file, c, "vocab_size"), hidden, requireInt(file, c, "intermediate_size"),
                    requireInt(file, c, "num_hidden_layers"), heads, c.path("num_key_value_heads").asInt(heads),
                    c.hasNonNull("head_dim") ? c.get("head_dim").asInt() : hidden / heads,
                    c.path("max_position_embeddings").asInt(2048), c.path("rms_norm_eps").asDouble(1e-6), theta,
                    c.path("tie_word_embeddings").asBoolean(false), c.path("initializer_range").asDouble(0.02),
                    tokenId(file, c, "bos_token_id", 1), tokenId(file, c, "eos_token_id", 2), tokenId(file, c, "pad_token_id", 0));
        } catch (IllegalArgumentException e) {
            throw DataException.ofFile(file, e.getMessage());
        }
    }

    /** A special-token id: absent or null gives the default; a list (several eos ids) gives its first entry. */
    private static int tokenId(Path file, JsonNode c, String key, int dflt) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) return dflt;
        if (v.isArray() && v.size() > 0) v = v.get(0);
        if (!v.isIntegralNumber()) throw new DataException(file, 0, key, "expected an integer token id");
        return v.asInt();
    }

    private static int requireInt(Path file, JsonNode c, String key) {
        JsonNode v = c.get(key);
        if (v == null || !v.isIntegralNumber()) throw new DataException(file, 0, key, "missing or not an integer");
        return v.asInt();
    }
}
