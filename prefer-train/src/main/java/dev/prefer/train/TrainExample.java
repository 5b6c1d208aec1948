package dev.prefer.train;

import dev.prefer.lm.TokenizedSequence;
import java.util.ArrayList;
import java.util.List;

/**
 * One training group, tokenized: a prompt and K responses (pairs: chosen then rejected; lists: in file order; SFT
 * and unpaired rows: one completion), with graded labels (higher is better; unpaired: 1 desirable, 0 not), a
 * weight, an optional margin and attribute values. Response ids include the eos the fixtures' convention appends
 * (unless length truncation cut it).
 *
 * <p>Two optional parts: {@code responsePrompts}, one prompt per response when the responses answer different
 * prompts (DOVE's joint pairs; null when all share {@code prompt}), and {@code klResponse}, a completion of another
 * row scored after this row's prompt for KTO's KL estimate (null when none). The trainer scores
 * {@link #scored()}: the K responses, then the KL sequence if any.
 */
public record TrainExample(long[] prompt, List<long[]> responses, double[] labels, double weight, Double margin,
                           double[] attributes, List<long[]> responsePrompts, long[] klResponse) {
    public TrainExample {
        responses = List.copyOf(responses);
        if (labels.length != responses.size()) throw new IllegalArgumentException("one label per response");
        if (responsePrompts != null) {
            responsePrompts = List.copyOf(responsePrompts);
            if (responsePrompts.size() != responses.size()) throw new IllegalArgumentException("one prompt per response");
        }
    }

    /** A group whose responses share one prompt, without a KL sample. */
    public TrainExample(long[] prompt, List<long[]> responses, double[] labels, double weight, Double margin, double[] attributes) {
        this(prompt, responses, labels, weight, margin, attributes, null, null);
    }

    public int k() {
        return responses.size();
    }

    /** The prompt response {@code j} answers. */
    public long[] promptOf(int j) {
        return responsePrompts == null ? prompt : responsePrompts.get(j);
    }

    /** The sequences whose log-probs the trainer computes: response j after {@link #promptOf}, then the KL sample. */
    public List<TokenizedSequence> scored() {
        List<TokenizedSequence> out = new ArrayList<>(k() + 1);
        for (int j = 0; j < k(); j++) out.add(new TokenizedSequence(promptOf(j), responses.get(j)));
        if (klResponse != null) out.add(new TokenizedSequence(prompt, klResponse));
        return out;
    }

    /** How many sequences {@link #scored()} holds (K, plus one with a KL sample). */
    public int scoredCount() {
        return k() + (klResponse == null ? 0 : 1);
    }

    /** Prompt plus response tokens over all scored sequences. */
    public long tokens() {
        long n = 0;
        for (int j = 0; j < k(); j++) n += promptOf(j).length + responses.get(j).length;
        if (klResponse != null) n += prompt.length + klResponse.length;
        return n;
    }
}
