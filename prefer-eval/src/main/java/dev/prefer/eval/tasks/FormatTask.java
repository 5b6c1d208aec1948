package dev.prefer.eval.tasks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Multi-constraint format following, in the spirit of the multi-instruction prompts used by MAPL (and IFEval):
 * write a few words about a topic while obeying several simultaneous, programmatically checkable constraints.
 *
 * <p>Prompt grammar (one line, then a newline): {@code Write about ocean; 5 words; uppercase; end with !; start with blue; include tide}
 * — the topic clause and then 2..5 constraint clauses, always in this order:
 * <ul>
 *   <li>{@code words}: {@code N words} — exactly N whitespace-separated tokens;</li>
 *   <li>{@code case}: {@code uppercase} / {@code lowercase} — the response has letters and all of them are in that case;</li>
 *   <li>{@code end}: {@code end with X} — the stripped response ends with X (punctuation attached to the last word);</li>
 *   <li>{@code start}: {@code start with W} — the first token, letters only, equals W ignoring case;</li>
 *   <li>{@code include}: {@code include W} — some token, letters only, equals W ignoring case.</li>
 * </ul>
 * <b>Verifier</b>: one 0/1 component per constraint present, score = fraction satisfied, pass = all satisfied.
 * Hard negatives violate exactly one constraint of the reference ("violates:NAME").
 *
 * @param minConstraints fewest constraint clauses per prompt, 1..5 (default 2)
 * @param maxConstraints most constraint clauses per prompt, minConstraints..5 (default 4)
 * @param minWords       fewest words a reference has, >= 2 (default 3)
 * @param maxWords       most words, minWords..8 (default 6)
 */
