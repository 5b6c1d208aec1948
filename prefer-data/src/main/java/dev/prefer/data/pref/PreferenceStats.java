package dev.prefer.data.pref;

import dev.prefer.data.PreferencePair;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A summary of a preference file for {@code prefer data inspect}: counts, how prompts were split, text lengths
 * and suspicious rows. Lengths are in characters (token lengths need a tokenizer; see {@link LengthLimiter}).
 */
public final class PreferenceStats {
    private PreferenceStats() {}

    /** The summary as an ordered map (printed as text or JSON). */
    public static Map<String, Object> of(PreferenceData d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", d.file());
        m.put("format", d.format() == null ? "unknown (empty file)" : d.format().cliName());
        m.put("rows", d.rows());
        m.put("bad_rows_skipped", d.skipped());
        if (d.firstSkipped() != null) m.put("first_bad_row", d.firstSkipped().getMessage());
        if (!d.pairs().isEmpty()) m.putAll(pairs(d));
        if (!d.lists().isEmpty()) m.putAll(lists(d.lists()));
        if (!d.unpaired().isEmpty()) m.putAll(unpaired(d.unpaired()));
        if (!d.joint().isEmpty()) {
            m.put("joint_pairs", d.joint().size());
            m.put("joint_pairs_same_prompt", d.joint().stream().filter(j -> j.promptChosen().equals(j.promptRejected())).count());
        }
        return m;
    }

    private static Map<String, Object> pairs(PreferenceData d) {
        List<PreferencePair> ps = d.pairs();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pairs", ps.size());
        Set<String> prompts = new HashSet<>();
        int emptyPrompt = 0, emptyChosen = 0, emptyRejected = 0, identical = 0, withMargin = 0, weighted = 0;
        Set<String> annotators = new HashSet<>();
        int[] lp = new int[ps.size()], lc = new int[ps.size()], lr = new int[ps.size()];
        for (int i = 0; i < ps.size(); i++) {
            PreferencePair p = ps.get(i);
            prompts.add(p.prompt());
            if (p.prompt().isBlank()) emptyPrompt++;
            if (p.chosen().isBlank()) emptyChosen++;
            if (p.rejected().isBlank()) emptyRejected++;
            if (p.chosen().equals(p.rejected())) identical++;
            if (p.margin() != null) withMargin++;
            if (p.weight() != 1.0) weighted++;
            if (p.annotator() != null) annotators.add(p.annotator());
            lp[i] = p.prompt().length();
            lc[i] = p.chosen().length();
            lr[i] = p.rejected().length();
        }
        m.put("distinct_prompts", prompts.size());
        if (d.format() == PreferenceFormat.IMPLICIT_PROMPT) {
            m.put("prompt_split", "at the last '\\n\\nAssistant:' inside the shared prefix");
            m.put("prompt_split_own_turn_differs", d.implicitSplitDisagreements());
        }
        m.put("empty_prompts", emptyPrompt);
        m.put("empty_chosen", emptyChosen);
        m.put("empty_rejected", emptyRejected);
        m.put("identical_chosen_rejected", identical);
        m.put("with_margin", withMargin);
        m.put("weight_not_1", weighted);
        m.put("annotators", annotators.size());
        m.put("prompt_chars", summary(lp));
        m.put("chosen_chars", summary(lc));
        m.put("rejected_chars", summary(lr));
        return m;
    }

    private static Map<String, Object> lists(List<RankedList> ls) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lists", ls.size());
        int[] k = new int[ls.size()];
        int withTies = 0;
        for (int i = 0; i < ls.size(); i++) {
            k[i] = ls.get(i).size();
            double[] s = ls.get(i).scores();
            if (Arrays.stream(s).distinct().count() < s.length) withTies++;
        }
        m.put("responses_per_list", summary(k));
        m.put("lists_with_tied_scores", withTies);
        return m;
    }

    private static Map<String, Object> unpaired(List<UnpairedExample> us) {
        Map<String, Object> m = new LinkedHashMap<>();
        long desirable = us.stream().filter(UnpairedExample::label).count();
        m.put("unpaired", us.size());
        m.put("desirable", desirable);
        m.put("undesirable", us.size() - desirable);
        return m;
    }

    /** min / median / max. */
    static Map<String, Integer> summary(int[] v) {
        int[] s = v.clone();
        Arrays.sort(s);
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("min", s[0]);
        m.put("median", s[s.length / 2]);
        m.put("max", s[s.length - 1]);
        return m;
    }

    /** One "key: value" line per entry. */
    public static String toText(Map<String, Object> stats) {
        StringBuilder b = new StringBuilder();
        for (var e : stats.entrySet()) b.append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        return b.toString();
    }
}
