package dev.prefer.data.pref;

import dev.prefer.data.DataException;
import dev.prefer.data.PreferencePair;
import java.util.List;

/**
 * What {@link PreferenceReader} read: the rows of one layout (the other lists are empty) and the counts.
 *
 * @param rows                    rows read successfully
 * @param skipped                 bad rows skipped (only with skip-bad-rows)
 * @param firstSkipped            the first skipped row's error, or null
 * @param implicitSplitDisagreements implicit-prompt rows whose responses hold an assistant-turn marker of their own,
 *                                so that splitting each transcript at its own last turn would have given a different
 *                                prompt (see {@link ImplicitPrompt})
 */
public record PreferenceData(String file, PreferenceFormat format, List<PreferencePair> pairs, List<RankedList> lists,
                             List<UnpairedExample> unpaired, long rows, long skipped, DataException firstSkipped,
                             long implicitSplitDisagreements) {
    public PreferenceData {
        pairs = List.copyOf(pairs);
        lists = List.copyOf(lists);
        unpaired = List.copyOf(unpaired);
    }
}
