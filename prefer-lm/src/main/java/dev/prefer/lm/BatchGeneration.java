package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.LongConsumer;

/**
 * Batched KV-cache decoding of many prompts of different lengths, K samples each ({@link CausalLM#complete(List,
 * GenerationConfig)}).
 *
 * <p>Rows (prompt x sample) are taken in waves of at most {@code maxBatch}, prompts sorted by length so that a wave
 * pads little. A wave encodes each of its distinct prompts once (left-padded to the longest, each row with its own
 * positions from 0 and a key mask over its pads; the last block only at the last position), repeats the cache rows
 * for the samples, and then decodes one token per step for the rows still running: a row that emits eos, reaches a
 * stop string or its budget leaves the batch, and its cache rows with it ({@link Transformer.KvCache#selectRows}).
 * For float32 GPT-2 and Llama-layout models (Llama, Qwen2, Mistral; {@link LlamaDecode#serves}; LoRA deltas merged: {@link MergedWeights})
 * the prefill (prompts in groups of similar lengths, {@link #prefillGroups}) and every step are each one scripted
 * engine call ({@link DecodeScript}) writing into preallocated key/value buffers; other models run the composite path,
 * one engine call per op.
 *
 * <p>Per step the engine computes the logits (R, V) of the running rows and either their arg-max or the softmax of
 * logits / temperature, plus log-softmax gathered at the chosen ids (the raw log-probs); the host draws each row's
 * token with the row's own generator ({@link Sampler#draw}), which is what makes a sample's tokens independent of its
 * batch.
 */
final class BatchGeneration {
    private BatchGeneration() {}

    /** One row in flight. */
    private static final class Row {
        final int request, sample;
        final GenerationRequest req;
        final Random rng;
        final long seed;
        long[] tokens;
        double[] logps;
        int n;
        Completion.FinishReason finish;
        String text;
        boolean[] valid; // key slots (smax) of this row in the wave

        Row(int request, int sample, GenerationRequest req, int maxNew) {
            this.request = request;
            this.sample = sample;
            this.req = req;
            this.seed = GenerationRequest.sampleSeed(req.seed(), sample);
            this.rng = new Random(seed);
            this.tokens = new long[maxNew];
            this.logps = new double[maxNew];
        }
    }

