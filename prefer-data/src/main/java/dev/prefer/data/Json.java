package dev.prefer.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The project's one Jackson configuration: strict on input, stable on output. */
public final class Json {
    private Json() {}

    /** Shared, thread-safe mapper. Rejects duplicate keys; allows NaN/Infinity only where written as such by us. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    /**
     * Reads a JSON file that must hold one object (config.json, tokenizer_config.json, ...). Every failure is a
     * one-line {@link DataException} naming the file: missing, unreadable, not JSON, or not an object.
     */
    public static com.fasterxml.jackson.databind.JsonNode readObject(java.nio.file.Path file) {
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = MAPPER.readTree(java.nio.file.Files.readString(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw DataException.ofFile(file, "no such file");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            long line = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getLineNr());
            throw new DataException(file, line, null, "not valid JSON: " + DataException.oneLine(e.getOriginalMessage()));
        } catch (java.nio.charset.CharacterCodingException e) {
            throw DataException.ofFile(file, "not valid UTF-8");
        } catch (java.io.IOException e) {
            throw DataException.ofFile(file, "cannot read: " + DataException.oneLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) throw DataException.ofFile(file, "expected a JSON object");
        return root;
    }

    /** Pretty-printing writer for manifests and reports meant to be read by people. */
    public static String pretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** One-line JSON, for JSONL outputs. */
    public static String line(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
