package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.prefer.lm.io.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face causal language model (GPT-2, Llama, Qwen2, Mistral) loaded from a local folder: sequence
 * log-probabilities, KV-cache generation and saving, computing what transformers computes.
 *
 * <pre>{@code
 * try (CausalLM lm = CausalLM.load(Path.of("models/gpt2"))) {
 *     List<SequenceLogps> lp = lm.logps(List.of(new PromptResponse("Q: 1+1=", " 2")));
 *     List<Generation> g = lm.generate(List.of("Once upon"), GenerationConfig.greedy(16));
 *     List<List<Completion>> k = lm.complete(List.of(new GenerationRequest(lm.encodePrompt("Q: 2+2="), 7L)),
 *             GenerationConfig.sample(16, 1.0, 0, 1.0, 0L).withSamples(4)); // 4 samples of one prompt
 *     lm.save(Path.of("out/copy"));
 * }
 * }</pre>
 *
 * <p>Log-probability convention (../shared/fixtures/README.md): response ids = encode(response) + [eos]; the
 * prompt is encoded separately and prepended; a sequence log-prob is the sum over response tokens (eos included) of
 * log p(token | all previous ids). Batches are right-padded; causal masking plus a key-padding mask make every
 * number independent of the padding.
 */
public final class CausalLM implements AutoCloseable, HfModel {
    /** Default number of sequences per forward pass in {@link #logps(List)}. */
    public static final int DEFAULT_BATCH = 16;

    private final Path source;
    private final ModelConfig config;
    private final Transformer model;
    private final LmTokenizer tokenizer;

    private CausalLM(Path source, Checkpoint.Loaded loaded) {
        this.source = source;
        this.config = loaded.config();
        this.model = loaded.model();
        this.tokenizer = loaded.tokenizer();
    }

    /**
     * A model with random weights and no tokenizer (token-id methods only), for benchmarks and tests: weights
     * N(0, 0.02) as transformers initialises them, norm scales 1, biases 0. {@code save} then writes no tokenizer.
     */
    public static CausalLM randomInit(ModelConfig config, long seed, Precision precision) {
        java.util.Random rng = new java.util.Random(seed);
        java.util.LinkedHashMap<String, long[]> shapes = Transformer.expectedShapes(config);
        // made one tensor at a time as the model asks for it, in order (the same numbers as making them all first),
        // so the host never holds every weight at once
        Map<String, dev.prefer.lm.io.HostTensor> lazy = new java.util.AbstractMap<>() {
            private final java.util.Iterator<String> order = shapes.keySet().iterator();

            @Override
            public java.util.Set<String> keySet() {
                return java.util.Collections.unmodifiableSet(shapes.keySet());
            }

            @Override
            public dev.prefer.lm.io.HostTensor get(Object key) {
                String name = order.next();
                if (!name.equals(key)) throw new IllegalStateException("random weights are made in order: asked " + key + ", next " + name);
                long[] shape = shapes.get(name);
                long n = 1;
                for (long d : shape) n *= d;
                float[] data = new float[Math.toIntExact(n)];
                boolean norm = name.contains("ln_") || name.contains("norm");
                if (name.endsWith(".bias")) {
                    // zeros
                } else if (norm) {
                    java.util.Arrays.fill(data, 1f);
                } else {
                    for (int i = 0; i < data.length; i++) data[i] = (float) (0.02 * rng.nextGaussian());
                }
                return new dev.prefer.lm.io.HostTensor(name, DType.F32, shape, data);
            }

            @Override
            public java.util.Set<Entry<String, dev.prefer.lm.io.HostTensor>> entrySet() {
                throw new UnsupportedOperationException("read by key, in order");
            }
        };
        Transformer model = Transformer.fromTensors(config, lazy, precision.dataType(), Path.of("<random>"));
        long bytes = 4L * model.parameterCount();
        if (bytes > (64L << 20)) System.gc(); // the host copies are garbage: give their heap back before training starts
        return new CausalLM(Path.of("<random>"), new Checkpoint.Loaded(config, model, null));
    }

    /** Loads a checkpoint folder in float32. */
    public static CausalLM load(Path dir) {
        return load(dir, Precision.F32);
    }

