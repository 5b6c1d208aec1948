package dev.prefer.reward.bench;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.prefer.reward.backbone.Backbone;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * langchain4j's own all-MiniLM-L6-v2 embedding model (one ONNX call per text, texts spread over an executor): the
 * reference that {@link dev.prefer.reward.backbone.MiniLmBackbone} is compared against, in the equivalence test and
 * in the benchmark.
 */
public final class LangchainMiniLm implements Backbone {
    private final ExecutorService pool;
    private final AllMiniLmL6V2EmbeddingModel model;

    public LangchainMiniLm(int threads) {
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "langchain4j-minilm");
            t.setDaemon(true);
            return t;
        });
        model = new AllMiniLmL6V2EmbeddingModel(pool);
    }

    @Override
    public String id() {
        return "langchain4j-minilm-l6-v2";
    }

    @Override
    public int dimension() {
        return 384;
    }

    @Override
    public float[] embed(String text) {
        return model.embed(nonBlank(text)).content().vector();
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        List<TextSegment> segs = new ArrayList<>();
        for (String t : texts) segs.add(TextSegment.from(nonBlank(t)));
        List<float[]> out = new ArrayList<>();
        for (Embedding e : model.embedAll(segs).content()) out.add(e.vector());
        return out;
    }

    /** langchain4j refuses blank text (hh-rlhf has empty responses); the benchmark embeds a placeholder instead. */
    private static String nonBlank(String t) {
        return t.isBlank() ? "[empty]" : t;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
