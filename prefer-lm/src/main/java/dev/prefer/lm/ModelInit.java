package dev.prefer.lm;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Hashes;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.lm.tokenizer.BpeTokenizer;
import dev.prefer.lm.io.DType;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import dev.prefer.lm.tokenizer.BpeTokenizer;
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
 * A freshly initialised model of any supported family with Hugging Face tensor names and shapes
 * ({@link Transformer#expectedShapes}), written as a model folder the runtime (and transformers) can load:
 * {@code config.json}, {@code generation_config.json}, {@code model.safetensors} (float32), {@code tokenizer.json},
 * {@code tokenizer_config.json} and {@code manifest.json}. (Moved here from prefer-eval's {@code LlamaInit}; the Llama
 * tensors it makes are the same numbers.)
 *
 * <p>Initialisation follows transformers' {@code PreTrainedModel._init_weights} (e.g. {@code LlamaPreTrainedModel}):
 * every linear/convolution weight and the embedding ~ N(0, initializer_range²), the padding token's embedding row
 * zero, biases zero, norm weights one (Gemma's (1 + w) norms: zero). Normal draws are Box-Muller over a
 * {@link SplittableRandom} seeded per tensor from (seed, tensor name), so a tensor's values do not depend on the
 * other tensors and the same seed gives the same bytes on every JVM.
 */
public final class ModelInit {
    private ModelInit() {}

    /** The initial tensors by Hugging Face name, in the order of {@link Transformer#expectedShapes}. */
    public static LinkedHashMap<String, HostTensor> tensors(ModelConfig c, long seed) {
        LinkedHashMap<String, HostTensor> t = new LinkedHashMap<>();
        double std = c.initializerRange();
        boolean plusOne = c.architecture() == Architecture.GEMMA2 || c.architecture() == Architecture.GEMMA3;
        String embedding = c.architecture().family().embeddingName();
        for (Map.Entry<String, long[]> e : Transformer.expectedShapes(c).entrySet()) {
            String name = e.getKey();
            long n = 1;
            for (long s : e.getValue()) n *= s;
            float[] x;
            if (name.endsWith(".bias")) {
                x = new float[Math.toIntExact(n)];
            } else if (name.contains("norm") || name.contains(".ln_")) {
                x = new float[Math.toIntExact(n)];
                if (!plusOne) java.util.Arrays.fill(x, 1f);
            } else {
                x = normal(name, n, std, seed);
                if (name.equals(embedding) && c.padTokenId() >= 0) {
                    int d = c.hiddenSize();
                    java.util.Arrays.fill(x, c.padTokenId() * d, (c.padTokenId() + 1) * d, 0f);
                }
            }
            put(t, name, e.getValue(), x);
        }
        return t;
    }

    /** Number of scalar parameters of the weights {@link #tensors} makes. */
    public static long parameterCount(ModelConfig c) {
        long total = 0;
        for (long[] s : Transformer.expectedShapes(c).values()) {
            long n = 1;
            for (long d : s) n *= d;
            total += n;
        }
        return total;
    }

    /**
     * Writes the model folder. The folder is assembled in a temporary sibling and renamed into place, so a crash
     * never leaves a half-written model; an existing non-empty folder is refused.
     *
     * @param tokenizer its vocabulary must fit the config, and its end-of-text token must be the config's eos id
     */
    public static Path write(Path folder, ModelConfig config, BpeTokenizer tokenizer, long seed) {
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
                AtomicFiles.writeString(tmp.resolve("config.json"), Json.pretty(config.toJson()) + "\n");
                AtomicFiles.writeString(tmp.resolve("generation_config.json"), Json.pretty(config.toGenerationConfigJson()) + "\n");
                SafeTensors.write(tmp.resolve("model.safetensors"), tensors(config, seed), Map.of("format", "pt"), DType.F32);
                tokenizer.save(tmp, config.maxPositions());
                @SuppressWarnings("unchecked")
                Map<String, Object> cfg = new LinkedHashMap<>(Json.MAPPER.convertValue(config.toJson(), Map.class));
                cfg.put("parameters", parameterCount(config));
                cfg.put("init", "normal(0, initializer_range), pad row zero, biases zero, norms one; Box-Muller per tensor from (seed, name)");
                Manifest.of("init-" + config.architecture().modelType(), cfg, seed)
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
