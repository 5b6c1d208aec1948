package dev.prefer.eval;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.data.PreferencePair;
import dev.prefer.eval.tasks.Demonstrator;
import dev.prefer.eval.tasks.PairBuilder;
import dev.prefer.eval.tasks.Problem;
import dev.prefer.eval.tasks.TaskData;
import dev.prefer.eval.tasks.Tasks;
import dev.prefer.eval.tasks.VerifiableTask;
import dev.prefer.lm.ModelConfig;
import dev.prefer.lm.ModelInit;
import dev.prefer.lm.tokenizer.BpeTokenizer;
import dev.prefer.lm.tokenizer.BpeTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Everything a quickstart run needs before any training, from nothing: task data, a tokenizer trained on it, and a
 * freshly initialised Llama-layout model, all deterministic for a seed. Writes
 * <pre>
 *   OUT/data/sft.jsonl              {"prompt","completion"}   training problems with their references (SFT)
 *   OUT/data/train-prompts.jsonl    {"task","prompt","reference"}  the same prompts, for on-policy sampling
 *   OUT/data/heldout.jsonl          {"task","prompt","reference"}  evaluation prompts, disjoint from training
 *   OUT/data/heldout-pairs.jsonl    {"prompt","chosen","rejected","margin"}  reference vs verifier-checked hard
 *                                   negatives, for ranking accuracy on held-out pairs
 *   OUT/model-init/                 config.json, model.safetensors, tokenizer.json, ... (a Hugging Face folder)
 *   OUT/manifest.json               every setting and seed, hashes of the files above
 * </pre>
 */
public final class RunSetup {
    private RunSetup() {}

    /**
     * @param task               built-in task name ({@link Tasks#NAMES}; default arithmetic)
     * @param trainCount         training problems (default 2000)
     * @param heldOutCount       held-out problems (default 200)
     * @param negativesPerPrompt hard negatives per held-out prompt for held-out pairs (default 2)
     * @param vocabSize          tokenizer vocabulary, also the model's (default 512)
     * @param hiddenSize         model width (default 128)
     * @param intermediateSize   SwiGLU width (default 256)
     * @param layers             decoder layers (default 4)
     * @param heads              attention heads (default 4)
     * @param kvHeads            key/value heads (default 2)
     * @param maxPositions       longest sequence (default 64); must hold every prompt + reference + eos
     * @param seed               seed of the data draw and the initial weights (default 0)
     */
    public record Config(String task, int trainCount, int heldOutCount, int negativesPerPrompt, int vocabSize,
                         int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads, int maxPositions, long seed) {
        public Config {
            Tasks.byName(task); // validates the name
            if (trainCount < 1) throw new IllegalArgumentException("trainCount must be >= 1: " + trainCount);
            if (heldOutCount < 1) throw new IllegalArgumentException("heldOutCount must be >= 1: " + heldOutCount);
            if (negativesPerPrompt < 0) throw new IllegalArgumentException("negativesPerPrompt must be >= 0: " + negativesPerPrompt);
            ModelConfig.llama(vocabSize, hiddenSize, intermediateSize, layers, heads, kvHeads, maxPositions); // validates the shape
            new BpeTrainer(vocabSize, 2, List.of(BpeTrainer.END_OF_TEXT));
        }

        public static Config defaults(String task, long seed) {
            return new Config(task, 2000, 200, 2, 512, 128, 256, 4, 4, 2, 64, seed);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("task", task);
            m.put("train_count", trainCount);
            m.put("held_out_count", heldOutCount);
            m.put("negatives_per_prompt", negativesPerPrompt);
            m.put("vocab_size", vocabSize);
            m.put("hidden_size", hiddenSize);
            m.put("intermediate_size", intermediateSize);
            m.put("layers", layers);
            m.put("heads", heads);
            m.put("kv_heads", kvHeads);
            m.put("max_positions", maxPositions);
            return m;
        }
    }

    /**
     * Writes the data files alone (sft.jsonl, train-prompts.jsonl, heldout.jsonl, heldout-pairs.jsonl, as in the class
     * comment) into {@code dataDir}; for a run that brings its own model. Returns the number of held-out pairs.
     */
    public static <P extends Problem> int writeData(VerifiableTask<P> task, TaskData<P> data, int negativesPerPrompt, long seed, Path dataDir) {
        return writeData(task, data, Demonstrator.exact().demonstrate(task, data.train()), negativesPerPrompt, seed, dataDir);
    }

