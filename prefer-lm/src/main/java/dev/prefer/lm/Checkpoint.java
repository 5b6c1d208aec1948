package dev.prefer.lm;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.lm.io.DType;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import dev.prefer.lm.io.WeightCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading and writing Hugging Face checkpoint folders (config.json, safetensors, tokenizer files). */
final class Checkpoint {
    /** Tokenizer and generation files copied verbatim when saving. */
    static final List<String> SIDE_FILES = List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
            "generation_config.json", "chat_template.jinja", "vocab.json", "merges.txt", "tokenizer.model", "added_tokens.json");

    private Checkpoint() {}

    /**
     * The parameters as host tensors made on each access (the writer walks them twice: header, then data), so that
     * saving never holds every weight widened to float32 at once.
     */
    private static Map<String, HostTensor> hostView(Transformer model) {
        List<String> names = model.parameterNames();
        return new java.util.AbstractMap<>() {
            @Override
            public java.util.Set<Entry<String, HostTensor>> entrySet() {
                return new java.util.AbstractSet<>() {
                    @Override
                    public java.util.Iterator<Entry<String, HostTensor>> iterator() {
                        java.util.Iterator<String> it = names.iterator();
                        return new java.util.Iterator<>() {
                            @Override
                            public boolean hasNext() {
                                return it.hasNext();
                            }

                            @Override
                            public Entry<String, HostTensor> next() {
                                String n = it.next();
                                return Map.entry(n, model.hostCopy(n));
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return names.size();
                    }
                };
            }
        };
    }

    /** A loaded backbone with its tokenizer. */
    record Loaded(ModelConfig config, Transformer model, LmTokenizer tokenizer) {}

    static Loaded load(Path dir, Precision precision) {
        if (!Files.isDirectory(dir)) throw DataException.ofFile(dir, "not a checkpoint folder");
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        Path single = dir.resolve("model.safetensors");
        Path source = Files.exists(single) ? single : dir.resolve("model.safetensors.index.json");
        Transformer model;
        long hostBytes = 0;
        if (Files.isRegularFile(single)) {
            // one tensor at a time (a lazily read map): the host never holds every weight widened to float32 at once
            SafeTensors.Header header = SafeTensors.readHeader(single);
            for (SafeTensors.Entry e : header.entries()) hostBytes += 4L * e.numel();
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(single, java.nio.file.StandardOpenOption.READ)) {
                model = Transformer.fromTensors(config, lazy(config, header, ch, source), precision.dataType(), source);
            } catch (IOException e) {
                throw DataException.ofFile(single, "cannot read: " + e.getMessage());
            }
        } else {
            LinkedHashMap<String, HostTensor> tensors = SafeTensors.readCheckpoint(dir);
            // Every tensor the model loads must be a finite floating-point weight (buffers it skips are not checked).
            for (var e : tensors.entrySet()) {
                if (Transformer.canonicalName(config, e.getKey()) != null) WeightCheck.check(source, e.getKey(), e.getValue());
            }
            model = Transformer.fromTensors(config, tensors, precision.dataType(), source);
            for (HostTensor t : tensors.values()) hostBytes += 4L * t.numel();
            tensors = null;
        }
        // The host copies (float32, as large as the model) are garbage now; a full collection lets the JVM give their
        // heap back to the OS before training allocates its own memory, so the two do not add up in the peak RSS.
        if (hostBytes > (64L << 20)) System.gc();
        try {
            return new Loaded(config, model, LmTokenizer.load(dir, config));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * The tensors of one file read on {@code get}, each checked as the model asks for it (a finite floating-point
     * weight); names in file order.
     */
    private static Map<String, HostTensor> lazy(ModelConfig config, SafeTensors.Header header, java.nio.channels.FileChannel ch, Path source) {
        Map<String, SafeTensors.Entry> entries = new LinkedHashMap<>();
        for (SafeTensors.Entry e : header.entries()) entries.put(e.name(), e);
        return new java.util.AbstractMap<>() {
            @Override
            public java.util.Set<String> keySet() {
                return java.util.Collections.unmodifiableSet(entries.keySet());
            }

            @Override
            public HostTensor get(Object key) {
                SafeTensors.Entry e = entries.get(key);
                if (e == null) return null;
                HostTensor t = SafeTensors.readEntry(ch, header, e, source.toString());
                if (Transformer.canonicalName(config, e.name()) != null) WeightCheck.check(source, e.name(), t);
                return t;
            }

            @Override
            public java.util.Set<Entry<String, HostTensor>> entrySet() {
                throw new UnsupportedOperationException("read by key");
            }
        };
    }

    /**
     * Writes a folder transformers loads: config.json, model.safetensors (Hugging Face names and layouts, GPT-2
     * Conv1D kept as [in, out], tied LM head omitted as transformers does), the tokenizer files of {@code source}
     * and a manifest.
     */
    static void save(Transformer model, Path source, Path dir, DType storeAs) {
        try {
            Files.createDirectories(dir);
            for (String f : SIDE_FILES) {
                Path from = source.resolve(f);
                Path to = dir.resolve(f);
                if (Files.isRegularFile(from) && !(Files.exists(to) && Files.isSameFile(from, to))) {
                    AtomicFiles.write(to, Files.readAllBytes(from));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir + ": " + e.getMessage(), e);
        }
        ModelConfig c = model.config();
        var json = c.toJson();
        json.put("dtype", storeAs == DType.F32 ? "float32" : storeAs == DType.F16 ? "float16" : "bfloat16");
        json.put("tie_word_embeddings", c.tieWordEmbeddings());
        AtomicFiles.writeString(dir.resolve("config.json"), Json.pretty(json) + "\n");
        SafeTensors.write(dir.resolve("model.safetensors"), hostView(model), Map.of("format", "pt"), storeAs);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("architecture", c.architecture().className(c.head()));
        cfg.put("source", source.toAbsolutePath().toString());
        cfg.put("parameters", model.parameterCount());
        cfg.put("dtype", storeAs.name());
        Manifest.of("hf-checkpoint", cfg, null).writeTo(dir);
    }
}
