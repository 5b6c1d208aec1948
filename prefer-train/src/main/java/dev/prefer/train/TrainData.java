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
import dev.prefer.data.pref.JointPreferencePair;
import dev.prefer.data.pref.UnpairedExample;
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

    /**
     * Preference data as groups of the layout the objective needs: pairs (or two-item lists for listwise
     * objectives), ranked lists, unpaired rows ({@code prompt}, {@code completion}, {@code label}; pairs are split
     * into a desirable and an undesirable row when the objective is unpaired, as TRL's
     * {@code maybe_unpair_preference_dataset}), or DOVE's joint pairs ({@code prompt_chosen}, {@code chosen},
     * {@code prompt_rejected}, {@code rejected}) for pairwise objectives. When the objective scores prompt tokens
     * (DOVE with {@code joint=1}) every sequence is scored from its second prompt token on: ℓ = log π(x, y).
     * KTO's KL samples are added afterwards, per split, by {@link #withKlSamples}.
     */
    public static Loaded preferences(Path file, HfModel lm, Requirements needs, LengthConfig length, boolean skipBadRows) {
        PreferenceReader.Options opts = PreferenceReader.Options.DEFAULT.withSkipBadRows(skipBadRows);
        ChatTemplate t = lm.source() == null ? null : templateOf(lm.source());
        if (t != null) opts = opts.withChatTemplate(t);
        return preferences(PreferenceReader.read(file, opts), file.toString(), lm, needs, length);
    }

    /**
     * As {@link #preferences(Path, HfModel, Requirements, LengthConfig, boolean)}, from rows already in memory
     * ({@code where} names them in errors, e.g. the file they came from).
     */
    public static Loaded preferences(PreferenceData d, String where, HfModel lm, Requirements needs, LengthConfig length) {
        boolean unpairedObjective = needs.layout() == Layout.UNPAIRED;
        List<RawGroup> raw = new ArrayList<>();
        for (PreferencePair p : d.pairs()) {
            if (unpairedObjective) {
                raw.add(new RawGroup(p.prompt(), List.of(p.chosen()), new double[] {1}, p.weight(), null, attributes(needs, p.attributes(), p.source().file(), p.source().line()), null));
                raw.add(new RawGroup(p.prompt(), List.of(p.rejected()), new double[] {0}, p.weight(), null, attributes(needs, p.attributes(), p.source().file(), p.source().line()), null));
            } else {
                raw.add(new RawGroup(p.prompt(), List.of(p.chosen(), p.rejected()), new double[] {1, 0}, p.weight(), p.margin(),
                        attributes(needs, p.attributes(), p.source().file(), p.source().line()), null));
            }
        }
        int listSize = -1;
        for (RankedList l : d.lists()) {
            if (needs.layout() != Layout.LISTS) throw new DataException(where, 0, null, "ranked lists given to an objective that needs " + layoutName(needs));
            // the listwise objectives take one list length per batch: a file of lists must be uniform
            if (listSize < 0) listSize = l.responses().size();
            else if (l.responses().size() != listSize) {
                throw new DataException(l.source().file(), l.source().line(), "responses", "has " + l.responses().size()
                        + " responses where earlier lists have " + listSize + "; listwise training needs lists of one length");
            }
            raw.add(new RawGroup(l.prompt(), l.responses(), l.scores(), l.weight(), null, new double[0], null));
        }
        if (listSize > 0 && listSize != 2 && !d.pairs().isEmpty()) {
            throw new DataException(where, 0, null, "mixes pairs with lists of " + listSize + " responses; listwise training needs lists of one length");
        }
        for (UnpairedExample u : d.unpaired()) {
            if (!unpairedObjective) {
                throw new DataException(u.source().file(), u.source().line(), "label", "unpaired rows (prompt, completion, label) need an"
                        + " unpaired objective (kto, or bco with unpaired=1); this one needs " + layoutName(needs));
            }
            raw.add(new RawGroup(u.prompt(), List.of(u.completion()), new double[] {u.label() ? 1 : 0}, u.weight(), null,
                    attributes(needs, u.attributes(), u.source().file(), u.source().line()), null));
        }
        for (JointPreferencePair j : d.joint()) {
            if (needs.layout() != Layout.PAIRS) {
                throw new DataException(j.source().file(), j.source().line(), "prompt_chosen", "joint pairs (different prompts) need a"
                        + " pairwise objective such as dove; this one needs " + layoutName(needs));
            }
            raw.add(new RawGroup(j.promptChosen(), List.of(j.chosen(), j.rejected()), new double[] {1, 0}, j.weight(), null,
                    attributes(needs, j.attributes(), j.source().file(), j.source().line()), List.of(j.promptChosen(), j.promptRejected())));
        }
        if (raw.isEmpty()) throw new DataException(where, 0, null, "no preference rows to train on");
        Loaded l = tokenize(raw, lm, length, d.rows(), d.skipped());
        return needs.scorePromptTokens() ? new Loaded(scorePrompts(l.examples()), l.rows(), l.skipped(), l.dropped(), l.truncated()) : l;
    }

    private static String layoutName(Requirements needs) {
        return switch (needs.layout()) {
            case PAIRS -> "pairs";
            case LISTS -> "ranked lists (or pairs)";
            case UNPAIRED -> "unpaired rows (or pairs, split into rows)";
        };
    }

    private static double[] attributes(Requirements needs, java.util.Map<String, Double> have, String file, long line) {
        double[] attrs = new double[needs.attributes().size()];
        for (int i = 0; i < attrs.length; i++) {
            Double v = have.get(needs.attributes().get(i));
            if (v == null) throw new DataException(file, line, "attributes." + needs.attributes().get(i), "missing (the objective needs it)");
            attrs[i] = v;
        }
        return attrs;
    }

    /**
     * Every sequence re-cut so that its prompt tokens after the first are scored too: prompt {@code x[0]}, response
     * {@code x[1..] ++ y}, so the summed log-prob is log π(x_1..x_n, y | x_0) (DOVE's joint distribution; the first
     * token has no context to be predicted from).
     */
    static List<TrainExample> scorePrompts(List<TrainExample> ex) {
        List<TrainExample> out = new ArrayList<>(ex.size());
        for (TrainExample e : ex) {
            List<long[]> prompts = new ArrayList<>(), responses = new ArrayList<>();
            for (int j = 0; j < e.k(); j++) {
                long[] p = e.promptOf(j), r = e.responses().get(j);
                long[] joined = new long[p.length - 1 + r.length];
                System.arraycopy(p, 1, joined, 0, p.length - 1);
                System.arraycopy(r, 0, joined, p.length - 1, r.length);
                prompts.add(new long[] {p[0]});
                responses.add(joined);
            }
            out.add(new TrainExample(new long[] {e.prompt()[0]}, responses, e.labels(), e.weight(), e.margin(), e.attributes(), prompts, null));
        }
        return out;
    }

    /**
     * KTO's mismatched pairs, as TRL's KTO trainer builds them ({@code _get_kl_dataset} over the dataset in order,
     * in chunks of the per-device batch size): within each chunk of {@code chunk} consecutive rows, row i gets the
     * completion of row i+1 (the last row that of the first), scored after row i's own prompt. A final chunk of
     * one row takes the previous row's completion; a split of one row gets none (z = 0). The completion is cut to fit the length limits after the prompt.
     */
    public static List<TrainExample> withKlSamples(List<TrainExample> ex, int chunk, LengthConfig length, HfModel lm) {
        if (ex.size() < 2) return ex; // no other row: no KL sample, z = 0
        if (chunk < 2) throw new IllegalArgumentException("the KL estimate pairs each row with another row's completion: it needs batch size >= 2");
        int limit = lm.config().maxPositions();
        if (length.maxLength() > 0) limit = Math.min(limit, length.maxLength());
        List<TrainExample> out = new ArrayList<>(ex.size());
        for (int start = 0; start < ex.size(); start += chunk) {
            int end = Math.min(ex.size(), start + chunk);
            for (int i = start; i < end; i++) {
                int partner = end - start == 1 ? i - 1 : (i + 1 < end ? i + 1 : start);
                TrainExample e = ex.get(i);
                if (e.k() != 1) throw new IllegalArgumentException("KL samples are for unpaired rows (one completion each)");
                long[] y = ex.get(partner).responses().get(0);
                int room = limit - e.prompt().length;
                if (y.length > room) y = Arrays.copyOf(y, room);
                out.add(new TrainExample(e.prompt(), e.responses(), e.labels(), e.weight(), e.margin(), e.attributes(), e.responsePrompts(), y));
            }
        }
        return out;
    }

    /** SFT rows: prompt and completion (the completion alone is scored). */
    public static Loaded sft(Path file, HfModel lm, LengthConfig length, boolean skipBadRows) {
        ChatTemplate t = lm.source() == null ? null : templateOf(lm.source());
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
            raw.add(new RawGroup(prompt, List.of(completion), new double[] {1}, w == null ? 1 : w, null, new double[0], null));
        });
        if (preference[0]) {
            if (!raw.isEmpty()) throw DataException.ofFile(file, "mixes SFT rows and preference rows");
            PreferenceReader.Options opts = PreferenceReader.Options.DEFAULT.withSkipBadRows(skipBadRows);
            if (t != null) opts = opts.withChatTemplate(t);
            PreferenceData d = PreferenceReader.read(file, opts);
            for (PreferencePair p : d.pairs()) raw.add(new RawGroup(p.prompt(), List.of(p.chosen()), new double[] {1}, p.weight(), null, new double[0], null));
            return tokenize(raw, lm, length, d.rows(), d.skipped());
        }
        if (raw.isEmpty()) throw DataException.ofFile(file, "no SFT rows");
        return tokenize(raw, lm, length, stats.rows(), stats.skipped());
    }

    /** SFT rows already in memory: each (prompt, completion, weight); the completion alone is scored. */
    public static Loaded sft(List<TrainSet.SftRow> rows, String where, HfModel lm, LengthConfig length) {
        List<RawGroup> raw = new ArrayList<>(rows.size());
        for (TrainSet.SftRow r : rows) raw.add(new RawGroup(r.prompt(), List.of(r.completion()), new double[] {1}, r.weight(), null, new double[0], null));
        if (raw.isEmpty()) throw new DataException(where, 0, null, "no SFT rows");
        return tokenize(raw, lm, length, rows.size(), 0);
    }

    private static void requireTemplate(ChatTemplate t, Path file, long line) {
        if (t == null) throw new DataException(file, line, "messages", "conversational row but the model folder has no chat_template");
    }

    /** One group before tokenization; {@code prompts}: one per response when they differ (joint pairs), else null. */
    private record RawGroup(String prompt, List<String> responses, double[] labels, double weight, Double margin, double[] attributes,
                            List<String> prompts) {}

    private static Loaded tokenize(List<RawGroup> raw, HfModel lm, LengthConfig length, long rows, long skipped) {
        int maxPos = lm.config().maxPositions();
        if (length.maxLength() > maxPos) {
            throw new IllegalArgumentException("max length " + length.maxLength() + " exceeds the model's " + maxPos + " positions");
        }
        LengthLimiter limiter = new LengthLimiter(length);
        List<TrainExample> out = new ArrayList<>(raw.size());
        long dropped = 0, truncated = 0;
        for (RawGroup g : raw) {
            // Responses that share a prompt are limited together; joint pairs each with their own prompt.
            List<long[]> prompts = new ArrayList<>(), rs = new ArrayList<>();
            boolean drop = false, cut = false;
            int n = g.responses().size();
            int[] shared = null;
            List<int[]> sharedResp = new ArrayList<>();
            for (int j = 0; j < n && !drop; j++) {
                TokenizedSequence s = lm.tokenize(new PromptResponse(g.prompts() == null ? g.prompt() : g.prompts().get(j), g.responses().get(j)));
                if (g.prompts() == null) {
                    if (shared == null) shared = toInt(s.promptIds());
                    sharedResp.add(toInt(s.responseIds()));
                    continue;
                }
                Optional<LengthLimiter.Tokenized> tk = limiter.apply(toInt(s.promptIds()), List.of(toInt(s.responseIds())));
                if (tk.isEmpty()) {
                    drop = true;
                } else {
                    cut |= tk.get().truncated();
                    prompts.add(toLong(tk.get().prompt()));
                    rs.add(toLong(tk.get().response(0)));
                }
            }
            if (g.prompts() == null) {
                Optional<LengthLimiter.Tokenized> tk = limiter.apply(shared, sharedResp);
                if (tk.isEmpty()) {
                    drop = true;
                } else {
                    cut = tk.get().truncated();
                    for (int[] r : tk.get().responses()) {
                        prompts.add(toLong(tk.get().prompt()));
                        rs.add(toLong(r));
                    }
                }
            }
            if (!drop) {
                for (int j = 0; j < rs.size(); j++) {
                    drop |= rs.get(j).length == 0 || prompts.get(j).length == 0 || prompts.get(j).length + rs.get(j).length > maxPos;
                }
            }
            if (drop) {
                dropped++;
                continue;
            }
            if (cut) truncated++;
            out.add(new TrainExample(prompts.get(0), rs, g.labels(), g.weight(), g.margin(), g.attributes(),
                    g.prompts() == null ? null : prompts, null));
        }
        if (out.isEmpty()) throw new IllegalArgumentException("every row was dropped by the length limits");
        return new Loaded(out, rows, skipped, dropped, truncated);
    }

    /**
     * Splits off a seeded evaluation fraction (round(fraction·n), at least one example when the fraction is positive),
     * keeping the input order within each part: the one split of every trainer (policies, score-head and embedding-head
     * reward models).
     */
    public static <T> List<List<T>> split(List<T> all, double fraction, long seed) {
        if (fraction <= 0) return List.of(all, List.of());
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) idx.add(i);
        java.util.Collections.shuffle(idx, new Random(seed ^ 0x5EEDL));
        int nEval = Math.max(1, (int) Math.round(all.size() * fraction));
        if (nEval >= all.size()) throw new IllegalArgumentException("eval fraction leaves no training data");
        boolean[] isEval = new boolean[all.size()];
        for (int i = 0; i < nEval; i++) isEval[idx.get(i)] = true;
        List<T> train = new ArrayList<>(), eval = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) (isEval[i] ? eval : train).add(all.get(i));
        return List.of(train, eval);
    }

    /**
     * SHA-256 of the token ids (prompts, responses, per-response prompts, KL samples) and labels of every group (what
     * the reference cache keys on).
     */
    public static String hash(List<TrainExample> ex) {
        java.security.MessageDigest md = Hashes.sha256();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8);
        for (TrainExample e : ex) {
            update(md, e.prompt(), b);
            for (long[] r : e.responses()) update(md, r, b);
            if (e.responsePrompts() != null) for (long[] p : e.responsePrompts()) update(md, p, b);
            if (e.klResponse() != null) update(md, e.klResponse(), b);
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
