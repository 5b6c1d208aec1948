package dev.prefer.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Hashes;
import dev.prefer.data.Json;
import dev.prefer.data.Jsonl;
import dev.prefer.serve.Records.Campaign;
import dev.prefer.serve.Records.Item;
import dev.prefer.serve.store.Store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Imports a campaign's prompts from JSONL, one object per line:
 * {@code {"prompt": "...", "responses": {"system-a": "...", "system-b": "..."}, "gold": "system-a"?, ...}}.
 * Every other field is kept as the item's metadata. A bad row stops the import with its file, line and field.
 */
public final class CampaignImport {
    private CampaignImport() {}

    /** Size limits on imported text, so one row cannot exhaust memory or the page. */
    public static final int MAX_PROMPT_CHARS = 50_000;
    public static final int MAX_RESPONSE_CHARS = 100_000;
    public static final int MAX_ITEMS = 200_000;
    public static final int MAX_SYSTEMS_PER_ITEM = 32;

    private static final Pattern SYSTEM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,99}");

    /** Reads the items of a JSONL file (plain or gzip). */
    public static List<Item> read(Path file) {
        List<Item> items = new ArrayList<>();
        Jsonl.read(file, false, (line, row) -> {
            if (items.size() >= MAX_ITEMS) throw new DataException(file, line, null, "more than " + MAX_ITEMS + " items");
            items.add(item(file, line, row));
        });
        if (items.isEmpty()) throw DataException.ofFile(file, "no items");
        return items;
    }

    static Item item(Path file, long line, JsonNode row) {
        String prompt = Jsonl.requireString(file, line, row, "prompt");
        if (prompt.isBlank()) throw new DataException(file, line, "prompt", "is blank");
        if (prompt.length() > MAX_PROMPT_CHARS) throw new DataException(file, line, "prompt", "longer than " + MAX_PROMPT_CHARS + " characters");
        JsonNode rs = row.get("responses");
        if (rs == null || rs.isNull()) throw new DataException(file, line, "responses", "missing");
        if (!rs.isObject()) throw new DataException(file, line, "responses", "expected an object of system name to response text");
        Map<String, String> responses = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = rs.fields(); it.hasNext(); ) {
            var e = it.next();
            String field = "responses." + e.getKey();
            if (!SYSTEM.matcher(e.getKey()).matches()) throw new DataException(file, line, field, "system name must match " + SYSTEM.pattern());
            if (!e.getValue().isTextual()) throw new DataException(file, line, field, "expected a string");
            if (e.getValue().asText().length() > MAX_RESPONSE_CHARS) throw new DataException(file, line, field, "longer than " + MAX_RESPONSE_CHARS + " characters");
            responses.put(e.getKey(), e.getValue().asText());
        }
        if (responses.size() < 2) throw new DataException(file, line, "responses", "needs at least 2 systems, got " + responses.size());
        if (responses.size() > MAX_SYSTEMS_PER_ITEM) throw new DataException(file, line, "responses", "more than " + MAX_SYSTEMS_PER_ITEM + " systems");
        String gold = Jsonl.optionalString(file, line, row, "gold");
        if (gold != null && !responses.containsKey(gold)) {
            throw new DataException(file, line, "gold", "names system '" + gold + "', which has no response on this line");
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("prompt") || e.getKey().equals("responses") || e.getKey().equals("gold")) continue;
            meta.put(e.getKey(), Json.MAPPER.convertValue(e.getValue(), Object.class));
        }
        return new Item(0, (int) line, prompt, responses, meta, gold);
    }

    /** Reads the file and creates the campaign, recording the file's SHA-256. */
    public static Campaign importFile(Store store, String name, CampaignSpec spec, Path file, Long byUserId) {
        List<Item> items = read(file);
        return store.createCampaign(name, spec, items, Hashes.sha256(file), byUserId);
    }
}
