package dev.prefer.data.pref;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The row layouts {@link PreferenceReader} understands. Detected from the first row unless given explicitly.
 * Every layout may also carry {@code weight}, {@code annotator} and {@code attributes} (an object of named
 * numbers); pairs may carry {@code margin}.
 */
public enum PreferenceFormat {
    /** TRL standard: {@code {"prompt": str, "chosen": str, "rejected": str}}. */
    STANDARD,
    /** TRL conversational: prompt, chosen and rejected are lists of {@code {role, content}}; rendered with a chat template. */
    CONVERSATIONAL,
    /** Implicit prompt: {@code {"chosen": str, "rejected": str}} full transcripts split at the last shared assistant turn (hh-rlhf). */
    IMPLICIT_PROMPT,
    /** Conversational with implicit prompt: chosen and rejected message lists; the prompt is their shared leading messages. */
    CONVERSATIONAL_IMPLICIT_PROMPT,
    /** Ranked list: {@code {"prompt", "responses": [..], "scores": [..]}} or {@code "ranking": [indices, best first]}. */
    RANKED,
    /** Unpaired (KTO): {@code {"prompt", "completion", "label": bool}}; prompt and completion may be message lists. */
    UNPAIRED;

    /** The command-line name, e.g. {@code implicit-prompt}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static PreferenceFormat parse(String name) {
        for (PreferenceFormat f : values()) {
            if (f.cliName().equals(name) || f.name().equalsIgnoreCase(name)) return f;
        }
        StringBuilder known = new StringBuilder();
        for (PreferenceFormat f : values()) known.append(known.length() == 0 ? "" : ", ").append(f.cliName());
        throw new IllegalArgumentException("unknown preference format '" + name + "' (known: " + known + ")");
    }

    /** Detects the layout of a row; the error names the file and line. */
    public static PreferenceFormat detect(Path file, long line, JsonNode row) {
        if (row.has("responses")) return RANKED;
        if (row.has("completion") || row.has("label")) return UNPAIRED;
        if (row.has("chosen") && row.has("rejected")) {
            boolean lists = row.get("chosen").isArray();
            if (row.hasNonNull("prompt")) return lists || row.get("prompt").isArray() ? CONVERSATIONAL : STANDARD;
            return lists ? CONVERSATIONAL_IMPLICIT_PROMPT : IMPLICIT_PROMPT;
        }
        throw new DataException(file, line, null, "cannot tell the preference format: expected chosen/rejected,"
                + " responses (ranked), or completion/label (unpaired); fields: " + fieldNames(row));
    }

    private static String fieldNames(JsonNode row) {
        StringBuilder b = new StringBuilder();
        row.fieldNames().forEachRemaining(n -> b.append(b.length() == 0 ? "" : ", ").append(n));
        return b.length() == 0 ? "(none)" : b.toString();
    }
}
