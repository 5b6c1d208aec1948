package dev.prefer.data.pref;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** One message of a conversation, as in TRL's conversational format: {@code {"role": ..., "content": ...}}. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    /** The map a chat template sees ({@code message['role']}, {@code message.content}). */
    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    /** Parses a JSON array of messages; errors name the file, line and field (e.g. {@code chosen[1].content}). */
    public static List<ChatMessage> listFrom(Path file, long line, String field, JsonNode array) {
        if (array == null || !array.isArray()) throw new DataException(file, line, field, "expected a list of {role, content} messages");
        List<ChatMessage> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode m = array.get(i);
            String at = field + "[" + i + "]";
            if (!m.isObject()) throw new DataException(file, line, at, "expected a {role, content} object");
            JsonNode role = m.get("role");
            JsonNode content = m.get("content");
            if (role == null || !role.isTextual()) throw new DataException(file, line, at + ".role", "missing or not a string");
            if (content == null || !content.isTextual()) throw new DataException(file, line, at + ".content", "missing or not a string");
            out.add(new ChatMessage(role.asText(), content.asText()));
        }
        return List.copyOf(out);
    }
}
