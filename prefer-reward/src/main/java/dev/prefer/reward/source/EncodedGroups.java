package dev.prefer.reward.source;

import dev.prefer.reward.EmbeddingEncoder;
import dev.prefer.reward.Encoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The vectors of many groups for an embedding reward model: with an {@link EmbeddingEncoder} (whose response
 * vectors do not depend on the prompt) the distinct completions of all groups go to the backbone in one
 * {@code embedAll} call, which batches them (MiniLM) and fills its cache; other encoders encode group by group.
 */
final class EncodedGroups {
    private EncodedGroups() {}

    /** Context and response vectors of one group. */
    record Vectors(double[] context, List<double[]> responses) {}

    static List<Vectors> encode(Encoder enc, List<Group> groups, String fixedAnnotator) {
        Map<String, double[]> shared = null;
        if (enc instanceof EmbeddingEncoder && groups.size() > 1) {
            Map<String, Integer> index = new LinkedHashMap<>();
            for (Group g : groups) for (String c : g.completions()) index.putIfAbsent(c, index.size());
            List<String> texts = new ArrayList<>(index.keySet());
            List<double[]> v = enc.responses(groups.get(0).prompt(), texts);
            shared = new LinkedHashMap<>();
            for (int i = 0; i < texts.size(); i++) shared.put(texts.get(i), v.get(i));
        }
        List<Vectors> out = new ArrayList<>(groups.size());
        for (Group g : groups) {
            double[] c = enc.context(g.prompt(), ModelSource.annotatorOf(fixedAnnotator, g));
            List<double[]> r;
            if (shared != null) {
                r = new ArrayList<>(g.size());
                for (String t : g.completions()) r.add(shared.get(t));
            } else {
                r = enc.responses(g.prompt(), g.completions());
            }
            out.add(new Vectors(c, r));
        }
        return out;
    }
}
