package dev.prefer.serve.export;

/** Export formats, each readable by another part of Prefer (see docs/serve.md). */
public enum ExportFormat {
    /** TRL pairwise preference JSONL: {@code prompt}, {@code chosen}, {@code rejected}; ties and both-bad left out. */
    trl("pairs.jsonl"),
    /** TRL unpaired (KTO) JSONL: {@code prompt}, {@code completion}, {@code label}; winner true, loser false, both-bad both false, ties left out. */
    kto("kto.jsonl"),
    /** Ranked lists, one row per prompt where three or more systems were compared. */
    ranked("ranked.jsonl"),
    /** Chatbot Arena {@code clean_battle} JSON array, for {@code prefer rate}. */
    arena("clean_battle.json");

    private final String fileName;

    ExportFormat(String fileName) {
        this.fileName = fileName;
    }

    public String fileName() { return fileName; }

    public String contentType() {
        return this == arena ? "application/json" : "application/x-ndjson";
    }

    public static ExportFormat parse(String s) {
        try {
            return valueOf(s);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown export format '" + s + "'; expected trl, kto, ranked or arena");
        }
    }
}
