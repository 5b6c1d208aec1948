package dev.prefer.data.votes;

import dev.prefer.data.DataException;
import dev.prefer.data.TextLines;
import dev.prefer.data.Source;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads PrefLib ordinal preference files ({@code .soc}, {@code .soi}, {@code .toc}, {@code .toi}; format of
 * preflib.org, 2022): {@code # KEY: value} metadata lines including {@code # ALTERNATIVE NAME i: name}, then data
 * lines {@code count: 3,1,{2,4}} listing alternatives best first, braces grouping tied alternatives (toc/toi only).
 * Items are the alternatives' names (their numbers when unnamed). Complete orders (soc/toc) must rank every
 * alternative; incomplete ones (soi/toi) rank a subset, and nothing is assumed about the unranked ones.
 */
public final class PrefLib {
    private PrefLib() {}

    /** The rankings of a PrefLib file with its alternative names. */
    public record Data(List<String> alternatives, List<Ranking> rankings, Map<String, String> metadata) {
        public Data {
            alternatives = List.copyOf(alternatives);
            rankings = List.copyOf(rankings);
            metadata = Map.copyOf(metadata);
        }
    }

    public static Data read(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
        boolean ties = ext.equals("toc") || ext.equals("toi");
        boolean complete = ext.equals("soc") || ext.equals("toc");
        if (!Set.of("soc", "soi", "toc", "toi").contains(ext)) throw DataException.ofFile(file, "expected a .soc, .soi, .toc or .toi file");
        Map<String, String> meta = new HashMap<>();
        Map<Integer, String> altNames = new HashMap<>();
        List<Ranking> out = new ArrayList<>();
        int nAlt = -1;
        long lineNo = 0;
        try (TextLines r = TextLines.open(file)) {
            String line;
            while ((line = r.next()) != null) {
                lineNo = r.line();
                String s = line.strip();
                if (s.isEmpty()) continue;
                if (s.startsWith("#")) {
                    int colon = s.indexOf(':');
                    if (colon < 0) continue;
                    String key = s.substring(1, colon).strip();
                    String val = s.substring(colon + 1).strip();
                    if (key.startsWith("ALTERNATIVE NAME ")) {
                        try {
                            altNames.put(Integer.parseInt(key.substring("ALTERNATIVE NAME ".length()).strip()), val);
                        } catch (NumberFormatException e) {
                            throw new DataException(file, lineNo, key, "bad alternative number");
                        }
                    } else {
                        meta.put(key, val);
                        if (key.equals("NUMBER ALTERNATIVES")) {
                            try {
                                nAlt = Integer.parseInt(val);
                            } catch (NumberFormatException e) {
                                throw new DataException(file, lineNo, key, "expected an integer, got '" + val + "'");
                            }
                        }
                    }
                    continue;
                }
                if (nAlt < 0) throw new DataException(file, lineNo, "NUMBER ALTERNATIVES", "missing before the first data line");
                int colon = s.indexOf(':');
                if (colon < 0) throw new DataException(file, lineNo, null, "expected 'count: order'");
                double count;
                try {
                    count = Double.parseDouble(s.substring(0, colon).strip());
                } catch (NumberFormatException e) {
                    throw new DataException(file, lineNo, "count", "expected a number, got '" + s.substring(0, colon).strip() + "'");
                }
                if (!(count > 0)) throw new DataException(file, lineNo, "count", "must be > 0");
                List<List<String>> tiers = parseOrder(file, lineNo, s.substring(colon + 1), ties, nAlt, altNames);
                int ranked = tiers.stream().mapToInt(List::size).sum();
                if (complete && ranked != nAlt) throw new DataException(file, lineNo, "order", "a complete order must rank all " + nAlt + " alternatives, found " + ranked);
                if (ranked < 2) continue; // a single ranked alternative says nothing about preferences
                out.add(new Ranking(tiers, count, new Source(file.toString(), lineNo)));
            }
        }
        List<String> alts = new ArrayList<>();
        for (int i = 1; i <= Math.max(nAlt, 0); i++) alts.add(altNames.getOrDefault(i, Integer.toString(i)));
        return new Data(alts, out, meta);
    }

    private static List<List<String>> parseOrder(Path file, long line, String order, boolean ties, int nAlt, Map<Integer, String> names) {
        List<List<String>> tiers = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        String s = order.strip();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ',' || Character.isWhitespace(c)) {
                i++;
                continue;
            }
            List<String> tier = new ArrayList<>();
            if (c == '{') {
                if (!ties) throw new DataException(file, line, "order", "ties ({...}) are only allowed in .toc/.toi files");
                int j = s.indexOf('}', i);
                if (j < 0) throw new DataException(file, line, "order", "unclosed '{'");
                for (String t : s.substring(i + 1, j).split(",")) {
                    if (!t.isBlank()) tier.add(alt(file, line, t, nAlt, names, seen));
                }
                i = j + 1;
                if (tier.isEmpty()) throw new DataException(file, line, "order", "empty '{}'");
            } else {
                int j = i;
                while (j < s.length() && s.charAt(j) != ',') j++;
                tier.add(alt(file, line, s.substring(i, j), nAlt, names, seen));
                i = j;
            }
            tiers.add(tier);
        }
        return tiers;
    }

    private static String alt(Path file, long line, String t, int nAlt, Map<Integer, String> names, Set<Integer> seen) {
        int k;
        try {
            k = Integer.parseInt(t.strip());
        } catch (NumberFormatException e) {
            throw new DataException(file, line, "order", "expected an alternative number, got '" + t.strip() + "'");
        }
        if (k < 1 || k > nAlt) throw new DataException(file, line, "order", "alternative " + k + " is outside 1.." + nAlt);
        if (!seen.add(k)) throw new DataException(file, line, "order", "alternative " + k + " appears twice");
        return names.getOrDefault(k, Integer.toString(k));
    }
}