    static List<List<Completion>> run(Transformer model, LmTokenizer tokenizer, long pad, List<GenerationRequest> requests,
                                      GenerationConfig cfg, LongConsumer progress) {
        ModelConfig config = model.config();
        int k = cfg.samples();
        for (GenerationRequest r : requests) {
            if (r.length() + cfg.maxNewTokens() > config.maxPositions()) {
                throw new IllegalArgumentException("prompt (" + r.length() + " tokens) + max new tokens (" + cfg.maxNewTokens()
                        + ") exceeds the model's " + config.maxPositions() + " positions");
            }
        }
        if (!cfg.stop().isEmpty() && tokenizer == null) throw new IllegalArgumentException("stop strings need a tokenizer");
        Integer[] order = new Integer[requests.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt(i -> requests.get(i).length()));
        List<Row> all = new ArrayList<>(requests.size() * k);
        for (int i : order) for (int s = 0; s < k; s++) all.add(new Row(i, s, requests.get(i), cfg.maxNewTokens()));
        Completion[][] out = new Completion[requests.size()][k];
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (int from = 0; from < all.size(); from += cfg.maxBatch()) {
                List<Row> wave = all.subList(from, Math.min(all.size(), from + cfg.maxBatch()));
                decodeWave(model, tokenizer, pad, new ArrayList<>(wave), cfg, progress);
                for (Row r : wave) {
                    String text = r.text;
                    long[] ids = Arrays.copyOf(r.tokens, r.n);
                    if (text == null) text = tokenizer == null ? "" : tokenizer.decode(ids, true);
                    out[r.request][r.sample] = new Completion(r.req.promptIds(), ids, Arrays.copyOf(r.logps, r.n), r.finish, text, r.sample, r.seed);
                }
            }
        } finally {
            JniUtils.setGradMode(grad);
            MergedWeights.drop(model); // LoRA: the merged copies live for this call only
        }
        List<List<Completion>> result = new ArrayList<>(out.length);
        for (Completion[] c : out) result.add(List.of(c));
        return result;
    }

    private static void decodeWave(Transformer model, LmTokenizer tokenizer, long pad, List<Row> rows, GenerationConfig cfg, LongConsumer progress) {
        int v = model.config().vocabSize();
        List<Integer> eosIds = model.config().eosTokenIds();
        // distinct prompts of the wave: the rows of one request are adjacent, and so are requests with the same ids when
        // the caller listed them together (GRPO's G copies of a prompt): each distinct prompt is prefilled once
        List<GenerationRequest> prompts = new ArrayList<>();
        long[] rowPrompt = new long[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            if (r == 0 || !rows.get(r).req.samePrompt(rows.get(r - 1).req)) prompts.add(rows.get(r).req);
            rowPrompt[r] = prompts.size() - 1;
        }
        int p = prompts.size(), lmax = 0;
        for (GenerationRequest g : prompts) lmax = Math.max(lmax, g.length());
        int smax = lmax + cfg.maxNewTokens();
        long[] ids = new long[p * lmax], pos = new long[p * lmax];
        boolean[] valid = new boolean[p * lmax];
        for (int i = 0; i < p; i++) {
            GenerationRequest g = prompts.get(i);
            int off = lmax - g.length();
            for (int j = 0; j < lmax; j++) {
                ids[i * lmax + j] = j < off ? pad : g.id(j - off);
                pos[i * lmax + j] = Math.max(0, j - off);
                valid[i * lmax + j] = j >= off;
            }
        }
        for (int r = 0; r < rows.size(); r++) {
            rows.get(r).valid = new boolean[smax];
            System.arraycopy(valid, (int) rowPrompt[r] * lmax, rows.get(r).valid, 0, lmax);
        }
        List<Row> active = rows;
        long[] next = null;
        DecodeScript script = null;
        int threads = 0; // the engine's thread count to restore, once the decoding steps run on one thread
        try (NDManager gen = model.manager().newSubManager(); Transformer.KvCache cache = model.newCache(gen)) {
          try {
            for (int n = 0; n < cfg.maxNewTokens() && !active.isEmpty(); n++) {
                int b = active.size();
                if (n == 1 && oneThread(model, b)) {
                    threads = JniUtils.getNumThreads();
                    if (threads > 1) JniUtils.setNumThreads(1);
                }
                Step st;
                if (n == 0 && DecodeScript.applies(model, smax)) {
                    long[] offs = new long[p];
                    for (int i = 0; i < p; i++) offs[i] = lmax - prompts.get(i).length();
                    script = DecodeScript.open(model, offs, smax, b, cfg.maxNewTokens() - 1, gen);
                    st = scriptPrefill(script, model, prompts, rowPrompt, lmax, pad, active, cfg, v);
                } else if (script != null) {
                    st = scriptStep(script, active, next, lmax, n, cfg, v);
                } else try (NDManager step = gen.newSubManager()) {
                    NDArray logits;
                    if (n == 0) {
                        NDArray h = model.forward(step, ids, pos, valid, p, cache, lmax - 1); // (P, 1, D)
                        logits = model.logits(h.reshape(p, model.config().hiddenSize()));  // (P, V)
                        if (p != b) {
                            NDArray idx = Transformer.engineOwned(step.create(rowPrompt));
                            logits = logits.get(idx); // (R, V)
                            cache.selectRows(idx);
                        }
                    } else {
                        logits = compositeLogits(model, step, cache, active, next, lmax, n);
                    }
                    st = choose(step, logits, active, cfg, v);
                }
                long[] keep = new long[b];
                List<Row> still = advance(active, st, cfg, eosIds, tokenizer, progress, keep);
                if (still.size() < b && !still.isEmpty()) {
                    if (script != null) {
                        script.selectRows(Arrays.copyOf(keep, still.size()));
                    } else {
                        try (NDManager step = gen.newSubManager()) {
                            cache.selectRows(Transformer.engineOwned(step.create(Arrays.copyOf(keep, still.size()))));
                        }
                    }
                }
                active = still;
                next = lastTokens(active);
            }
          } finally {
            if (script != null) script.close();
            if (threads > 1) JniUtils.setNumThreads(threads);
          }
        }
    }

    // The step's pieces are methods of their own, not loops inside decodeWave: each inner loop of one large method
    // made the JIT compile the whole method again on-stack (three C2 compilations of decodeWave, 1.45 s of compiler
    // CPU in a 33-call profile run, competing with the decoding thread for the second vCPU).

    /** The chosen ids and their raw log-probs of one step (R each). */
    private record Step(long[] chosen, double[] lp) {}

    private static Step scriptStep(DecodeScript script, List<Row> active, long[] next, int lmax, int n, GenerationConfig cfg, int v) {
        int b = active.size();
        long[] stepPos = new long[b];
        for (int r = 0; r < b; r++) stepPos[r] = active.get(r).req.length() + n - 1;
        return scriptChoice(script.step(next, stepPos, lmax + n, cfg.temperature(), cfg.greedy(), uniforms(active, cfg)), active, cfg, v);
    }

    /**
     * The wave's prefill and first tokens in one scripted call: the prompts (sorted by length) in the groups of {@link
     * #prefillGroups}, each left-padded to its own longest prompt, into the script's empty buffers.
     */
    private static Step scriptPrefill(DecodeScript script, Transformer model, List<GenerationRequest> prompts, long[] rowPrompt, int lmax, long pad,
                                      List<Row> active, GenerationConfig cfg, int v) {
        int[] ends = prefillGroups(model, prompts);
        int[] lens = new int[ends.length];
        int nt = 0;
        for (int j = 0, start = 0; j < ends.length; start = ends[j], j++) {
            lens[j] = prompts.get(ends[j] - 1).length();
            nt += (ends[j] - start) * lens[j];
        }
        long[] ids = new long[nt], pos = new long[nt];
        int t = 0;
        for (int j = 0, start = 0; j < ends.length; start = ends[j], j++) {
            for (int i = start; i < ends[j]; i++) {
                GenerationRequest g = prompts.get(i);
                int off = lens[j] - g.length();
                for (int q = 0; q < lens[j]; q++, t++) {
                    ids[t] = q < off ? pad : g.id(q - off);
                    pos[t] = Math.max(0, q - off);
                }
            }
        }
        long[] map = rowPrompt.length == prompts.size() ? null : rowPrompt; // else each row is its own prompt
        return scriptChoice(script.prefill(ids, pos, ends, lens, map, lmax, cfg.temperature(), cfg.greedy(), uniforms(active, cfg)), active, cfg, v);
    }

    /** One uniform per row from the row's generator when the engine draws (unfiltered sampling); else null. */
    private static double[] uniforms(List<Row> active, GenerationConfig cfg) {
        if (cfg.greedy() || cfg.filters()) return null;
        double[] u = new double[active.size()];
        for (int r = 0; r < u.length; r++) u[r] = active.get(r).rng.nextDouble();
        return u;
    }

    /** The ids and log-probs of a scripted call: the engine's choice, or (filtered sampling) the host's draw from its rows. */
    private static Step scriptChoice(DecodeScript.Out o, List<Row> active, GenerationConfig cfg, int v) {
        int b = active.size();
        double[] lp = new double[b];
        long[] chosen;
        if (o.chosen() != null) {
            chosen = o.chosen();
            for (int r = 0; r < b; r++) lp[r] = o.chosenLogp()[r];
        } else {
            chosen = new long[b];
            for (int r = 0; r < b; r++) {
                chosen[r] = Sampler.draw(o.probs(), r * v, v, cfg, active.get(r).rng.nextDouble());
                lp[r] = o.logSoftmax()[(int) (r * (long) v + chosen[r])];
            }
        }
        return new Step(chosen, lp);
    }

    /** One decoding step through the composite path: the logits (R, V) of the rows' next tokens. */
    private static NDArray compositeLogits(Transformer model, NDManager step, Transformer.KvCache cache, List<Row> active, long[] next, int lmax,
                                           int n) {
        int b = active.size(), s = cache.length() + 1;
        long[] stepPos = new long[b];
        boolean[] keyValid = new boolean[b * s];
        for (int r = 0; r < b; r++) {
            Row row = active.get(r);
            row.valid[lmax + n - 1] = true;
            System.arraycopy(row.valid, 0, keyValid, r * s, s);
            stepPos[r] = row.req.length() + n - 1;
        }
        NDArray h = model.forward(step, next, stepPos, keyValid, b, cache); // (R, 1, D)
        return model.logits(h.reshape(b, model.config().hiddenSize()));     // (R, V)
    }

    /** The composite path's choice from logits (R, V): arg-max or the host's draw, and the chosen ids' log-probs. */
    private static Step choose(NDManager step, NDArray logits, List<Row> active, GenerationConfig cfg, int v) {
        int b = active.size();
        if (logits.getDataType() != DataType.FLOAT32) logits = logits.toType(DataType.FLOAT32, false);
        long[] chosen;
        if (cfg.greedy()) {
            chosen = logits.argMax(-1).toLongArray();
        } else {
            NDArray z = cfg.temperature() == 1.0 ? logits : logits.div((float) cfg.temperature());
            float[] probs = z.softmax(-1).toFloatArray(); // (R, V)
            chosen = new long[b];
            for (int r = 0; r < b; r++) chosen[r] = Sampler.draw(probs, r * v, v, cfg, active.get(r).rng.nextDouble());
        }
        NDArray at = Transformer.engineOwned(step.create(chosen, new Shape(b, 1)));
        float[] g = logits.logSoftmax(-1).gather(at, 1).toFloatArray(); // (R)
        double[] lp = new double[b];
        for (int r = 0; r < b; r++) lp[r] = g[r];
        return new Step(chosen, lp);
    }

    /**
     * Appends the step's tokens to their rows and marks finished ones; returns the rows still running, their indices in
     * {@code active} written to {@code keep}.
     */
    private static List<Row> advance(List<Row> active, Step st, GenerationConfig cfg, List<Integer> eosIds, LmTokenizer tokenizer,
                                     LongConsumer progress, long[] keep) {
        int b = active.size();
        List<Row> still = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            Row row = active.get(r);
            long tok = st.chosen()[r];
            row.tokens[row.n] = tok;
            row.logps[row.n] = st.lp()[r];
            row.n++;
            if (cfg.stopAtEos() && eosIds.contains((int) tok)) {
                row.finish = Completion.FinishReason.EOS;
            } else if (!cfg.stop().isEmpty() && stopped(row, tokenizer, cfg.stop())) {
                row.finish = Completion.FinishReason.STOP;
            } else if (row.n == cfg.maxNewTokens()) {
                row.finish = Completion.FinishReason.LENGTH;
            }
            if (row.finish == null) {
                keep[still.size()] = r;
                still.add(row);
            } else if (progress != null) {
                progress.accept(1);
            }
        }
        return still;
    }

    private static long[] lastTokens(List<Row> active) {
        long[] next = new long[active.size()];
        for (int r = 0; r < active.size(); r++) next[r] = active.get(r).tokens[active.get(r).n - 1];
        return next;
    }

    /**
     * Decoding steps of less work than this (multiply-adds, estimated as running rows times parameters) run on one
     * engine thread: their matrix products are too small to pay for waking a second thread (tens of wake-ups per step,
     * each a futex round trip; on a quiet machine an idle vCPU's wake-up costs more than a small product). The
     * setting is the calling thread's own (OpenMP's and MKL's thread count are per thread), restored after the wave.
     * {@code -Dprefer.oneThreadDecodeBelow=N} changes it (0: never). The tiny benchmark model (16 rows x 0.6M) decodes on
     * one thread, GPT-2 small (8 rows x 124M) on all.
     *
     * <p>Steps above it keep every engine thread even for a few rows: they are bound by memory bandwidth, and a second
     * core streams its share of the weights besides the first (plain read of 340 MB here: 7.2-7.8 GB/s on one thread,
     * 16 GB/s on two with the other core idle; GPT-2 small benchmark batch at load 5-6, one step at a fixed cache length,
     * packed products: 107-147 ms wall on one thread, 69-157 on two; whole calls 11.9-12.9 s against 8.8-11.4). The
     * thread count changes no result (PackedDecodeTest). {@code -Dprefer.oneThreadDecodeRows=N}: waves of at most N rows
     * decode on one thread whatever their work (default 0; it was 16 while one thread was thought to saturate the bus).
     */
    static volatile long oneThreadBelow = Long.getLong("prefer.oneThreadDecodeBelow", 32_000_000L);

    static final int ONE_THREAD_ROWS = Integer.getInteger("prefer.oneThreadDecodeRows", 0);

    static boolean oneThread(Transformer model, int rows) {
        long below = oneThreadBelow;
        if (below <= 0) return false;
        return rows <= ONE_THREAD_ROWS || (double) rows * model.parameterCount() < below;
    }

    /**
     * The prompts (sorted by length, shortest first) cut into consecutive groups, each prefilled as its own batch padded
     * to its own longest prompt (inside the one scripted prefill call, {@link DecodeScript#prefill}): the exclusive end
     * of every group. The cut minimises the estimated cost: per group, its rows times its padded length times the
     * multiply-adds of a token (L times {@link #layerMacs}, the layers' products), plus a fixed cost per group, {@link
     * #forwardOverhead} multiply-adds per layer. One group for batches of similar lengths or small models.
     */
    static int[] prefillGroups(Transformer model, List<GenerationRequest> prompts) {
        int n = prompts.size();
        ModelConfig c = model.config();
        double perToken = c.numLayers() * layerMacs(c), fixed = forwardOverhead * c.numLayers();
        if (fixed <= 0) return new int[] {n};
        double[] best = new double[n + 1];
        int[] from = new int[n + 1];
        for (int j = 1; j <= n; j++) {
            best[j] = Double.POSITIVE_INFINITY;
            double len = prompts.get(j - 1).length();
            for (int i = 0; i < j; i++) {
                double cost = best[i] + (j - i) * len * perToken + fixed;
                if (cost < best[j]) {
                    best[j] = cost;
                    from[j] = i;
                }
            }
        }
        List<Integer> ends = new ArrayList<>();
        for (int j = n; j > 0; j = from[j]) ends.add(0, j);
        return ends.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Multiply-adds of one token through one layer's products: 12·D² for GPT-2 (c_attn 3D², c_proj D², MLP 8D²); for
     * the Llama layout D·(2·H·E + 2·K·E) for q, o, k, v and 3·D·F for the SwiGLU MLP.
     */
    static double layerMacs(ModelConfig c) {
        double d = c.hiddenSize();
        if (c.architecture() == Architecture.GPT2) return 12.0 * d * d;
        double q = (double) c.numHeads() * c.headDim(), kv = (double) c.numKvHeads() * c.headDim();
        return d * (2 * q + 2 * kv) + 3.0 * d * c.intermediateSize();
    }

    /**
     * Fixed cost of one prefill group per layer, in multiply-adds ({@code -Dprefer.prefillGroupOverhead=N}; 0: one
     * padded batch always). Since the groups run inside one scripted call the cost is no longer engine calls but the
     * lower efficiency of smaller products and attention blocks, so the figure is set by measurement (2 vCPUs, prefill
     * and first token, 5 calls each, 2026-12-07 s10: gpt2-small benchmark batch 79-81 ms/token at 1e9 and 3e8, 90 at 0
     * (one padded batch), 92 at 3e9; tiny benchmark batch 0.61 ms/token at 1e9, 0.65 at 1e8, 0.79 at 1e7, 1.27 at 1e6).
     * 1e9 keeps the tiny benchmark model (2 layers, d 128: 0.4M per token) in one group; GPT-2 small (85M per token)
     * cuts where a group saves about 140 padded tokens.
     */
    static volatile double forwardOverhead = Double.parseDouble(System.getProperty("prefer.prefillGroupOverhead", "1e9"));

    /** Whether the row's text now contains a stop string; if so its text is cut before the earliest one. */
    private static boolean stopped(Row row, LmTokenizer tokenizer, List<String> stops) {
        String text = tokenizer.decode(Arrays.copyOf(row.tokens, row.n), true);
        int best = -1;
        for (String s : stops) {
            int at = text.indexOf(s);
            if (at >= 0 && (best < 0 || at < best)) best = at;
        }
        if (best < 0) return false;
        row.text = text.substring(0, best);
        return true;
    }
}
