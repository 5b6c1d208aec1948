package dev.prefer.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Hashes;
import dev.prefer.data.Jsonl;
import dev.prefer.data.PreferencePair;
import dev.prefer.data.pref.ChatMessage;
import dev.prefer.data.pref.ChatTemplate;
import dev.prefer.data.pref.LengthConfig;
import dev.prefer.data.pref.LengthLimiter;
import dev.prefer.data.pref.PreferenceData;
import dev.prefer.data.pref.PreferenceReader;
import dev.prefer.data.pref.RankedList;
import dev.prefer.lm.HfModel;
import dev.prefer.lm.PromptResponse;
import dev.prefer.lm.TokenizedSequence;
import dev.prefer.objectives.Layout;
import dev.prefer.objectives.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Reads and tokenizes training data for a task: preference pairs or ranked lists (through prefer-data's
 * {@link PreferenceReader}; pairs become two-item lists when a listwise objective asks for lists), or SFT rows
 * ({@code {"prompt","completion"}} strings, {@code {"messages": [...]}} conversations, or any preference file, whose
 * chosen response is the completion). Length limits are applied to token ids with {@link LengthLimiter}.
 */
public final class TrainData {
    private TrainData() {}

    /** Tokenized groups plus bookkeeping for the manifest. */
    public record Loaded(List<TrainExample> examples, long rows, long skipped, long dropped, long truncated) {}

    static ChatTemplate templateOf(Path modelDir) {
        try {
            if (Files.exists(modelDir.resolve("tokenizer_config.json"))) return ChatTemplate.fromTokenizerConfig(modelDir);
        } catch (RuntimeException e) {
            // no chat template: conversational data will fail with the reader's own located error
        }
        return null;
    }

    /** Preference data as groups of the layout the objective needs. */
    public static Loaded preferences(Path file, HfModel lm, Requirements needs, LengthConfig length, boolean skipBadRows) {
        if (needs.layout() == Layout.UNPAIRED) {
            throw new IllegalArgumentException("the trainer does not yet feed unpaired (KTO-style) data");
        }
        if (needs.klSamples() || needs.scorePromptTokens()) {
            throw new IllegalArgumentException("the trainer does not yet supply KL samples or prompt-token scores (KTO, DOVE)");
        }
        PreferenceReader.Options opts = PreferenceReader.Options.DEFAULT.withSkipBadRows(skipBadRows);
        ChatTemplate t = templateOf(lm.source());
        if (t != null) opts = opts.withChatTemplate(t);
        PreferenceData d = PreferenceReader.read(file, opts);
        List<RawGroup> raw = new ArrayList<>();
        for (PreferencePair p : d.pairs()) {
            double[] attrs = new double[needs.attributes().size()];
            for (int i = 0; i < attrs.length; i++) {
                Double v = p.attributes().get(needs.attributes().get(i));
                if (v == null) throw new DataException(p.source().file(), p.source().line(), "attributes." + needs.attributes().get(i), "missing (the objective needs it)");
                attrs[i] = v;
            }
            raw.add(new RawGroup(p.prompt(), List.of(p.chosen(), p.rejected()), new double[] {1, 0}, p.weight(), p.margin(), attrs));
        }
        for (RankedList l : d.lists()) {
            if (needs.layout() == Layout.PAIRS) throw DataException.ofFile(file, "ranked lists given to an objective that needs pairs");
            raw.add(new RawGroup(l.prompt(), l.responses(), l.scores(), l.weight(), null, new double[0]));
        }
        if (raw.isEmpty()) throw DataException.ofFile(file, "no preference pairs or lists to train on");
        return tokenize(raw, lm, length, d.rows(), d.skipped());
    }

    /** SFT rows: prompt and completion (the completion alone is scored). */
    public static Loaded sft(Path file, HfModel lm, LengthConfig length, boolean skipBadRows) {
        ChatTemplate t = templateOf(lm.source());
        List<RawGroup> raw = new ArrayList<>();
        boolean[] preference = {false};
        Jsonl.ReadStats stats = Jsonl.read(file, skipBadRows, (line, row) -> {
            if (row.has("chosen") && row.has("rejected")) {
                preference[0] = true;
                return;
            }
            String prompt, completion;
            if (row.has("messages")) {
                List<ChatMessage> msgs = ChatMessage.listFrom(file, line, "messages", row.get("messages"));
                int last = msgs.size() - 1;
                if (last < 1 || !"assistant".equals(msgs.get(last).role())) {
                    throw new DataException(file, line, "messages", "must end with an assistant message after at least one other message");
                }
                requireTemplate(t, file, line);
                List<ChatMessage> p = msgs.subList(0, last);
                prompt = t.renderPrompt(p);
                completion = t.renderCompletion(p, prompt, msgs.subList(last, last + 1), "messages");
            } else if (row.path("prompt").isArray()) {
                requireTemplate(t, file, line);
                List<ChatMessage> p = ChatMessage.listFrom(file, line, "prompt", row.get("prompt"));
                List<ChatMessage> c = ChatMessage.listFrom(file, line, "completion", row.get("completion"));
                prompt = t.renderPrompt(p);
                completion = t.renderCompletion(p, prompt, c, "completion");
            } else {
                prompt = Jsonl.requireString(file, line, row, "prompt");
                completion = Jsonl.requireString(file, line, row, "completion");
            }
            Double w = Jsonl.optionalNumber(file, line, row, "weight");
            raw.add(new RawGroup(prompt, List.of(completion), new double[] {1}, w == null ? 1 : w, null, new double[0]));
        });
        if (preference[0]) {
            if (!raw.isEmpty()) throw DataException.ofFile(file, "mixes SFT rows and preference rows");
            PreferenceReader.Options opts = PreferenceReader.Options.DEFAULT.withSkipBadRows(skipBadRows);
            if (t != null) opts = opts.withChatTemplate(t);
            PreferenceData d = PreferenceReader.read(file, opts);
            for (PreferencePair p : d.pairs()) raw.add(new RawGroup(p.prompt(), List.of(p.chosen()), new double[] {1}, p.weight(), null, new double[0]));
            return tokenize(raw, lm, length, d.rows(), d.skipped());
        }
        if (raw.isEmpty()) throw DataException.ofFile(file, "no SFT rows");
        return tokenize(raw, lm, length, stats.rows(), stats.skipped());
    }

