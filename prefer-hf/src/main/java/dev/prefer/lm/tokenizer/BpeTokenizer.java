package dev.prefer.lm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.prefer.data.AtomicFiles;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE tokenizer (Sennrich et al. 2016, BPE; GPT-2's byte-level variant) in the Hugging Face
 * {@code tokenizer.json} format: ByteLevel pre-tokenizer and decoder, a BPE model whose vocabulary holds the special
 * tokens, the 256 byte symbols and one token per merge, and the merges in priority order.
 *
 * <p>Encoding applies, within each pre-token, the merge of lowest rank first (leftmost among equals) until none
 * applies, as the tokenizers library's BPE model does; ids equal the library's on the same file (tested against the
 * library itself and against transformers' ids in ../shared/fixtures/hf-tiny). Special tokens are not parsed out of
 * the text: they are added by the caller (e.g. the eos id after a response), as the fixtures' convention does.
 *
 * <p>Immutable and thread-safe.
 */
public final class BpeTokenizer {
    private final Map<String, Integer> vocab;
    private final List<String[]> merges;
    private final List<String> special;
    private final Map<String, Integer> rank = new HashMap<>();
    private final String[] idToToken;

    /**
     * @param vocab   token string to id (ids dense from 0)
     * @param merges  merge pairs in priority order (rank = index); each result must be in the vocabulary
     * @param special special tokens (e.g. {@code <|endoftext|>}); the first is bos/eos/pad when saved
     */
    public BpeTokenizer(Map<String, Integer> vocab, List<String[]> merges, List<String> special) {
        this.vocab = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(vocab));
        this.merges = merges.stream().map(String[]::clone).toList();
        this.special = List.copyOf(special);
        for (String[] m : this.merges) {
            if (m.length != 2) throw new IllegalArgumentException("a merge has two parts");
            if (!vocab.containsKey(m[0] + m[1])) throw new IllegalArgumentException("merge result not in vocabulary: " + m[0] + " " + m[1]);
        }
        for (String s : ByteLevel.alphabet()) {
            if (!vocab.containsKey(s)) throw new IllegalArgumentException("byte symbol missing from vocabulary: U+" + Integer.toHexString(s.charAt(0)));
        }
        for (String s : this.special) if (!vocab.containsKey(s)) throw new IllegalArgumentException("special token not in vocabulary: " + s);
        for (int i = 0; i < this.merges.size(); i++) rank.putIfAbsent(this.merges.get(i)[0] + "\u0000" + this.merges.get(i)[1], i);
        idToToken = new String[vocab.size()];
        vocab.forEach((k, v) -> {
            if (v < 0 || v >= idToToken.length || idToToken[v] != null) throw new IllegalArgumentException("vocabulary ids must be dense 0.." + (idToToken.length - 1) + ": " + k + " = " + v);
            idToToken[v] = k;
        });
    }

    public Map<String, Integer> vocab() {
        return vocab;
    }

    /** Copies of the merge pairs, in priority order. */
    public List<String[]> merges() {
        return merges.stream().map(String[]::clone).toList();
    }

    public List<String> special() {
        return special;
    }

    public int vocabSize() {
        return idToToken.length;
    }

    /** The id of a special token, e.g. {@code <|endoftext|>}. */
    public int specialId(String token) {
        Integer id = vocab.get(token);
        if (id == null || !special.contains(token)) throw new IllegalArgumentException("no special token " + token);
        return id;
    }

    /** Token ids of the text, without special tokens. */
    public int[] encode(String text) {
        List<Integer> ids = new ArrayList<>();
        for (String piece : ByteLevel.preTokenize(text)) {
            for (String tok : bpe(piece)) ids.add(vocab.get(tok));
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The BPE tokens of one byte-level pre-token. */
    List<String> bpe(String piece) {
        List<String> sym = new ArrayList<>(piece.length());
        for (int i = 0; i < piece.length(); i++) sym.add(String.valueOf(piece.charAt(i)));
        while (sym.size() > 1) {
            int best = Integer.MAX_VALUE, at = -1;
            for (int i = 0; i + 1 < sym.size(); i++) {
                Integer r = rank.get(sym.get(i) + "\u0000" + sym.get(i + 1));
                if (r != null && r < best) {
                    best = r;
                    at = i;
                }
            }
            if (at < 0) break;
            sym.set(at, sym.get(at) + sym.get(at + 1));
            sym.remove(at + 1);
        }
        return sym;
    }

    /** Text of the ids; special tokens are skipped when {@code skipSpecial}, else written as their text. */
    public String decode(int[] ids, boolean skipSpecial) {
        StringBuilder text = new StringBuilder();
        StringBuilder bytes = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= idToToken.length || idToToken[id] == null) throw new IllegalArgumentException("unknown token id " + id);
            String tok = idToToken[id];
            if (special.contains(tok)) {
                text.append(ByteLevel.fromByteLevel(bytes.toString()));
                bytes.setLength(0);
                if (!skipSpecial) text.append(tok);
            } else {
                bytes.append(tok);
            }
        }
        return text.append(ByteLevel.fromByteLevel(bytes.toString())).toString();
    }

    // ---------------------------------------------------------------------------------------------------- file format

    private static final ObjectMapper WRITER = Json.MAPPER.copy().disable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** The {@code tokenizer.json} content (the layout transformers writes for a byte-level BPE tokenizer). */
    public Map<String, Object> toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        List<Object> added = new ArrayList<>();
        for (String s : special) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("id", vocab.get(s));
            a.put("content", s);
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", true);
            added.add(a);
        }
        root.put("added_tokens", added);
        root.put("normalizer", null);
        root.put("pre_tokenizer", byteLevel(false));
        Map<String, Object> post = new LinkedHashMap<>();
        post.put("type", "TemplateProcessing");
        post.put("single", List.of(Map.of("Sequence", seq("A", 0))));
        post.put("pair", List.of(Map.of("Sequence", seq("A", 0)), Map.of("Sequence", seq("B", 1))));
        post.put("special_tokens", Map.of());
        root.put("post_processor", post);
        root.put("decoder", byteLevel(true));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.put("vocab", vocab);
        model.put("merges", merges.stream().map(m -> List.of(m[0], m[1])).toList());
        root.put("model", model);
        return root;
    }

    private static Map<String, Object> byteLevel(boolean addPrefixSpace) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "ByteLevel");
        m.put("add_prefix_space", addPrefixSpace);
        m.put("trim_offsets", true);
        m.put("use_regex", true);
        return m;
    }

    private static Map<String, Object> seq(String id, int typeId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("type_id", typeId);
        return m;
    }

    /**
     * Writes {@code tokenizer.json} and {@code tokenizer_config.json} into the folder, atomically. The first special
     * token serves as bos, eos and pad (the convention of GPT-2-style checkpoints and of the fixtures).
     *
     * @param modelMaxLength the longest sequence the model takes (its max_position_embeddings)
     */
    public void save(Path folder, int modelMaxLength) {
        if (special.isEmpty()) throw new IllegalStateException("a saved tokenizer needs an end-of-text special token");
        try {
            AtomicFiles.writeString(folder.resolve("tokenizer.json"), WRITER.writeValueAsString(toJson()) + "\n");
            Map<String, Object> cfg = new LinkedHashMap<>();
            String eos = special.get(0);
            cfg.put("add_prefix_space", false);
            cfg.put("bos_token", eos);
            cfg.put("clean_up_tokenization_spaces", false);
            cfg.put("eos_token", eos);
            cfg.put("model_max_length", modelMaxLength);
            cfg.put("pad_token", eos);
            cfg.put("tokenizer_class", "PreTrainedTokenizerFast");
            cfg.put("unk_token", null);
            AtomicFiles.writeString(folder.resolve("tokenizer_config.json"), WRITER.writeValueAsString(cfg) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a byte-level BPE {@code tokenizer.json}; anything else is a located error. */
    public static BpeTokenizer load(Path file) {
        JsonNode root = Json.readObject(file);
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText())) throw new DataException(file, 0, "model.type", "expected BPE");
        if (!"ByteLevel".equals(root.path("pre_tokenizer").path("type").asText())) {
            throw new DataException(file, 0, "pre_tokenizer.type", "expected ByteLevel");
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        model.path("vocab").fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        List<String[]> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            if (m.isArray() && m.size() == 2) merges.add(new String[] {m.get(0).asText(), m.get(1).asText()});
            else if (m.isTextual() && m.asText().indexOf(' ') > 0) merges.add(m.asText().split(" ", 2));
            else throw new DataException(file, 0, "model.merges", "bad merge " + m);
        }
        List<String> special = new ArrayList<>();
        for (JsonNode a : root.path("added_tokens")) {
            if (a.path("special").asBoolean()) special.add(a.path("content").asText());
        }
        try {
            return new BpeTokenizer(vocab, merges, special);
        } catch (IllegalArgumentException e) {
            throw new DataException(file, 0, "model", e.getMessage());
        }
    }
}
