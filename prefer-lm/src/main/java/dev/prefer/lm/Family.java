package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * One decoder family: how its {@code config.json} reads, its weights (Hugging Face names and shapes, fused
 * projections), and its block, written over the shared pieces in {@link Layers} and {@link Rotary}. A new family is one
 * small subclass, one {@link Architecture} constant and its reference test.
 */
abstract class Family {

    /** Builds the config from the keys of this family (common ids already read). */
    abstract ModelConfig parse(ModelConfig.Keys k, Architecture arch, ModelConfig.Head head, int numLabels, int bos, List<Integer> eos, int pad);

    /** Backbone parameters (names and shapes) in transformers' order; the heads are added by {@link Transformer}. */
    abstract void backboneShapes(ModelConfig c, LinkedHashMap<String, long[]> m);

    /** Name of the token-embedding matrix (the LM head when tied). */
    abstract String embeddingName();

    /** Input embeddings (B, T, D) of the pass's ids. */
    abstract NDArray embed(Transformer m, Pass p);

    /**
     * Block {@code i} on the residual stream x (B, T, D); returns the stream at positions {@code from..T-1} only
     * (B, T − from, D) (keys and values still cover every position).
     */
    abstract NDArray block(Transformer m, int i, NDArray x, Pass p, int from);

    /** The final norm. */
    abstract NDArray finalNorm(Transformer m, NDArray x);

    /** Maps a stored name to its canonical Hugging Face name; null for buffers transformers does not load. */
    String canonicalName(ModelConfig c, String name) {
        return name.endsWith("rotary_emb.inv_freq") ? null : name;
    }

    /** PEFT's default LoRA targets for the family (last part of the module name). */
    List<String> loraTargets() {
        return List.of("q_proj", "v_proj");
    }

    /** Linear weights stored (in, out). */
    boolean fanInFanOut() {
        return false;
    }

    /**
     * Whether {@link Transformer#forwardPacked} applies: attention-only families; a convolution would read across
     * the continuations of a packed row.
     */
    boolean packable() {
        return true;
    }
}