    /** Loads a checkpoint folder computing in the given precision (F64 is the double-precision twin). */
    public static CausalLM load(Path dir, Precision precision) {
        Checkpoint.Loaded loaded = Checkpoint.load(dir, precision);
        if (loaded.config().head() != ModelConfig.Head.CAUSAL_LM) {
            loaded.model().close();
            loaded.tokenizer().close();
            throw dev.prefer.data.DataException.ofFile(dir.resolve("config.json"),
                    "is a sequence-classification checkpoint (" + loaded.config().architecture().className(loaded.config().head())
                            + "); load it as a RewardModel");
        }
        return new CausalLM(dir, loaded);
    }

    public ModelConfig config() {
        return config;
    }

    public LmTokenizer tokenizer() {
        return tokenizer;
    }

    /** The backbone: parameters by Hugging Face name, forward pass. */
    public Transformer model() {
        return model;
    }

    /** The folder it was loaded from. */
    public Path source() {
        return source;
    }

    private void requireTokenizer() {
        if (tokenizer == null) throw new IllegalStateException("this model has no tokenizer (random weights): use the token-id methods");
    }

    /** The id fed at padded positions (never attended to): the tokenizer's pad, else the config's pad or eos, else 0. */
    private long padId() {
        if (tokenizer != null && tokenizer.specialTokens().padId() >= 0) return tokenizer.specialTokens().padId();
        if (config.padTokenId() >= 0) return config.padTokenId();
        return Math.max(0, config.eosTokenId());
    }

    /** Tokenizes with the fixtures' convention: prompt and response separately, eos appended to the response. */
    public TokenizedSequence tokenize(PromptResponse pr) {
        requireTokenizer();
        long[] prompt = tokenizer.encode(pr.prompt());
        if (prompt.length == 0) {
            int bos = tokenizer.specialTokens().bosId();
            if (bos < 0) throw new IllegalArgumentException("empty prompt and the checkpoint has no bos token to start from");
            prompt = new long[] {bos};
        }
        long[] resp = tokenizer.encode(pr.response());
        int eos = tokenizer.specialTokens().eosId();
        if (eos < 0) throw new IllegalArgumentException("the checkpoint names no eos token");
        long[] withEos = Arrays.copyOf(resp, resp.length + 1);
        withEos[resp.length] = eos;
        return new TokenizedSequence(prompt, withEos);
    }

    /** Sequence log-probabilities of text pairs (no gradients), in batches of {@link #DEFAULT_BATCH}. */
    public List<SequenceLogps> logps(List<PromptResponse> pairs) {
        List<TokenizedSequence> seqs = new ArrayList<>(pairs.size());
        for (PromptResponse pr : pairs) seqs.add(tokenize(pr));
        return logpsOfIds(seqs, DEFAULT_BATCH);
    }

