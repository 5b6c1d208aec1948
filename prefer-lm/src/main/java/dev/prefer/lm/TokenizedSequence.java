package dev.prefer.lm;

import java.util.Arrays;

/**
 * Prompt ids and response ids, tokenized separately (the fixtures' convention: the response ids already end with
 * eos). Log-probabilities are taken over the response ids only.
 */
public record TokenizedSequence(long[] promptIds, long[] responseIds) {
    public TokenizedSequence {
        if (promptIds == null || promptIds.length == 0) throw new IllegalArgumentException("prompt ids must not be empty");
        if (responseIds == null || responseIds.length == 0) throw new IllegalArgumentException("response ids must not be empty");
        promptIds = promptIds.clone();
        responseIds = responseIds.clone();
    }

    /** Total length, prompt plus response. */
    public int length() {
        return promptIds.length + responseIds.length;
    }

    /** prompt ids followed by response ids. */
    public long[] ids() {
        long[] all = Arrays.copyOf(promptIds, length());
        System.arraycopy(responseIds, 0, all, promptIds.length, responseIds.length);
        return all;
    }
}