public record FormatTask(int minConstraints, int maxConstraints, int minWords, int maxWords)
        implements VerifiableTask<FormatTask.Instruction> {

    /** Constraint names in prompt order. */
    public static final List<String> KINDS = List.of("words", "case", "end", "start", "include");

    /** The topics and their words (eight each, lowercase letters only). */
    public static final Map<String, List<String>> TOPICS = topics();

    static final List<String> ENDINGS = List.of("!", ".", "?", "...");

    private static final Pattern WORDS = Pattern.compile("(\\d+) words");
    private static final Pattern END = Pattern.compile("end with (\\S+)");
    private static final Pattern START = Pattern.compile("start with ([a-z]+)");
    private static final Pattern INCLUDE = Pattern.compile("include ([a-z]+)");

    public FormatTask {
        if (minConstraints < 1 || minConstraints > 5) throw new IllegalArgumentException("minConstraints must be in 1..5: " + minConstraints);
        if (maxConstraints < minConstraints || maxConstraints > 5) throw new IllegalArgumentException("maxConstraints must be in minConstraints..5: " + maxConstraints);
        if (minWords < 2) throw new IllegalArgumentException("minWords must be >= 2: " + minWords);
        if (maxWords < minWords || maxWords > 8) throw new IllegalArgumentException("maxWords must be in minWords..8: " + maxWords);
    }

    public static FormatTask defaults() {
        return new FormatTask(2, 4, 3, 6);
    }

    /**
     * One problem. Absent constraints are null (words 0 = absent). {@code reference} is a response that satisfies
     * every constraint present; it is drawn with the problem and is not recoverable from the prompt alone, so
     * {@link #parse} gives a canonical one instead (the first words of the topic).
     */
    public record Instruction(String topic, int words, String letterCase, String end, String start, String include,
                              String reference) implements Problem {
        @Override
        public String prompt() {
            StringBuilder b = new StringBuilder("Write about ").append(topic);
            if (words > 0) b.append("; ").append(words).append(" words");
            if (letterCase != null) b.append("; ").append(letterCase);
            if (end != null) b.append("; end with ").append(end);
            if (start != null) b.append("; start with ").append(start);
            if (include != null) b.append("; include ").append(include);
            return b.append('\n').toString();
        }

        /** The constraint names present, in prompt order. */
        public List<String> constraints() {
            List<String> c = new ArrayList<>();
            if (words > 0) c.add("words");
            if (letterCase != null) c.add("case");
            if (end != null) c.add("end");
            if (start != null) c.add("start");
            if (include != null) c.add("include");
            return c;
        }
    }

    @Override
    public String name() {
        return "format";
    }

    @Override
    public Instruction draw(SplittableRandom rng) {
        List<String> topicNames = List.copyOf(TOPICS.keySet());
        String topic = topicNames.get(rng.nextInt(topicNames.size()));
        List<String> vocab = TOPICS.get(topic);
        int k = rng.nextInt(minConstraints, maxConstraints + 1);
        boolean[] on = chooseKinds(rng, k);
        int n = rng.nextInt(minWords, maxWords + 1);
        String letterCase = on[1] ? (rng.nextBoolean() ? "uppercase" : "lowercase") : null;
        String end = on[2] ? ENDINGS.get(rng.nextInt(ENDINGS.size())) : null;
        // Words: a random selection without replacement from the topic; start word first, include word elsewhere.
        List<String> pool = new ArrayList<>(vocab);
        shuffle(pool, rng);
        List<String> words = new ArrayList<>(pool.subList(0, n));
        String start = on[3] ? words.get(0) : null;
        String include = null;
        if (on[4]) {
            int at = rng.nextInt(on[3] ? 1 : 0, n);
            include = words.get(at);
        }
        String ref = render(words, letterCase, end);
        return new Instruction(topic, on[0] ? n : 0, letterCase, end, start, include, ref);
    }

    private static boolean[] chooseKinds(SplittableRandom rng, int k) {
        List<Integer> idx = new ArrayList<>(List.of(0, 1, 2, 3, 4));
        shuffle(idx, rng);
        boolean[] on = new boolean[5];
        for (int i = 0; i < k; i++) on[idx.get(i)] = true;
        return on;
    }

    static String render(List<String> words, String letterCase, String end) {
        String s = String.join(" ", words);
        if ("uppercase".equals(letterCase)) s = s.toUpperCase(Locale.ROOT);
        if ("lowercase".equals(letterCase)) s = s.toLowerCase(Locale.ROOT);
        return end == null ? s : s + end;
    }

    @Override
    public Instruction parse(String prompt) {
        String line = prompt.endsWith("\n") ? prompt.substring(0, prompt.length() - 1) : prompt;
        String[] clauses = line.split("; ", -1);
        if (!clauses[0].startsWith("Write about ") || !TOPICS.containsKey(clauses[0].substring(12))) {
            throw new IllegalArgumentException("not a format prompt (like \"Write about ocean; 5 words; uppercase\"): " + line);
        }
        String topic = clauses[0].substring(12);
        int words = 0;
        String letterCase = null, end = null, start = null, include = null;
        for (String c : Arrays.asList(clauses).subList(1, clauses.length)) {
            Matcher m;
            if ((m = WORDS.matcher(c)).matches()) words = Integer.parseInt(m.group(1));
            else if (c.equals("uppercase") || c.equals("lowercase")) letterCase = c;
            else if ((m = END.matcher(c)).matches()) end = m.group(1);
            else if ((m = START.matcher(c)).matches()) start = m.group(1);
            else if ((m = INCLUDE.matcher(c)).matches()) include = m.group(1);
            else throw new IllegalArgumentException("unknown format constraint \"" + c + "\" in: " + line);
        }
        // A canonical satisfying response: start word, include word, then topic words, as many as needed.
        List<String> ws = new ArrayList<>();
        if (start != null) ws.add(start);
        if (include != null && !include.equals(start)) ws.add(include);
        for (String w : TOPICS.get(topic)) {
            if (ws.size() >= (words > 0 ? words : Math.max(3, ws.size()))) break;
            if (!ws.contains(w)) ws.add(w);
        }
        String ref = words > 0 && ws.size() != words ? null : render(ws, letterCase, end);
        return new Instruction(topic, words, letterCase, end, start, include, ref);
    }

    @Override
    public Verdict verify(Instruction p, String response) {
        String r = response.strip();
        String[] tokens = r.isEmpty() ? new String[0] : r.split("\\s+");
        Map<String, Double> c = new LinkedHashMap<>();
        if (p.words() > 0) c.put("words", tokens.length == p.words() ? 1.0 : 0.0);
        if (p.letterCase() != null) c.put("case", caseOk(r, p.letterCase()) ? 1.0 : 0.0);
        if (p.end() != null) c.put("end", r.endsWith(p.end()) ? 1.0 : 0.0);
        if (p.start() != null) c.put("start", tokens.length > 0 && letters(tokens[0]).equalsIgnoreCase(p.start()) ? 1.0 : 0.0);
        if (p.include() != null) {
            boolean found = false;
            for (String t : tokens) found |= letters(t).equalsIgnoreCase(p.include());
            c.put("include", found ? 1.0 : 0.0);
        }
        double sum = 0;
        for (double v : c.values()) sum += v;
        double score = c.isEmpty() ? 1.0 : sum / c.size();
        return new Verdict(score, sum == c.size(), c);
    }

    private static boolean caseOk(String r, String letterCase) {
        boolean any = false;
        for (int i = 0; i < r.length(); i++) {
            char ch = r.charAt(i);
            if (!Character.isLetter(ch)) continue;
            any = true;
            if (letterCase.equals("uppercase") ? !Character.isUpperCase(ch) : !Character.isLowerCase(ch)) return false;
        }
        return any;
    }

    private static String letters(String token) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < token.length(); i++) if (Character.isLetter(token.charAt(i))) b.append(token.charAt(i));
        return b.toString();
    }

    /** Responses that break exactly one constraint of the reference, one per constraint present (up to count). */
    @Override
    public List<Negative> negatives(Instruction p, SplittableRandom rng, int count) {
        List<Negative> out = new ArrayList<>();
        String ref = p.reference();
        if (ref == null) return out;
        List<String> kinds = new ArrayList<>(p.constraints());
        shuffle(kinds, rng);
        String body = p.end() != null ? ref.substring(0, ref.length() - p.end().length()) : ref;
        List<String> words = new ArrayList<>(Arrays.asList(body.split(" ")));
        List<String> spare = new ArrayList<>(TOPICS.get(p.topic()));
        spare.removeIf(w -> words.stream().anyMatch(x -> x.equalsIgnoreCase(w)));
        for (String kind : kinds) {
            if (out.size() >= count) break;
            List<String> ws = new ArrayList<>(words);
            String end = p.end();
            String caseMode = p.letterCase();
            switch (kind) {
                case "words" -> ws.add(adjust(spare.isEmpty() ? "more" : spare.get(0), ws.get(ws.size() - 1)));
                case "case" -> caseMode = p.letterCase().equals("uppercase") ? "lowercase" : "uppercase";
                case "end" -> end = null;
                case "start" -> {
                    if (ws.size() < 2) continue;
                    // Move the start word one place right; 'include' stays satisfied since no word is removed.
                    String first = ws.remove(0);
                    ws.add(1, first);
                }
                case "include" -> {
                    int at = indexIgnoreCase(ws, p.include());
                    if (at < 0 || spare.isEmpty()) continue;
                    ws.set(at, adjust(spare.get(spare.size() - 1), ws.get(at)));
                }
                default -> throw new IllegalStateException(kind);
            }
            String r = caseMode != null && !caseMode.equals(p.letterCase()) ? render(ws, caseMode, end) : joinKeepCase(ws, end);
            out.add(new Negative(r, "violates:" + kind));
        }
        return out;
    }

    private static String joinKeepCase(List<String> ws, String end) {
        String s = String.join(" ", ws);
        return end == null ? s : s + end;
    }

    /** A replacement word in the same case as the word it sits next to. */
    private static String adjust(String word, String like) {
        return like.equals(like.toUpperCase(Locale.ROOT)) && !like.equals(like.toLowerCase(Locale.ROOT)) ? word.toUpperCase(Locale.ROOT) : word;
    }

    private static int indexIgnoreCase(List<String> ws, String w) {
        for (int i = 0; i < ws.size(); i++) if (ws.get(i).equalsIgnoreCase(w)) return i;
        return -1;
    }

    static <T> void shuffle(List<T> list, SplittableRandom rng) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    private static Map<String, List<String>> topics() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("ocean", List.of("wave", "blue", "salt", "deep", "tide", "fish", "shore", "sand"));
        m.put("forest", List.of("tree", "leaf", "moss", "green", "bark", "root", "bird", "shade"));
        m.put("city", List.of("road", "car", "light", "tower", "crowd", "noise", "bus", "street"));
        m.put("winter", List.of("snow", "ice", "cold", "frost", "wind", "white", "coat", "fire"));
        m.put("music", List.of("song", "beat", "drum", "note", "voice", "tune", "band", "sound"));
        m.put("kitchen", List.of("pan", "soup", "knife", "bread", "spoon", "oven", "rice", "tea"));
        return java.util.Collections.unmodifiableMap(m);
    }
}