    private static void requireTemplate(ChatTemplate t, Path file, long line) {
        if (t == null) throw new DataException(file, line, "messages", "conversational row but the model folder has no chat_template");
    }

    private record RawGroup(String prompt, List<String> responses, double[] labels, double weight, Double margin, double[] attributes) {}

    private static Loaded tokenize(List<RawGroup> raw, HfModel lm, LengthConfig length, long rows, long skipped) {
        int maxPos = lm.config().maxPositions();
        if (length.maxLength() > maxPos) {
            throw new IllegalArgumentException("max length " + length.maxLength() + " exceeds the model's " + maxPos + " positions");
        }
        LengthLimiter limiter = new LengthLimiter(length);
        List<TrainExample> out = new ArrayList<>(raw.size());
        long dropped = 0, truncated = 0;
        for (RawGroup g : raw) {
            int[] prompt = null;
            List<int[]> resp = new ArrayList<>();
            for (String r : g.responses()) {
                TokenizedSequence s = lm.tokenize(new PromptResponse(g.prompt(), r));
                if (prompt == null) prompt = toInt(s.promptIds());
                resp.add(toInt(s.responseIds()));
            }
            Optional<LengthLimiter.Tokenized> tk = limiter.apply(prompt, resp);
            if (tk.isEmpty()) {
                dropped++;
                continue;
            }
            if (tk.get().truncated()) truncated++;
            List<long[]> rs = new ArrayList<>();
            boolean empty = false;
            for (int[] r : tk.get().responses()) {
                empty |= r.length == 0;
                rs.add(toLong(r));
            }
            int longest = 0;
            for (long[] r : rs) longest = Math.max(longest, r.length);
            if (empty || tk.get().prompt().length == 0 || tk.get().prompt().length + longest > maxPos) {
                dropped++;
                continue;
            }
            out.add(new TrainExample(toLong(tk.get().prompt()), rs, g.labels(), g.weight(), g.margin(), g.attributes()));
        }
        if (out.isEmpty()) throw new IllegalArgumentException("every row was dropped by the length limits");
        return new Loaded(out, rows, skipped, dropped, truncated);
    }

    /** Splits off a seeded evaluation fraction (at least one example when the fraction is positive). */
    public static List<List<TrainExample>> split(List<TrainExample> all, double fraction, long seed) {
        if (fraction <= 0) return List.of(all, List.of());
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) idx.add(i);
        java.util.Collections.shuffle(idx, new Random(seed ^ 0x5EEDL));
        int nEval = Math.max(1, (int) Math.round(all.size() * fraction));
        if (nEval >= all.size()) throw new IllegalArgumentException("eval fraction leaves no training data");
        boolean[] isEval = new boolean[all.size()];
        for (int i = 0; i < nEval; i++) isEval[idx.get(i)] = true;
        List<TrainExample> train = new ArrayList<>(), eval = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) (isEval[i] ? eval : train).add(all.get(i));
        return List.of(train, eval);
    }

    /** SHA-256 of the token ids, labels, weights and margins of every group (what the reference cache keys on). */
    public static String hash(List<TrainExample> ex) {
        java.security.MessageDigest md = Hashes.sha256();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8);
        for (TrainExample e : ex) {
            update(md, e.prompt(), b);
            for (long[] r : e.responses()) update(md, r, b);
            for (double l : e.labels()) md.update(b.clear().putDouble(l).array());
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    private static void update(java.security.MessageDigest md, long[] ids, java.nio.ByteBuffer b) {
        md.update(b.clear().putLong(ids.length).array());
        for (long v : ids) md.update(b.clear().putLong(v).array());
    }

    static int[] toInt(long[] a) {
        return Arrays.stream(a).mapToInt(Math::toIntExact).toArray();
    }

    static long[] toLong(int[] a) {
        return Arrays.stream(a).asLongStream().toArray();
    }
}
