package dev.prefer.lm;

/** One generated continuation: the prompt ids, the new ids (eos kept when it ended the row) and their text. */
public record Generation(long[] promptIds, long[] newIds, String text, boolean stoppedAtEos) {
    public Generation {
        promptIds = promptIds.clone();
        newIds = newIds.clone();
    }
}
