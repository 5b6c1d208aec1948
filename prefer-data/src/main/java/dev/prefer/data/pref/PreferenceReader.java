package dev.prefer.data.pref;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Jsonl;
import dev.prefer.data.PreferencePair;
import dev.prefer.data.Source;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads preference data from JSONL or gzip JSONL in any {@link PreferenceFormat}: pairs (standard,
 * conversational, implicit prompt), ranked lists and unpaired rows. A bad row is a {@link DataException} naming
 * file, line and field; with {@link Options#skipBadRows()} it is counted and skipped instead, and the count is
 * reported once on standard error. A pair whose prompt, chosen and rejected are all empty is bad input. A pair whose
 * chosen equals its rejected states no preference: it is kept (a pairwise loss sees a zero margin, as TRL does) with
 * a counted warning on standard error, and skipped as a bad row under {@link Options#skipBadRows()}.
 *
 * <pre>{@code
 * PreferenceData d = PreferenceReader.read(Path.of("dev.jsonl.gz"), PreferenceReader.Options.DEFAULT);
 * for (PreferencePair p : d.pairs()) { ... }
 * }</pre>
 */
public final class PreferenceReader {
    private PreferenceReader() {}

    /**
     * How to read.
     *
     * @param format       the layout, or null to detect it from the first row (default)
     * @param skipBadRows  count and skip bad rows instead of failing (default false)
     * @param chatTemplate renders conversational rows; required only when a row holds messages (default none)
     */
    public record Options(PreferenceFormat format, boolean skipBadRows, ChatTemplate chatTemplate) {
        public static final Options DEFAULT = new Options(null, false, null);

        public Options withFormat(PreferenceFormat f) {
            return new Options(f, skipBadRows, chatTemplate);
        }

        public Options withSkipBadRows(boolean skip) {
            return new Options(format, skip, chatTemplate);
        }

        public Options withChatTemplate(ChatTemplate t) {
            return new Options(format, skipBadRows, t);
        }
    }

    public static PreferenceData read(Path file) {
        return read(file, Options.DEFAULT);
    }

    public static PreferenceData read(Path file, Options options) {
        List<PreferencePair> pairs = new ArrayList<>();
        List<RankedList> lists = new ArrayList<>();
        List<UnpairedExample> unpaired = new ArrayList<>();
        List<JointPreferencePair> joint = new ArrayList<>();
        PreferenceFormat[] format = {options.format()};
        long[] splitDisagreements = {0};
        long[] identical = {0, 0}; // count, first line
        Jsonl.ReadStats stats = Jsonl.read(file, options.skipBadRows(), (line, row) -> {
            if (format[0] == null) format[0] = PreferenceFormat.detect(file, line, row);
            Row r = new Row(file, line, row, options.chatTemplate(), options.skipBadRows(), identical);
            switch (format[0]) {
                case STANDARD, CONVERSATIONAL -> pairs.add(r.pair(r.text("prompt", true)));
                case IMPLICIT_PROMPT -> {
                    String chosen = Jsonl.requireString(file, line, row, "chosen");
                    String rejected = Jsonl.requireString(file, line, row, "rejected");
                    ImplicitPrompt.Split s = ImplicitPrompt.split(chosen, rejected);
                    if (s == null) {
                        throw new DataException(file, line, "chosen", "no shared prompt: the transcripts share no '"
                                + ImplicitPrompt.ASSISTANT_TURN.strip() + "' turn");
                    }
                    if (!s.ownSplitAgrees()) splitDisagreements[0]++;
                    pairs.add(r.pairOf(s.prompt(), s.chosen(), s.rejected()));
                }
                case CONVERSATIONAL_IMPLICIT_PROMPT -> pairs.add(r.implicitConversationalPair());
                case RANKED -> lists.add(r.ranked());
                case UNPAIRED -> unpaired.add(r.unpaired());
                case JOINT -> joint.add(new JointPreferencePair(Jsonl.requireString(file, line, row, "prompt_chosen"),
                        Jsonl.requireString(file, line, row, "chosen"), Jsonl.requireString(file, line, row, "prompt_rejected"),
                        Jsonl.requireString(file, line, row, "rejected"), r.weight(), r.annotator(), r.attributes(), r.source()));
            }
        });
        if (format[0] == null) format[0] = options.format();
        if (stats.skipped() > 0) System.err.println(skippedWarning(stats.skipped(), stats.rows() + stats.skipped(), stats.firstSkipped()));
        if (identical[0] > 0) System.err.println(identicalWarning(file, identical[0], identical[1]));
        return new PreferenceData(file.toString(), format[0], pairs, lists, unpaired, joint, stats.rows(), stats.skipped(),
                stats.firstSkipped(), splitDisagreements[0]);
    }

    /**
     * Refuses a pair that states nothing: prompt, chosen and rejected all empty (or blank).
     *
     * @throws DataException naming the file, line and field
     */
    public static void checkPair(Path file, long line, String prompt, String chosen, String rejected) {
        if (prompt.isBlank() && chosen.isBlank() && rejected.isBlank()) {
            throw new DataException(file, line, "prompt", "prompt, chosen and rejected are all empty: the pair states nothing");
        }
    }

    /** The reason a pair with chosen equal to rejected is skipped under skip-bad-rows. */
    public static final String IDENTICAL = "identical to chosen: the pair states no preference";

    /** The one-line warning printed when pairs with chosen equal to rejected were kept. */
    public static String identicalWarning(Path file, long count, long firstLine) {
        return "prefer: warning: " + file + ": " + count + (count == 1 ? " pair has" : " pairs have")
                + " chosen identical to rejected (first at line " + firstLine + "): no preference to learn; --skip-bad-rows drops them";
    }

    /** The one-line warning printed when bad rows were skipped. */
    public static String skippedWarning(long skipped, long rows, DataException first) {
        return "prefer: warning: skipped " + skipped + " of " + rows + " rows (--skip-bad-rows); first: "
                + (first == null ? "" : first.getMessage());
    }

    /** One row being parsed, with its location for errors. */
    private record Row(Path file, long line, JsonNode row, ChatTemplate template, boolean skipBadRows, long[] identical) {

        DataException error(String field, String reason) {
            return new DataException(file, line, field, reason);
        }

        ChatTemplate template(String field) {
            if (template == null) throw error(field, "conversational rows (lists of messages) need a chat template (the model's tokenizer_config.json)");
            return template;
        }

        List<ChatMessage> messages(String field) {
            return ChatMessage.listFrom(file, line, field, row.get(field));
        }

        /** A string field, or a message list rendered (the prompt with the generation prompt). */
        String text(String field, boolean isPrompt) {
            JsonNode v = row.get(field);
            if (v != null && v.isArray()) {
                List<ChatMessage> m = messages(field);
                return isPrompt ? render(field, () -> template(field).renderPrompt(m)) : render(field, () -> template(field).render(m, false));
            }
            return Jsonl.requireString(file, line, row, field);
        }

        String render(String field, java.util.function.Supplier<String> r) {
            try {
                return r.get();
            } catch (ChatTemplate.TemplateException e) {
                throw error(field, "chat template: " + e.getMessage());
            }
        }

        /** A response after {@code prompt}: a string, or messages rendered as the text they add after the prompt. */
        String response(String field, String promptField, String renderedPrompt) {
            JsonNode v = row.get(field);
            if (v != null && v.isArray()) {
                List<ChatMessage> prompt = messages(promptField);
                List<ChatMessage> m = messages(field);
                return render(field, () -> template(field).renderCompletion(prompt, renderedPrompt, m, field));
            }
            return Jsonl.requireString(file, line, row, field);
        }

        PreferencePair pair(String prompt) {
            boolean conversational = row.get("prompt").isArray();
            String chosen = conversational ? response("chosen", "prompt", prompt) : Jsonl.requireString(file, line, row, "chosen");
            String rejected = conversational ? response("rejected", "prompt", prompt) : Jsonl.requireString(file, line, row, "rejected");
            return pairOf(prompt, chosen, rejected);
        }

        PreferencePair implicitConversationalPair() {
            List<ChatMessage> chosen = messages("chosen");
            List<ChatMessage> rejected = messages("rejected");
            int shared = ImplicitPrompt.sharedMessages(chosen, rejected);
            if (shared == 0) throw error("chosen", "no shared prompt: the conversations share no leading message");
            if (shared == chosen.size() || shared == rejected.size()) throw error("chosen", "one conversation is a prefix of the other: no response to compare");
            List<ChatMessage> prompt = chosen.subList(0, shared);
            ChatTemplate t = template("chosen");
            String p = render("prompt", () -> t.renderPrompt(prompt));
            String c = render("chosen", () -> t.renderCompletion(prompt, p, chosen.subList(shared, chosen.size()), "chosen"));
            String r = render("rejected", () -> t.renderCompletion(prompt, p, rejected.subList(shared, rejected.size()), "rejected"));
            return pairOf(p, c, r);
        }

        PreferencePair pairOf(String prompt, String chosen, String rejected) {
            checkPair(file, line, prompt, chosen, rejected);
            if (chosen.equals(rejected)) {
                if (skipBadRows) throw error("rejected", IDENTICAL);
                if (identical[0]++ == 0) identical[1] = line;
            }
            Double margin = Jsonl.optionalNumber(file, line, row, "margin");
            return new PreferencePair(prompt, chosen, rejected, margin, weight(), annotator(), pairAttributes(), source());
        }

        RankedList ranked() {
            String prompt = text("prompt", true);
            JsonNode rs = row.get("responses");
            if (rs == null || !rs.isArray()) throw error("responses", "expected a list of responses");
            if (rs.size() < 2) throw error("responses", "a ranked list needs at least 2 responses, got " + rs.size());
            List<String> responses = new ArrayList<>(rs.size());
            for (int i = 0; i < rs.size(); i++) {
                JsonNode v = rs.get(i);
                String at = "responses[" + i + "]";
                if (v.isTextual()) {
                    responses.add(v.asText());
                } else if (v.isArray() && row.get("prompt").isArray()) {
                    List<ChatMessage> pm = messages("prompt");
                    List<ChatMessage> m = ChatMessage.listFrom(file, line, at, v);
                    responses.add(render(at, () -> template(at).renderCompletion(pm, prompt, m, at)));
                } else {
                    throw error(at, "expected a string (or a message list when the prompt is one)");
                }
            }
            double[] scores;
            if (row.has("scores")) {
                scores = numbers("scores", rs.size());
            } else if (row.has("ranking")) {
                double[] r = numbers("ranking", rs.size());
                int[] ranking = new int[r.length];
                for (int i = 0; i < r.length; i++) {
                    if (r[i] != Math.rint(r[i])) throw error("ranking", "expected response indices (integers)");
                    ranking[i] = (int) r[i];
                }
                try {
                    scores = RankedList.scoresFromRanking(ranking);
                } catch (IllegalArgumentException e) {
                    throw error("ranking", e.getMessage());
                }
            } else {
                throw error("scores", "missing: a ranked list needs 'scores' (higher is better) or 'ranking' (indices, best first)");
            }
            return new RankedList(prompt, responses, scores, weight(), annotator(), attributes(), source());
        }

        double[] numbers(String field, int expected) {
            JsonNode v = row.get(field);
            if (!v.isArray()) throw error(field, "expected a list of numbers");
            if (v.size() != expected) throw error(field, "has " + v.size() + " values for " + expected + " responses");
            double[] out = new double[v.size()];
            for (int i = 0; i < out.length; i++) {
                JsonNode x = v.get(i);
                if (!x.isNumber() || !Double.isFinite(x.asDouble())) throw error(field + "[" + i + "]", "expected a finite number");
                out[i] = x.asDouble();
            }
            return out;
        }

        UnpairedExample unpaired() {
            String prompt = text("prompt", true);
            String completion = row.get("completion") != null && row.get("completion").isArray()
                    ? response("completion", "prompt", prompt) : Jsonl.requireString(file, line, row, "completion");
            JsonNode l = row.get("label");
            boolean label;
            if (l == null || l.isNull()) throw error("label", "missing");
            else if (l.isBoolean()) label = l.asBoolean();
            else if (l.isNumber() && (l.asDouble() == 0 || l.asDouble() == 1)) label = l.asDouble() == 1;
            else throw error("label", "expected true/false (or 1/0)");
            return new UnpairedExample(prompt, completion, label, weight(), annotator(), attributes(), source());
        }

        double weight() {
            Double w = Jsonl.optionalNumber(file, line, row, "weight");
            if (w == null) return 1.0;
            if (w < 0) throw error("weight", "must be >= 0, got " + w);
            return w;
        }

        String annotator() {
            JsonNode v = row.get("annotator");
            if (v == null || v.isNull()) return null;
            if (v.isTextual() || v.isNumber()) return v.asText();
            throw error("annotator", "expected a string or a number");
        }

        Map<String, Double> attributes() {
            return namedNumbers("attributes");
        }

        Map<String, Double> namedNumbers(String field) {
            JsonNode v = row.get(field);
            if (v == null || v.isNull()) return Map.of();
            if (!v.isObject()) throw error(field, "expected an object of named numbers");
            Map<String, Double> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isNumber() || !Double.isFinite(e.getValue().asDouble())) {
                    throw error(field + "." + e.getKey(), "expected a finite number");
                }
                out.put(e.getKey(), e.getValue().asDouble());
            }
            return out;
        }

        /**
         * A pair's attributes; {@code chosen_scores} and {@code rejected_scores} (per-response reward scores, as
         * MODPO uses) become attributes holding the difference chosen minus rejected under each name.
         */
        Map<String, Double> pairAttributes() {
            Map<String, Double> attrs = new LinkedHashMap<>(attributes());
            Map<String, Double> cs = namedNumbers("chosen_scores");
            Map<String, Double> rs = namedNumbers("rejected_scores");
            if (!cs.keySet().equals(rs.keySet())) {
                throw error(cs.isEmpty() ? "chosen_scores" : "rejected_scores", "chosen_scores and rejected_scores must name the same scores");
            }
            for (var e : cs.entrySet()) {
                if (attrs.containsKey(e.getKey())) throw error("chosen_scores." + e.getKey(), "also given in attributes");
                attrs.put(e.getKey(), e.getValue() - rs.get(e.getKey()));
            }
            return attrs;
        }

        Source source() {
            return new Source(file.toString(), line);
        }
    }
}