    /**
     * Log-probabilities of both responses of each preference pair (what {@code prefer logps} prints), chosen and
     * rejected scored in the same padded batches of {@code batchSize} sequences.
     */
    public List<PairLogps> pairLogps(List<dev.prefer.data.PreferencePair> pairs, int batchSize) {
        List<TokenizedSequence> seqs = new ArrayList<>(2 * pairs.size());
        for (dev.prefer.data.PreferencePair p : pairs) {
            seqs.add(tokenize(new PromptResponse(p.prompt(), p.chosen())));
            seqs.add(tokenize(new PromptResponse(p.prompt(), p.rejected())));
        }
        List<SequenceLogps> lp = logpsOfIds(seqs, batchSize);
        List<PairLogps> out = new ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) out.add(new PairLogps(lp.get(2 * i), lp.get(2 * i + 1)));
        return out;
    }

    /**
     * Sequence log-probabilities of tokenized sequences (no gradients), {@code batchSize} sequences per forward pass.
     * Log-softmax stays in float32 (it agrees with the fixtures' float64 log-softmax of float32 logits within 1e-5;
     * pass {@code float64LogSoftmax} to the three-argument form for the exact convention).
     */
    public List<SequenceLogps> logpsOfIds(List<TokenizedSequence> seqs, int batchSize) {
        return logpsOfIds(seqs, batchSize, false);
    }

    /**
     * As {@link #logpsOfIds(List, int)}; with {@code float64LogSoftmax} the float32 logits are widened to float64
     * before the log-softmax (the fixtures' exact convention; an (N, V) float64 array, so mind large vocabularies).
     */
    public List<SequenceLogps> logpsOfIds(List<TokenizedSequence> seqs, int batchSize, boolean float64LogSoftmax) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1");
        List<SequenceLogps> out = new ArrayList<>(seqs.size());
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (int from = 0; from < seqs.size(); from += batchSize) {
                List<TokenizedSequence> chunk = seqs.subList(from, Math.min(seqs.size(), from + batchSize));
                try (NDManager step = model.manager().newSubManager()) {
                    collect(logpsTensors(step, chunk, float64LogSoftmax), chunk, out);
                }
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        return out;
    }

    /**
     * As {@link #logpsOfIds(List, int, boolean)} with prefix sharing over the groups {@code groupSizes} gives (see
     * {@link #logpsTensors(NDManager, List, int[], boolean)}; null: none); a forward pass takes whole groups, up to
     * {@code batchSize} sequences (at least one group).
     */
    public List<SequenceLogps> logpsOfIds(List<TokenizedSequence> seqs, int[] groupSizes, int batchSize, boolean float64LogSoftmax) {
        if (groupSizes == null) return logpsOfIds(seqs, batchSize, float64LogSoftmax);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1");
        List<SequenceLogps> out = new ArrayList<>(seqs.size());
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            int from = 0, gi = 0;
            while (gi < groupSizes.length) {
                int to = from, g0 = gi;
                do {
                    to += groupSizes[gi++];
                } while (gi < groupSizes.length && to - from + groupSizes[gi] <= batchSize);
                List<TokenizedSequence> chunk = seqs.subList(from, to);
                try (NDManager step = model.manager().newSubManager()) {
                    LogpsTensors t = logpsTensors(step, chunk, Arrays.copyOfRange(groupSizes, g0, gi), float64LogSoftmax);
                    collect(t, chunk, out);
                }
                from = to;
            }
            if (from != seqs.size()) throw new IllegalArgumentException("group sizes add up to " + from + ", not the " + seqs.size() + " sequences");
        } finally {
            JniUtils.setGradMode(grad);
        }
        return out;
    }

    private static void collect(LogpsTensors t, List<TokenizedSequence> chunk, List<SequenceLogps> out) {
        double[] tok = t.tokenLogps().toType(DataType.FLOAT64, false).toDoubleArray();
        int at = 0;
        for (TokenizedSequence s : chunk) {
            int n = s.responseIds().length;
            double sum = 0; // in double on the host: no float32 rounding of long sums
            for (int j = at; j < at + n; j++) sum += tok[j];
            out.add(new SequenceLogps(sum, Arrays.copyOfRange(tok, at, at + n)));
            at += n;
        }
    }

    /**
     * Sequence log-probabilities as tensors in {@code step}, differentiable when the parameters are trainable and a
     * gradient collector is open.
     *
     * @param sums       (B) sum over each response's tokens
     * @param tokenLogps (N) per-token terms, sequence after sequence (N = total response tokens)
     * @param counts     response lengths, N = sum of counts
     * @param entropies  (N) detached entropies −Σ_v p log p of the next-token distribution at each response position,
     *                   computed beside the log-probs (the online trainers' {@code entropy} metric, without another
     *                   forward pass and without keeping the (N, V) distribution); null where not available
     */
    public record LogpsTensors(NDArray sums, NDArray tokenLogps, int[] counts, NDArray entropies) {
        public LogpsTensors(NDArray sums, NDArray tokenLogps, int[] counts) {
            this(sums, tokenLogps, counts, null);
        }
    }

    /**
     * The differentiable form of {@link #logpsOfIds}: one right-padded forward pass over the batch; the LM head is
     * applied only at the positions that predict a response token, and log-softmax is gathered at the label.
     *
     * @param float64LogSoftmax take log-softmax in float64 (exactly the fixtures' convention; more memory)
     */
    public LogpsTensors logpsTensors(NDManager step, List<TokenizedSequence> seqs, boolean float64LogSoftmax) {
        int b = seqs.size();
        if (b == 0) throw new IllegalArgumentException("empty batch");
        int t = 0, n = 0;
        for (TokenizedSequence s : seqs) {
            t = Math.max(t, s.length());
            n += s.responseIds().length;
        }
        if (t > config.maxPositions()) {
            throw new IllegalArgumentException("sequence of " + t + " tokens exceeds the model's " + config.maxPositions() + " positions");
        }
        long pad = padId();
        long[] ids = new long[b * t];
        long[] pos = new long[b * t];
        boolean[] valid = new boolean[b * t];
        long[] rows = new long[n];   // flat (b*T + j-1) hidden row predicting response token j
        long[] labels = new long[n];
        float[] segment = new float[b * n]; // (B, N) one-hot membership
        int[] counts = new int[b];
        // the first position any row reads (the one before its first response token): the last block runs from there
        int from = t - 1;
        for (TokenizedSequence s : seqs) if (s.responseIds().length > 0) from = Math.min(from, Math.max(0, s.promptIds().length - 1));
        int tf = t - from;
        int k = 0;
        for (int r = 0; r < b; r++) {
            TokenizedSequence s = seqs.get(r);
            long[] all = s.ids();
            int p = s.promptIds().length;
            for (int j = 0; j < t; j++) {
                ids[r * t + j] = j < all.length ? all[j] : pad;
                pos[r * t + j] = Math.min(j, all.length - 1); // pads reuse the last position: never read
                valid[r * t + j] = j < all.length;
            }
            counts[r] = all.length - p;
            for (int j = p; j < all.length; j++) {
                rows[k] = (long) r * tf + j - 1 - from;
                labels[k] = all[j];
                segment[r * n + k] = 1f;
                k++;
            }
        }
        NDArray hidden = model.forward(step, ids, pos, valid, b, null, from); // (B, T - from, D)
        NDArray sel = hidden.reshape(b * (long) tf, config.hiddenSize()).get(Transformer.engineOwned(step.create(rows))); // (N, D)
        return responseLogps(step, sel, labels, segment, counts, float64LogSoftmax);
    }

    /**
     * Whether {@link #logpsTensors(NDManager, List, int[], boolean)} should share prefixes for this batch under
     * {@code auto}, by a FLOP estimate of one layer's forward pass over the padded rows: per query token 24·d² for
     * the projections and MLP plus 4·d per key for attention, i.e. rows · T · (24·d² + 4·d·T), unshared (B rows of
     * the longest sequence) against packed (G rows of the longest prompt + continuations). Sharing removes K−1 copies
     * of each prompt from every projection but makes each row's attention span all its continuations, so it pays for
     * pairs and short lists and can lose for long lists of long responses; it is used when the estimate is at most
     * 95% of the unshared one.
     *
     * @param hiddenSize the model's d
     */
    public static boolean sharingPays(List<TokenizedSequence> seqs, int[] groupSizes, int hiddenSize) {
        if (groupSizes == null || groupSizes.length == seqs.size()) return false;
        long tmax = 0, packedMax = 0;
        int at = 0;
        for (int size : groupSizes) {
            long packed = seqs.get(at).promptIds().length;
            for (int i = 0; i < size; i++) {
                tmax = Math.max(tmax, seqs.get(at + i).length());
                packed += seqs.get(at + i).responseIds().length;
            }
            packedMax = Math.max(packedMax, packed);
            at += size;
        }
        double d = hiddenSize;
        double unshared = (double) seqs.size() * tmax * (24 * d * d + 4 * d * tmax);
        double shared = (double) groupSizes.length * packedMax * (24 * d * d + 4 * d * packedMax);
        return shared <= 0.95 * unshared;
    }

    /**
     * {@link #logpsTensors(NDManager, List, boolean)} with prefix sharing: {@code groupSizes} splits {@code seqs}
     * into runs of consecutive sequences with the same prompt (a preference pair, a ranked list), and each run is
     * one packed row of a single forward pass ({@link Transformer#forwardPacked}): its prompt once, then each
     * continuation, every continuation attending to the prompt and to itself only, with the positions of its own
     * unpacked sequence. Same numbers as the unshared pass up to float rounding (attention adds exact zeros for the
     * other continuations); {@code groupSizes == null} is the unshared pass.
     */
    public LogpsTensors logpsTensors(NDManager step, List<TokenizedSequence> seqs, int[] groupSizes, boolean float64LogSoftmax) {
        if (groupSizes == null || !model.supportsPacking()) return logpsTensors(step, seqs, float64LogSoftmax);
        int b = seqs.size();
        if (b == 0) throw new IllegalArgumentException("empty batch");
        int g = groupSizes.length;
        int at = 0;
        for (int gi = 0; gi < g; gi++) {
            if (groupSizes[gi] < 1) throw new IllegalArgumentException("group sizes must be >= 1");
            for (int i = 0; i < groupSizes[gi]; i++) {
                if (at >= b) throw new IllegalArgumentException("group sizes add up to more than the " + b + " sequences");
                if (!Arrays.equals(seqs.get(at).promptIds(), seqs.get(at - i).promptIds())) {
                    throw new IllegalArgumentException("sequence " + at + " does not share its group's prompt");
                }
                at++;
            }
        }
        if (at != b) throw new IllegalArgumentException("group sizes add up to " + at + ", not the " + b + " sequences");
        int pmax = 0, rmax = 0, n = 0, t = 0;
        for (TokenizedSequence s : seqs) {
            pmax = Math.max(pmax, s.promptIds().length);
            rmax = Math.max(rmax, s.responseIds().length);
            t = Math.max(t, s.length());
            n += s.responseIds().length;
        }
        if (t > config.maxPositions()) {
            throw new IllegalArgumentException("sequence of " + t + " tokens exceeds the model's " + config.maxPositions() + " positions");
        }
        if (rmax == 0 || pmax == 0) return logpsTensors(step, seqs, float64LogSoftmax);
        return packedLogps(step, seqs, groupSizes, float64LogSoftmax);
    }

    /**
     * Prefix sharing in one pass ({@link Transformer#forwardPacked}): one row per group, holding its prompt once and
     * then each continuation (right-padded to the longest row); every continuation's positions restart where the
     * prompt ends and it attends to the prompt and to itself only. Response token j of a continuation is predicted
     * from the prompt's last position (j = 0) or from the continuation's own previous position.
     */
    private LogpsTensors packedLogps(NDManager step, List<TokenizedSequence> seqs, int[] groupSizes, boolean float64LogSoftmax) {
        int b = seqs.size(), g = groupSizes.length;
        int t = 0, n = 0;
        for (int gi = 0, at = 0; gi < g; at += groupSizes[gi++]) {
            int len = seqs.get(at).promptIds().length;
            if (len == 0) return logpsTensors(step, seqs, float64LogSoftmax);
            for (int i = 0; i < groupSizes[gi]; i++) {
                len += seqs.get(at + i).responseIds().length;
                n += seqs.get(at + i).responseIds().length;
            }
            t = Math.max(t, len);
        }
        long pad = padId();
        long[] ids = new long[g * t], pos = new long[g * t];
        int[] segments = new int[g * t];
        java.util.Arrays.fill(segments, -1);
        java.util.Arrays.fill(ids, pad);
        int from = t - 1;
        for (int gi = 0, at = 0; gi < g; at += groupSizes[gi++]) from = Math.min(from, seqs.get(at).promptIds().length - 1);
        int tf = t - from;
        long[] rows = new long[n], labels = new long[n];
        float[] segment = new float[b * n];
        int[] counts = new int[b];
        int k = 0;
        for (int gi = 0, at = 0; gi < g; at += groupSizes[gi++]) {
            long[] prompt = seqs.get(at).promptIds();
            int p = prompt.length, base = gi * t;
            for (int j = 0; j < p; j++) {
                ids[base + j] = prompt[j];
                pos[base + j] = j;
                segments[base + j] = 0;
            }
            int start = p;
            for (int c = 0; c < groupSizes[gi]; c++) {
                int r = at + c;
                long[] resp = seqs.get(r).responseIds();
                counts[r] = resp.length;
                for (int j = 0; j < resp.length; j++) {
                    ids[base + start + j] = resp[j];
                    pos[base + start + j] = p + j;
                    segments[base + start + j] = c + 1;
                    rows[k] = (long) gi * tf + (j == 0 ? p - 1 : start + j - 1) - from;
                    labels[k] = resp[j];
                    segment[r * n + k] = 1f;
                    k++;
                }
                start += resp.length;
            }
            for (int j = start; j < t; j++) pos[base + j] = pos[base + start - 1]; // pads: never read
        }
        NDArray hidden = model.forwardPacked(step, ids, pos, segments, g, from); // (G, T - from, D)
        NDArray sel = hidden.reshape(g * (long) tf, config.hiddenSize()).get(Transformer.engineOwned(step.create(rows))); // (N, D)
        return responseLogps(step, sel, labels, segment, counts, float64LogSoftmax);
    }

    /**
     * Log-softmax at the labels of the selected hidden rows (N, D), and their per-sequence sums: the head runs in
     * chunks of rows and keeps no (N, V) tensor ({@code ChunkedHead}; its gradient is recomputed chunk by chunk in
     * {@link Transformer#backward}).
     */
    private LogpsTensors responseLogps(NDManager step, NDArray sel, long[] labels, float[] segment, int[] counts, boolean float64LogSoftmax) {
        int n = labels.length, b = counts.length;
        ChunkedHead.Out head = ChunkedHead.logps(model, step, sel, labels, float64LogSoftmax);
        NDArray tokenLogps = head.tokenLogps(); // (N)
        NDArray seg = Transformer.engineOwned(step.create(segment, new Shape(b, n)));
        if (tokenLogps.getDataType() != DataType.FLOAT32) seg = seg.toType(tokenLogps.getDataType(), false);
        NDArray sums = seg.matMul(tokenLogps.reshape(n, 1)).reshape(b); // (B)
        return new LogpsTensors(sums, tokenLogps, counts, head.entropies());
    }

    /** Generates from text prompts (encoded without special tokens); one sample each, as {@link #generateIds}. */
    public List<Generation> generate(List<String> prompts, GenerationConfig cfg) {
        List<long[]> ids = new ArrayList<>(prompts.size());
        for (String p : prompts) ids.add(encodePrompt(p));
        return generateIds(ids, cfg);
    }

    /**
     * A text prompt's ids as generation reads them: encoded without special tokens (the fixtures' convention); an
     * empty prompt starts from bos.
     */
    public long[] encodePrompt(String prompt) {
        requireTokenizer();
        long[] e = tokenizer.encode(prompt);
        if (e.length == 0) {
            int bos = tokenizer.specialTokens().bosId();
            if (bos < 0) throw new IllegalArgumentException("empty prompt and the checkpoint has no bos token to start from");
            e = new long[] {bos};
        }
        return e;
    }

    /**
     * A conversation's ids: rendered with the checkpoint's chat template ({@code tokenizer_config.json}
     * {@code chat_template}, or {@code chat_template.jinja}) with the generation prompt appended (a final assistant
     * message is continued instead), then encoded without adding special tokens — the template writes them, as
     * transformers' {@code apply_chat_template(..., add_generation_prompt=True)} does.
     */
    public long[] encodeChat(List<dev.prefer.data.pref.ChatMessage> messages) {
        return encodePrompt(chatTemplate().renderPrompt(messages));
    }

    private dev.prefer.data.pref.ChatTemplate chatTemplate;

    /** The checkpoint's chat template (read once); a one-line error naming the file when it has none. */
    public synchronized dev.prefer.data.pref.ChatTemplate chatTemplate() {
        requireTokenizer();
        if (chatTemplate == null) chatTemplate = dev.prefer.data.pref.ChatTemplate.fromTokenizerConfig(source);
        return chatTemplate;
    }

    /**
     * Packs the weights of the scripted GPT-2 decoding step (oneDNN's blocked layout) now, also for a model whose
     * parameters require gradients, which generation on its own never packs: for a caller that knows the generation
     * that follows pays for it (an online trainer sampling many rows and tokens between optimizer steps: one pack is a
     * few sweeps over the weights, each packed decoding step saves a good part of one). The pack is used while the
     * weights stay unchanged; {@link #dropDecodingWeights} frees it (one more copy of the layer weights and the head).
     *
     * @return whether a pack is in place (false for models the packed step does not serve: not float32 GPT-2,
     *         narrower than the packing threshold). With LoRA deltas the pack is of the merged copies W + s·B·A, made
     *         now and kept until the generation call that follows ends.
     */
    public boolean packDecodingWeights() {
        return DecodeScript.packNow(model);
    }

    /** Frees the pack of {@link #packDecodingWeights} (or of an earlier generation) now. */
    public void dropDecodingWeights() {
        DecodeScript.dropPack(model);
    }

    /**
     * Generates continuations of several prompts with a KV cache, one per prompt (the batched path of
     * {@link #complete(List, GenerationConfig)}); row r samples with seed
     * {@code GenerationRequest.itemSeed(cfg.seed(), r)}. {@code cfg.samples()} is ignored (one each).
     */
    public List<Generation> generateIds(List<long[]> prompts, GenerationConfig cfg) {
        List<GenerationRequest> reqs = new ArrayList<>(prompts.size());
        for (int r = 0; r < prompts.size(); r++) reqs.add(new GenerationRequest(prompts.get(r), GenerationRequest.itemSeed(cfg.seed(), r)));
        List<List<Completion>> c = complete(reqs, cfg.withSamples(1), null);
        List<Generation> result = new ArrayList<>(c.size());
        for (int r = 0; r < c.size(); r++) {
            Completion one = c.get(r).get(0);
            result.add(new Generation(prompts.get(r), one.tokenIds(), one.text(), one.finishReason() == Completion.FinishReason.EOS));
        }
        return result;
    }

    /**
     * Samples {@code cfg.samples()} continuations of every request, batched: prompts of different lengths decode
     * together in left-padded waves of up to {@code cfg.maxBatch()} rows, each prompt encoded once for all its samples,
     * and rows that finish (eos, a stop string, the budget) leave the batch. Each sample draws from its own generator
     * ({@link GenerationRequest#sampleSeed}), so its tokens do not depend on the rest of the batch; greedy ids are
     * those of the single-prompt path (and transformers'). Per-token log-probs are the raw model log-probs of the
     * chosen tokens (temperature 1, before any cut; see {@link Completion#logps()}).
     *
     * <pre>{@code
     * List<GenerationRequest> reqs = List.of(new GenerationRequest(lm.encodePrompt("Q: 2+2="), 7L));
     * GenerationConfig cfg = GenerationConfig.sample(32, 1.0, 0, 1.0, 0L).withSamples(4).withStop(List.of("\n"));
     * List<List<Completion>> out = lm.complete(reqs, cfg); // out.get(0): the 4 samples of the first prompt
     * }</pre>
     *
     * @return per request, its samples in order k = 0..K-1
     */
    public List<List<Completion>> complete(List<GenerationRequest> requests, GenerationConfig cfg) {
        return complete(requests, cfg, null);
    }

    /** As {@link #complete(List, GenerationConfig)}, calling {@code progress} with 1 as each sample finishes. */
    public List<List<Completion>> complete(List<GenerationRequest> requests, GenerationConfig cfg, java.util.function.LongConsumer progress) {
        if (requests.isEmpty()) return List.of();
        return BatchGeneration.run(model, tokenizer, padId(), requests, cfg, progress);
    }

    /** Marks parameters trainable (gradients collected under a GradientCollector) or frozen. */
    public void setTrainable(boolean trainable) {
        model.setTrainable(trainable);
    }

    /** Parameters by Hugging Face name. */
    public Map<String, NDArray> parameters() {
        return model.parameters();
    }

    /** Saves as a Hugging Face folder in the checkpoint's own dtype (float32, float16 or bfloat16; else float32). */
    public void save(Path dir) {
        DType own = model.sourceType();
        save(dir, own == DType.F16 || own == DType.BF16 ? own : DType.F32);
    }

    /** Saves as a Hugging Face folder; {@code storeAs} is F32, F16 or BF16. */
    public void save(Path dir, DType storeAs) {
        Checkpoint.save(model, source, dir, storeAs);
    }

    @Override
    public void close() {
        try {
            if (tokenizer != null) tokenizer.close();
        } finally {
            model.close();
        }
    }
}