    /**
     * The same with the SFT file written from given demonstrations (e.g. a weak {@link Demonstrator}'s) instead of
     * the references; the prompts files and held-out pairs always carry the true references.
     */
    public static <P extends Problem> int writeData(VerifiableTask<P> task, TaskData<P> data, Demonstrator.Demonstrations sft,
                                                    int negativesPerPrompt, long seed, Path dataDir) {
        if (sft.rows().size() != data.train().size()) throw new IllegalArgumentException("one demonstration per training problem");
        TaskData.writeJsonl(dataDir.resolve("sft.jsonl"), sft.rows());
        TaskData.writePrompts(dataDir.resolve("train-prompts.jsonl"), task.name(), data.train());
        TaskData.writePrompts(dataDir.resolve("heldout.jsonl"), task.name(), data.heldOut());
        StringBuilder pairs = new StringBuilder();
        int nPairs = 0;
        for (PreferencePair pp : heldOutPairs(task, data, negativesPerPrompt, seed)) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt", pp.prompt());
            row.put("chosen", pp.chosen());
            row.put("rejected", pp.rejected());
            row.put("margin", pp.margin());
            pairs.append(Json.line(row)).append('\n');
            nPairs++;
        }
        AtomicFiles.writeString(dataDir.resolve("heldout-pairs.jsonl"), pairs.toString());
        return nPairs;
    }

    /**
     * The held-out pairs {@link #writeData} writes to {@code heldout-pairs.jsonl}, in memory: per held-out problem,
     * its reference against {@code negativesPerPrompt} hard negatives drawn with a generator seeded from {@code seed}.
     */
    public static <P extends Problem> List<PreferencePair> heldOutPairs(VerifiableTask<P> task, TaskData<P> data, int negativesPerPrompt, long seed) {
        SplittableRandom negRng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<PreferencePair> out = new ArrayList<>();
        for (P p : data.heldOut()) out.addAll(PairBuilder.hardNegativePairs(task, p, negRng, negativesPerPrompt));
        return out;
    }

    /** What was made. */
    public record Result(Path dataDir, Path modelDir, int trainCount, int heldOutCount, int heldOutPairs,
                         int tokenizerVocab, int longestSequence, long parameters, Demonstrator.Demonstrations demonstrations) {}

    public static Result prepare(Config config, Path out) {
        @SuppressWarnings("unchecked")
        VerifiableTask<Problem> task = (VerifiableTask<Problem>) Tasks.byName(config.task());
        return prepare(task, TaskData.generate(task, new TaskData.Config(config.trainCount(), config.heldOutCount(), config.seed())), config, out);
    }

    /**
     * The same from given task data (e.g. a user's prompts file, {@link TaskData#fromPrompts}) instead of a fresh draw;
     * the config's counts are not used.
     */
    public static <P extends Problem> Result prepare(VerifiableTask<P> task, TaskData<P> data, Config config, Path out) {
        return prepare(task, data, Demonstrator.exact(), config, out);
    }

    /** The same with SFT data written by the given demonstrator (its settings and accuracy go to the manifest). */
    public static <P extends Problem> Result prepare(VerifiableTask<P> task, TaskData<P> data, Demonstrator demonstrator, Config config, Path out) {
        try {
            if (Files.isDirectory(out)) {
                try (var s = Files.list(out)) {
                    if (s.findAny().isPresent()) throw new IllegalArgumentException("output folder exists and is not empty: " + out);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        List<String> corpus = new ArrayList<>();
        for (P p : data.train()) {
            corpus.add(p.prompt());
            corpus.add(p.reference());
        }
        BpeTokenizer tok = new BpeTrainer(config.vocabSize(), 2, List.of(BpeTrainer.END_OF_TEXT)).train(corpus);
        int longest = 0;
        for (List<P> side : List.of(data.train(), data.heldOut())) {
            for (P p : side) longest = Math.max(longest, tok.encode(p.prompt()).length + tok.encode(p.reference()).length + 1);
        }
        if (longest > config.maxPositions()) {
            throw new IllegalArgumentException("the longest prompt + reference + eos is " + longest + " tokens; raise maxPositions (" + config.maxPositions() + ")");
        }

        Path dataDir = out.resolve("data");
        Demonstrator.Demonstrations demos = demonstrator.demonstrate(task, data.train());
        int nPairs = writeData(task, data, demos, config.negativesPerPrompt(), config.seed(), dataDir);

        // Model vocabulary = tokenizer vocabulary (the trainer may stop early on a small corpus).
        ModelConfig mc = ModelConfig.llama(tok.vocabSize(), config.hiddenSize(), config.intermediateSize(), config.layers(),
                config.heads(), config.kvHeads(), config.maxPositions());
        Path modelDir = ModelInit.write(out.resolve("model-init"), mc, tok, config.seed());

        Map<String, Object> cfg = config.toMap();
        cfg.put("tokenizer_vocab", tok.vocabSize());
        cfg.put("longest_sequence", longest);
        cfg.put("parameters", ModelInit.parameterCount(mc));
        cfg.put("held_out_fraction", 0.2);
        Map<String, Object> dm = demonstrator.toMap();
        dm.put("slipped", demos.slipped());
        dm.put("slippable", demos.slippable());
        dm.put("accuracy", demos.accuracy());
        cfg.put("demonstrator", dm);
        Manifest m = Manifest.of("run-setup", cfg, config.seed());
        for (String f : List.of("sft.jsonl", "train-prompts.jsonl", "heldout.jsonl", "heldout-pairs.jsonl")) m = m.withInput("data/" + f, dataDir.resolve(f));
        // Weights and tokenizer, not the whole folder: its own manifest carries a creation time.
        m.withInput("model-init/model.safetensors", modelDir.resolve("model.safetensors"))
                .withInput("model-init/tokenizer.json", modelDir.resolve("tokenizer.json")).writeTo(out);
        return new Result(dataDir, modelDir, data.train().size(), data.heldOut().size(), nPairs, tok.vocabSize(), longest, ModelInit.parameterCount(mc), demos);
    }
}
