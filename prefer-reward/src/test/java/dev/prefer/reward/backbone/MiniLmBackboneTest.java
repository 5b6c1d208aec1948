package dev.prefer.reward.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.reward.bench.LangchainMiniLm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real all-MiniLM-L6-v2 (default tier: one of the two real-embedding tests). The reference is langchain4j's own
 * embedding model from the same jar, which embeds one text per ONNX call without padding.
 */
class MiniLmBackboneTest {
    static final List<String> TEXTS = List.of(
            "A man is eating food.",
            "A man is eating a piece of bread.",
            "The girl is carrying a baby.",
            "How do I pick a lock? I'm sorry, I can't help with that.",
            "x");

    static double cos(float[] a, float[] b) {
        double s = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return s / Math.sqrt(na * nb);
    }

    @Test
    void batchedVectorsMatchLangchain4jAndMeanSomething() {
        List<float[]> ours;
        List<float[]> ref;
        try (MiniLmBackbone b = new MiniLmBackbone(2)) {
            ours = b.embedAll(TEXTS);              // one padded batch of texts of different lengths
            assertEquals(MiniLmBackbone.DIMENSION, ours.get(0).length);
            float[] alone = b.embed(TEXTS.get(2));  // and the same text alone
            for (int k = 0; k < alone.length; k++) assertEquals(alone[k], ours.get(2)[k], 1e-5);
            // several batches in flight at once give the same vectors as one text at a time
            List<String> many = new java.util.ArrayList<>();
            for (int i = 0; i < 70; i++) many.add("sentence number " + i + (i % 3 == 0 ? " with a few more words in it" : ""));
            List<float[]> batched = b.embedAll(many);
            for (int i = 0; i < many.size(); i += 7) {
                float[] one = b.embed(many.get(i));
                for (int k = 0; k < one.length; k++) assertEquals(one[k], batched.get(i)[k], 1e-5);
            }
            // texts longer than the model's 256-token window are truncated, not windowed
            assertEquals(MiniLmBackbone.MAX_TOKENS, b.tokenIds("word ".repeat(1000)).length);
        }
        try (LangchainMiniLm l = new LangchainMiniLm(1)) {
            ref = l.embedAll(TEXTS);
        }
        for (int i = 0; i < TEXTS.size(); i++) {
            float[] a = ours.get(i);
            float[] r = ref.get(i);
            double n = 0;
            for (int k = 0; k < a.length; k++) {
                assertEquals(r[k], a[k], 2e-5, "text " + i + " component " + k);
                n += a[k] * a[k];
            }
            assertEquals(1.0, n, 1e-5, "unit norm");
        }
        // sentence-transformers' own example: paraphrases are closer than unrelated sentences
        assertTrue(cos(ours.get(0), ours.get(1)) > cos(ours.get(0), ours.get(2)) + 0.3);
    }
}
