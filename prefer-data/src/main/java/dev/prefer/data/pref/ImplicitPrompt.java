package dev.prefer.data.pref;

import java.util.List;

/**
 * Splits chosen and rejected transcripts that share their prompt (hh-rlhf style, {@code "\n\nHuman: ...
 * \n\nAssistant: ..."}) into prompt and responses.
 *
 * <p>The prompt is the transcript up to and including the last {@code "\n\nAssistant:"} that lies inside the
 * common prefix of the two transcripts; each response is the rest. Splitting each transcript at its own last
 * {@code "\n\nAssistant:"} (as the DPO reference code does) gives the same answer whenever the responses contain
 * no turn marker of their own, and a wrong, unshared prompt when one does (5 of 1,156 rows of hh-rlhf
 * harmless-base test).
 */
public final class ImplicitPrompt {
    private ImplicitPrompt() {}

    /** hh-rlhf's assistant turn marker. */
    public static final String ASSISTANT_TURN = "\n\nAssistant:";

    /** A split pair. {@code ownSplitAgrees} is false when splitting each transcript on its own would differ. */
    public record Split(String prompt, String chosen, String rejected, boolean ownSplitAgrees) {}

    /**
     * @return the split, or null when the common prefix holds no assistant turn (no shared prompt)
     */
    public static Split split(String chosen, String rejected, String marker) {
        int common = commonPrefixLength(chosen, rejected);
        // The marker must end within the common prefix.
        int at = chosen.lastIndexOf(marker, common - marker.length());
        if (common < marker.length() || at < 0) return null;
        int end = at + marker.length();
        String prompt = chosen.substring(0, end);
        boolean agrees = chosen.lastIndexOf(marker) == at && rejected.lastIndexOf(marker) == at;
        return new Split(prompt, chosen.substring(end), rejected.substring(end), agrees);
    }

    public static Split split(String chosen, String rejected) {
        return split(chosen, rejected, ASSISTANT_TURN);
    }

    /** TRL's {@code extract_prompt} on messages: the longest common run of identical leading messages. */
    public static int sharedMessages(List<ChatMessage> chosen, List<ChatMessage> rejected) {
        int n = Math.min(chosen.size(), rejected.size());
        int i = 0;
        while (i < n && chosen.get(i).equals(rejected.get(i))) i++;
        return i;
    }

    static int commonPrefixLength(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) i++;
        return i;
    }
}
