package dev.prefer.reward.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.data.Jsonl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSONL file of samples to score ({@code prefer score --reward}), in either shape, mixed freely:
 * <ul>
 * <li>{@code {"prompt": ..., "completions": [...]}}: one group per row;</li>
 * <li>{@code {"prompt": ..., "chosen": ..., "rejected": ...}} (a preference pair): the group [chosen, rejected];</li>
 * <li>{@code {"prompt": ..., "completion": ...}} or {@code {"prompt": ..., "text": ...}} (what {@code prefer
 *     generate --out} writes): one sample per row, rows with the same prompt grouped together.</li>
 * </ul>
 * A group's fields are its (first) row's other fields, for rubric placeholders and annotators. Output rows are
 * the input rows with {@code rewards} (or {@code reward}), {@code reward_components} and, for pairwise sources,
 * {@code win_probabilities} added; NaN is written as null.
 */
public final class Samples {
    private Samples() {}

    /** Where an input row's completions sit: group index and, for one-sample rows, the index within the group. */
    public record Row(long line, ObjectNode node, int group, int index) {
        /** True for a {@code completions} row (the whole group). */
        public boolean whole() {
            return index < 0;
        }
    }

    /** The groups to score and the rows they came from. */
    public record Read(List<Group> groups, List<Row> rows) {
        public int completions() {
            int n = 0;
            for (Group g : groups) n += g.size();
            return n;
        }
    }

    /** Scored rows, the groups' scores and the metric means ({@link GroupScores#means}). */
    public record Scored(Read input, List<ObjectNode> rows, List<GroupScores> scores, Map<String, Double> means) {}

    private static final List<String> TEXT_FIELDS = List.of("completion", "text");

    public static Read read(Path file) {
        List<Row> rows = new ArrayList<>();
        List<String> prompts = new ArrayList<>();
        List<List<String>> completions = new ArrayList<>();
        List<Map<String, Object>> fields = new ArrayList<>();
        Map<String, Integer> byPrompt = new LinkedHashMap<>();
        Jsonl.read(file, false, (line, node) -> {
            String prompt = Jsonl.requireString(file, line, node, "prompt");
            JsonNode cs = node.get("completions");
            if (cs != null && !cs.isNull()) {
                if (!cs.isArray() || cs.isEmpty()) throw new DataException(file, line, "completions", "expected a non-empty array of strings");
                List<String> list = new ArrayList<>();
                for (int i = 0; i < cs.size(); i++) {
                    if (!cs.get(i).isTextual()) throw new DataException(file, line, "completions", "element " + i + " is not a string");
                    list.add(cs.get(i).asText());
                }
                rows.add(new Row(line, (ObjectNode) node, prompts.size(), -1));
                prompts.add(prompt);
                completions.add(list);
                fields.add(otherFields(node));
                return;
            }
            String chosen = node.has("chosen") && !node.has("completion") && !node.has("text") ? Jsonl.requireString(file, line, node, "chosen") : null;
            if (chosen != null) {
                String rejected = Jsonl.requireString(file, line, node, "rejected");
                rows.add(new Row(line, (ObjectNode) node, prompts.size(), -1));
                prompts.add(prompt);
                completions.add(List.of(chosen, rejected));
                fields.add(otherFields(node));
                return;
            }
            String text = null;
            for (String f : TEXT_FIELDS) {
                if (text == null) text = Jsonl.optionalString(file, line, node, f);
            }
            if (text == null) throw new DataException(file, line, "completions", "missing; expected \"completions\": [...], \"completion\", \"text\" or \"chosen\" and \"rejected\"");
            Integer g = byPrompt.get(prompt);
            if (g == null) {
                g = prompts.size();
                byPrompt.put(prompt, g);
                prompts.add(prompt);
                completions.add(new ArrayList<>());
                fields.add(otherFields(node));
            }
            rows.add(new Row(line, (ObjectNode) node, g, completions.get(g).size()));
            completions.get(g).add(text);
        });
        if (rows.isEmpty()) throw DataException.ofFile(file, "no samples");
        List<Group> groups = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) groups.add(new Group(prompts.get(i), completions.get(i), fields.get(i)));
        return new Read(groups, rows);
    }

    private static Map<String, Object> otherFields(JsonNode node) {
        Map<String, Object> m = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            if (k.equals("prompt") || k.equals("completions") || k.equals("chosen") || k.equals("rejected") || TEXT_FIELDS.contains(k)) continue;
            JsonNode v = e.getValue();
            m.put(k, v.isTextual() ? v.asText() : v.isNumber() ? v.numberValue() : v.isBoolean() ? v.asBoolean() : v.toString());
        }
        return m;
    }

    /** Reads a file and scores every group with one {@link RewardSource#scoreAll} call. */
    public static Scored score(RewardSource source, Path file) {
        return score(source, read(file));
    }

    public static Scored score(RewardSource source, Read input) {
        List<GroupScores> scores = source.scoreAll(input.groups());
        List<ObjectNode> out = new ArrayList<>(input.rows().size());
        for (Row r : input.rows()) {
            GroupScores s = scores.get(r.group());
            ObjectNode o = r.node().deepCopy();
            ObjectNode comps = Json.MAPPER.createObjectNode();
            if (r.whole()) {
                o.set("rewards", array(s.rewards()));
                for (Map.Entry<String, double[]> e : s.components().entrySet()) comps.set(e.getKey(), array(e.getValue()));
                o.set("reward_components", comps);
                if (s.winProbabilities() != null) {
                    ArrayNode m = Json.MAPPER.createArrayNode();
                    for (double[] row : s.winProbabilities()) m.add(array(row));
                    o.set("win_probabilities", m);
                }
            } else {
                putNumber(o, "reward", s.rewards()[r.index()]);
                for (Map.Entry<String, double[]> e : s.components().entrySet()) putNumber(comps, e.getKey(), e.getValue()[r.index()]);
                o.set("reward_components", comps);
            }
            out.add(o);
        }
        return new Scored(input, out, scores, GroupScores.means(scores));
    }

    private static ArrayNode array(double[] v) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (double x : v) {
            if (Double.isFinite(x)) a.add(x);
            else a.addNull();
        }
        return a;
    }

    private static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) o.put(key, v);
        else o.putNull(key);
    }
}
