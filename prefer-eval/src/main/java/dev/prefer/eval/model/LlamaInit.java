package dev.prefer.eval.model;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Hashes;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.eval.tokenizer.BpeTokenizer;
import dev.prefer.lm.io.DType;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A freshly initialised Llama-layout model with Hugging Face tensor names and shapes, written as a model folder the
 * runtime (and transformers) can load: {@code config.json}, {@code generation_config.json}, {@code model.safetensors}
 * (float32), {@code tokenizer.json}, {@code tokenizer_config.json} and {@code manifest.json}.
 *
 * <p>Initialisation follows transformers' {@code LlamaPreTrainedModel._init_weights}: every linear weight and the
 * embedding ~ N(0, initializer_range²), the padding token's embedding row zero, RMSNorm weights one (the fixture
 * llama shows the same: std 0.2 = its initializer_range, row 0 zero, norms 1). Normal draws are Box-Muller over a
 * {@link SplittableRandom} seeded per tensor from (seed, tensor name), so a tensor's values do not depend on the
 * other tensors and the same seed gives the same bytes on every JVM.
 *
 * <p>Layout ({@code // (out, in)} like torch.nn.Linear), per layer N: {@code model.layers.N.self_attn.q_proj.weight}
 * (heads·headDim, d), {@code k_proj}/{@code v_proj} (kvHeads·headDim, d), {@code o_proj} (d, heads·headDim),
 * {@code mlp.gate_proj}/{@code up_proj} (ffn, d), {@code mlp.down_proj} (d, ffn), {@code input_layernorm} and
 * {@code post_attention_layernorm} (d); then {@code model.embed_tokens.weight} (V, d), {@code model.norm.weight} (d)
 * and {@code lm_head.weight} (V, d) unless tied.
 */
public final class LlamaInit {
    private LlamaInit() {}

    /** The initial tensors by Hugging Face name, in module order. */
    public static LinkedHashMap<String, HostTensor> tensors(LlamaConfig c, long seed) {
        LinkedHashMap<String, HostTensor> t = new LinkedHashMap<>();
        int d = c.hiddenSize(), q = c.numAttentionHeads() * c.headDim(), kv = c.numKeyValueHeads() * c.headDim();
        double std = c.initializerRange();
        float[] embed = normal("model.embed_tokens.weight", (long) c.vocabSize() * d, std, seed);
        java.util.Arrays.fill(embed, c.padTokenId() * d, (c.padTokenId() + 1) * d, 0f);
        put(t, "model.embed_tokens.weight", new long[] {c.vocabSize(), d}, embed);
        for (int layer = 0; layer < c.numHiddenLayers(); layer++) {
            String p = "model.layers." + layer + ".";
            put(t, p + "self_attn.q_proj.weight", new long[] {q, d}, normal(p + "self_attn.q_proj.weight", (long) q * d, std, seed));
            put(t, p + "self_attn.k_proj.weight", new long[] {kv, d}, normal(p + "self_attn.k_proj.weight", (long) kv * d, std, seed));
            put(t, p + "self_attn.v_proj.weight", new long[] {kv, d}, normal(p + "self_attn.v_proj.weight", (long) kv * d, std, seed));
            put(t, p + "self_attn.o_proj.weight", new long[] {d, q}, normal(p + "self_attn.o_proj.weight", (long) d * q, std, seed));
            int f = c.intermediateSize();
            put(t, p + "mlp.gate_proj.weight", new long[] {f, d}, normal(p + "mlp.gate_proj.weight", (long) f * d, std, seed));
            put(t, p + "mlp.up_proj.weight", new long[] {f, d}, normal(p + "mlp.up_proj.weight", (long) f * d, std, seed));
            put(t, p + "mlp.down_proj.weight", new long[] {d, f}, normal(p + "mlp.down_proj.weight", (long) d * f, std, seed));
            put(t, p + "input_layernorm.weight", new long[] {d}, ones(d));
            put(t, p + "post_attention_layernorm.weight", new long[] {d}, ones(d));
        }
        put(t, "model.norm.weight", new long[] {d}, ones(d));
        if (!c.tieWordEmbeddings()) {
            put(t, "lm_head.weight", new long[] {c.vocabSize(), d}, normal("lm_head.weight", (long) c.vocabSize() * d, std, seed));
        }
        return t;
    }

    /**
     * Writes the model folder. The folder is assembled in a temporary sibling and renamed into place, so a crash
     * never leaves a half-written model; an existing non-empty folder is refused.
     *
     * @param tokenizer its vocabulary must fit the config, and its end-of-text token must be the config's eos id
     */
    public static Path write(Path folder, LlamaConfig config, BpeTokenizer tokenizer, long seed) {
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabSize() + " tokens, config.vocabSize is " + config.vocabSize());
        }
        if (tokenizer.special().isEmpty() || tokenizer.specialId(tokenizer.special().get(0)) != config.eosTokenId()) {
            throw new IllegalArgumentException("the tokenizer's end-of-text token must have the config's eos id " + config.eosTokenId());
        }
        Path target = folder.toAbsolutePath();
        try {
            if (Files.isDirectory(target)) {
                try (Stream<Path> s = Files.list(target)) {
                    if (s.findAny().isPresent()) throw new IllegalArgumentException("output folder exists and is not empty: " + target);
                }
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".");
            try { // a temporary directory is owner-only; the model folder should be an ordinary one
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            try {
                AtomicFiles.writeString(tmp.resolve("config.json"), Json.pretty(config.toConfigJson()) + "\n");
                AtomicFiles.writeString(tmp.resolve("generation_config.json"), Json.pretty(config.toGenerationConfigJson()) + "\n");
                SafeTensors.write(tmp.resolve("model.safetensors"), tensors(config, seed), Map.of("format", "pt"), DType.F32);
                tokenizer.save(tmp, config.maxPositionEmbeddings());
                Map<String, Object> cfg = new LinkedHashMap<>(config.toConfigJson());
                cfg.put("parameters", config.parameterCount());
                cfg.put("init", "normal(0, initializer_range), pad row zero, norms one; Box-Muller per tensor from (seed, name)");
                Manifest.of("init-llama", cfg, seed)
                        .withInputHash("tokenizer.json", Hashes.sha256(tmp.resolve("tokenizer.json")))
                        .writeTo(tmp);
                if (Files.isDirectory(target)) Files.delete(target); // empty, checked above
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                tmp = null;
            } finally {
                if (tmp != null) deleteTree(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model folder " + target + ": " + e.getMessage(), e);
        }
        return target;
    }

    private static void put(Map<String, HostTensor> t, String name, long[] shape, float[] data) {
        t.put(name, HostTensor.of(name, shape, data));
    }

    private static float[] ones(int n) {
        float[] x = new float[n];
        java.util.Arrays.fill(x, 1f);
        return x;
    }

    /** n draws of N(0, std²) from a generator seeded by (seed, name): Box-Muller on two uniforms per pair. */
    static float[] normal(String name, long n, double std, long seed) {
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(name + " is too large for one array: " + n);
        long nameHash = Long.parseUnsignedLong(Hashes.sha256(name).substring(0, 16), 16);
        SplittableRandom rng = new SplittableRandom(seed ^ nameHash);
        float[] x = new float[(int) n];
        for (int i = 0; i < x.length; i += 2) {
            double u1 = 1.0 - rng.nextDouble(); // (0, 1]
            double u2 = rng.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1)) * std;
            x[i] = (float) (r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < x.length) x[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
        }
        return x;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try { Files.deleteIfExists(p); } catch (IOException ignored) { /* best effort */ }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
