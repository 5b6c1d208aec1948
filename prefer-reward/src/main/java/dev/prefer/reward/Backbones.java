package dev.prefer.reward;

import dev.prefer.reward.backbone.Backbone;
import dev.prefer.reward.backbone.CachedBackbone;
import dev.prefer.reward.backbone.HashingBackbone;
import dev.prefer.reward.backbone.MiniLmBackbone;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Opens a backbone by name: {@code minilm} (all-MiniLM-L6-v2, cached in memory and on disk), {@code minilm-q} (its int8 quantised copy), {@code hash-N}
 * (feature hashing into N buckets), {@code none} (no backbone; only for the named-feature linear head). A folder
 * (a Hugging Face causal LM with a score head) is backbone (b): it is trained end to end with its own score head
 * ({@link LmRewardTraining}, {@link LmRewardModel}), not used as a frozen embedding here.
 */
public final class Backbones {
    private Backbones() {}

    /** Runtime options for opening a backbone: worker threads and the on-disk embedding cache (null: memory only). */
    public record Options(int threads, Path cacheRoot) {
        public Options {
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1: " + threads);
        }

        public static Options defaults() {
            return new Options(Runtime.getRuntime().availableProcessors(), CachedBackbone.defaultRoot());
        }

        public static Options inMemory(int threads) {
            return new Options(threads, null);
        }
    }

    /** The backbone for a name or saved id; null for {@code none}. */
    public static Backbone open(String name, Options options) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("none")) return null;
        if (n.equals("minilm") || n.equals(MiniLmBackbone.ID)) {
            return new CachedBackbone(new MiniLmBackbone(options.threads()), options.cacheRoot());
        }
        if (n.equals("minilm-q") || n.equals(MiniLmBackbone.QUANTIZED_ID)) {
            return new CachedBackbone(new MiniLmBackbone(options.threads(), false, true, true), options.cacheRoot());
        }
        if (n.startsWith("hash")) {
            int d = 256;
            if (n.startsWith("hash-")) {
                try {
                    d = Integer.parseInt(n.substring(5));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad hashing backbone '" + name + "'; expected hash-N, e.g. hash-256");
                }
            }
            return new CachedBackbone(new HashingBackbone(d));
        }
        if (Files.isDirectory(Path.of(name))) {
            throw new IllegalArgumentException("a model folder (" + name + ") is a language-model reward model, not an embedding backbone: train it with LmRewardTraining (prefer train reward --backbone DIR) and load it with LmRewardModel");
        }
        throw new IllegalArgumentException("unknown backbone '" + name + "'; expected minilm, minilm-q, hash-N, none, or a model folder");
    }
}
