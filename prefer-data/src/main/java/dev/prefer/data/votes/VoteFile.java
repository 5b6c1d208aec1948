package dev.prefer.data.votes;

import dev.prefer.data.DataException;
import java.util.List;

/**
 * Votes read from a file, with the names of their numeric features and what was skipped.
 *
 * @param votes        the votes in file order
 * @param featureNames names of {@link Vote#features()} columns, in order (empty when none)
 * @param skipped      rows skipped as bad (only when skipping was asked for)
 * @param firstSkipped the first skipped row's error, or null
 */
public record VoteFile(List<Vote> votes, List<String> featureNames, long skipped, DataException firstSkipped) {
    public VoteFile {
        votes = List.copyOf(votes);
        featureNames = List.copyOf(featureNames);
    }

    /** Votes built in memory, nothing skipped. */
    public static VoteFile of(List<Vote> votes) {
        return new VoteFile(votes, List.of(), 0, null);
    }
}
