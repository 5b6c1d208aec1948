package dev.prefer.train;

import dev.prefer.data.PreferencePair;
import dev.prefer.data.pref.JointPreferencePair;
import dev.prefer.data.pref.LengthConfig;
import dev.prefer.data.pref.PreferenceData;
import dev.prefer.data.pref.RankedList;
import dev.prefer.data.pref.UnpairedExample;
import dev.prefer.lm.HfModel;
import dev.prefer.objectives.Requirements;
import java.util.List;
import java.util.Objects;

/**
 * Training or evaluation examples held in memory, as a Java program produces them: preference pairs, ranked lists,
 * unpaired (KTO) rows, joint pairs with different prompts (DOVE), reward-model pairs, or SFT rows. {@link Trainer#train}
 * tokenizes them with the model's tokenizer under the run's length limits; reading files is an adapter over this
 * ({@link Trainer#run(TrainConfig)} reads {@code PreferenceData} and hands it here).
 */
public final class TrainSet {
    /** One SFT example: the completion alone is scored, after the prompt. */
    public record SftRow(String prompt, String completion, double weight) {
        public SftRow {
            Objects.requireNonNull(prompt, "prompt");
            Objects.requireNonNull(completion, "completion");
            if (!(weight >= 0) || Double.isInfinite(weight)) throw new IllegalArgumentException("weight must be finite and >= 0: " + weight);
        }

        public static SftRow of(String prompt, String completion) {
            return new SftRow(prompt, completion, 1);
        }
    }

    private final PreferenceData preferences;
    private final List<SftRow> sft;
    private final String name;

    private TrainSet(PreferenceData preferences, List<SftRow> sft, String name) {
        this.preferences = preferences;
        this.sft = sft;
        this.name = name;
    }

    /** Preference pairs (also the rows of a reward model; split into desirable/undesirable rows for KTO). */
    public static TrainSet pairs(List<PreferencePair> pairs) {
        return of(data(pairs, List.of(), List.of(), List.of()));
    }

    /** Ranked lists of one length, for the listwise objectives. */
    public static TrainSet lists(List<RankedList> lists) {
        return of(data(List.of(), lists, List.of(), List.of()));
    }

    /** Unpaired rows (prompt, completion, desirable or not), for KTO and BCO with {@code unpaired=1}. */
    public static TrainSet unpaired(List<UnpairedExample> rows) {
        return of(data(List.of(), List.of(), rows, List.of()));
    }

    /** Pairs whose prompts differ, for DOVE. */
    public static TrainSet joint(List<JointPreferencePair> pairs) {
        return of(data(List.of(), List.of(), List.of(), pairs));
    }

    /** What a {@code PreferenceReader} read. */
    public static TrainSet of(PreferenceData data) {
        return new TrainSet(Objects.requireNonNull(data, "data"), null, data.file() == null ? "<memory>" : data.file());
    }

    /** SFT rows. */
    public static TrainSet sft(List<SftRow> rows) {
        return new TrainSet(null, List.copyOf(rows), "<memory>");
    }

    /** Number of rows given (before length limits). */
    public int size() {
        return preferences == null ? sft.size()
                : preferences.pairs().size() + preferences.lists().size() + preferences.unpaired().size() + preferences.joint().size();
    }

    /**
     * Tokenized groups of the layout {@code needs} asks for (null: SFT rows; preference pairs then give their chosen
     * response as the completion, as {@code prefer train sft} reads a preference file).
     */
    TrainData.Loaded tokenize(HfModel lm, Requirements needs, LengthConfig length) {
        if (needs != null) {
            if (preferences == null) throw new IllegalArgumentException("SFT rows given to a preference objective; give pairs, lists or unpaired rows");
            return TrainData.preferences(preferences, name, lm, needs, length);
        }
        if (sft != null) return TrainData.sft(sft, name, lm, length);
        List<SftRow> rows = new java.util.ArrayList<>();
        for (PreferencePair p : preferences.pairs()) rows.add(new SftRow(p.prompt(), p.chosen(), p.weight()));
        return TrainData.sft(rows, name, lm, length);
    }

    private static PreferenceData data(List<PreferencePair> pairs, List<RankedList> lists, List<UnpairedExample> unpaired,
                                       List<JointPreferencePair> joint) {
        long rows = pairs.size() + lists.size() + unpaired.size() + joint.size();
        return new PreferenceData("<memory>", null, pairs, lists, unpaired, joint, rows, 0, null, 0);
    }
}
