package dev.prefer.lm;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A checkpoint's {@code tokenizer.json} through DJL's binding of Hugging Face tokenizers, with truncation and
 * padding off and no special tokens added unless asked; special tokens and {@code chat_template} come from
 * {@code tokenizer_config.json} (falling back to the model config's ids).
 */
public final class LmTokenizer implements AutoCloseable {

    /** Special tokens as text and id; an id is -1 when the checkpoint names none. */
    public record SpecialTokens(String bos, String eos, String pad, String unk, int bosId, int eosId, int padId) {}

    private final HuggingFaceTokenizer tokenizer;
    private final SpecialTokens special;
    private final String chatTemplate;
    /** Where the tokenizer came from and the model's vocabulary size (0: unknown), to refuse ids the model lacks. */
    private final Path dir;
    private final int vocabSize;

    private LmTokenizer(HuggingFaceTokenizer tokenizer, SpecialTokens special, String chatTemplate, Path dir, int vocabSize) {
        this.tokenizer = tokenizer;
        this.special = special;
        this.chatTemplate = chatTemplate;
        this.dir = dir;
        this.vocabSize = vocabSize;
    }

    /** Loads {@code tokenizer.json} (required) and {@code tokenizer_config.json} (optional) from a checkpoint folder. */
    public static LmTokenizer load(Path dir, ModelConfig config) {
        Torch.init();
        Path file = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) throw DataException.ofFile(file, "no such file (the checkpoint needs a fast tokenizer)");
        HuggingFaceTokenizer tok;
        try {
            tok = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw DataException.ofFile(file, "cannot load tokenizer: " + e.getMessage());
        }
        JsonNode cfg = null;
        Path cfgFile = dir.resolve("tokenizer_config.json");
        if (Files.isRegularFile(cfgFile)) {
            try {
                cfg = Json.readObject(cfgFile);
            } catch (DataException e) {
                tok.close();
                throw e;
            }
        }
        String bos = tokenText(cfg, "bos_token");
        String eos = tokenText(cfg, "eos_token");
        String pad = tokenText(cfg, "pad_token");
        String unk = tokenText(cfg, "unk_token");
        int bosId = idOf(tok, bos, config == null ? -1 : config.bosTokenId());
        int eosId = config != null && config.eosTokenId() >= 0 ? config.eosTokenId() : idOf(tok, eos, -1);
        int padId = idOf(tok, pad, config == null ? -1 : config.padTokenId());
        if (padId < 0) padId = eosId;
        String template = null;
        if (cfg != null) {
            JsonNode t = cfg.get("chat_template");
            if (t != null && t.isTextual()) template = t.asText();
            else if (t != null && t.isArray()) {
                for (JsonNode x : t) if ("default".equals(x.path("name").asText())) template = x.path("template").asText(null);
            }
        }
        Path jinja = dir.resolve("chat_template.jinja");
        if (template == null && Files.isRegularFile(jinja)) {
            try {
                template = Files.readString(jinja);
            } catch (IOException e) {
                throw DataException.ofFile(jinja, "cannot read: " + e.getMessage());
            }
        }
        return new LmTokenizer(tok, new SpecialTokens(bos, eos, pad, unk, bosId, eosId, padId), template, dir,
                config == null ? 0 : config.vocabSize());
    }

    private static String tokenText(JsonNode cfg, String key) {
        if (cfg == null) return null;
        JsonNode n = cfg.get(key);
        if (n == null || n.isNull()) return null;
        if (n.isTextual()) return n.asText();
        if (n.isObject() && n.has("content")) return n.get("content").asText();
        return null;
    }

    private static int idOf(HuggingFaceTokenizer tok, String text, int fallback) {
        if (fallback >= 0 || text == null) return fallback;
        long[] ids = tok.encode(text, false, false).getIds();
        return ids.length == 1 ? (int) ids[0] : fallback;
    }

    /** Token ids of {@code text} without special tokens (the fixtures' convention). */
    public long[] encode(String text) {
        return checked(tokenizer.encode(text, false, false).getIds());
    }

    /** Token ids of {@code text}, adding the tokenizer's special tokens (e.g. bos) when asked. */
    public long[] encode(String text, boolean addSpecialTokens) {
        return checked(tokenizer.encode(text, addSpecialTokens, false).getIds());
    }

    /** Refuses ids the model has no embedding for, naming the checkpoint folder (a tokenizer from another model). */
    private long[] checked(long[] ids) {
        if (vocabSize <= 0) return ids;
        for (long id : ids) {
            if (id < 0 || id >= vocabSize) {
                throw DataException.ofFile(dir, "tokenizer.json gives token id " + id + " but config.json has vocab_size "
                        + vocabSize + ": the tokenizer does not belong to these weights");
            }
        }
        return ids;
    }

    /** Text of the ids; special tokens are kept unless {@code skipSpecialTokens}. */
    public String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    public SpecialTokens specialTokens() {
        return special;
    }

    /** The Jinja chat template, or null when the checkpoint has none. */
    public String chatTemplate() {
        return chatTemplate;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
