package dev.prefer.eval.tasks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A two-objective task where correctness and brevity trade off, for multi-objective alignment (MODPO-style margins,
 * reward soups): the prompt {@code "count 3 to 11 by 2:"} asks for the sequence {@code "3 5 7 9 11"}. A response that
 * stops early is shorter but less correct, so the two objectives form a Pareto front.
 *
 * <p><b>Verifier.</b> With the expected items e_1..e_n and the response's whitespace-separated tokens t_1..t_m
 * (first line only):
 * <pre>
 *   correctness = p / max(n, m)      p = length of the longest prefix with t_i = e_i
 *   brevity     = 1 - min(1, |r| / L)   |r| = characters of the stripped first line, L = lengthBudget
 *   score       = w * correctness + (1 - w) * brevity,   pass = (correctness == 1)
 * </pre>
 * Extra or wrong tokens dilute correctness; the empty response has correctness 0 and brevity 1.
 *
 * @param maxStart     largest first number, >= 0 (default 99)
 * @param maxStep      largest step, >= 1 (default 9)
 * @param minItems     fewest items, >= 2 (default 3)
 * @param maxItems     most items, minItems..20 (default 8; defaults give 100 x 9 x 6 = 5400 problems)
 * @param lengthBudget L above, characters, >= 1 (default 48)
 * @param weight       w above, the weight of correctness in the scalar score, in [0, 1] (default 0.5)
 */
public record CountingTask(int maxStart, int maxStep, int minItems, int maxItems, int lengthBudget, double weight)
        implements VerifiableTask<CountingTask.Count> {

    private static final Pattern PROMPT = Pattern.compile("count (\\d+) to (\\d+) by (\\d+):");

    public CountingTask {
        if (maxStart < 0) throw new IllegalArgumentException("maxStart must be >= 0: " + maxStart);
        if (maxStep < 1) throw new IllegalArgumentException("maxStep must be >= 1: " + maxStep);
        if (minItems < 2) throw new IllegalArgumentException("minItems must be >= 2: " + minItems);
        if (maxItems < minItems || maxItems > 20) throw new IllegalArgumentException("maxItems must be in minItems..20: " + maxItems);
        if (lengthBudget < 1) throw new IllegalArgumentException("lengthBudget must be >= 1: " + lengthBudget);
        if (!(weight >= 0 && weight <= 1)) throw new IllegalArgumentException("weight must be in [0, 1]: " + weight);
    }

    public static CountingTask defaults() {
        return new CountingTask(99, 9, 3, 8, 48, 0.5);
    }

    /** One problem: count from {@code from} to {@code to} by {@code step}. */
    public record Count(long from, long to, long step) implements Problem {
        public Count {
            if (step < 1 || to < from || (to - from) % step != 0) throw new IllegalArgumentException("bad count " + from + " to " + to + " by " + step);
        }

        public List<String> items() {
            List<String> out = new ArrayList<>();
            for (long v = from; v <= to; v += step) out.add(Long.toString(v));
            return out;
        }

        @Override
        public String prompt() {
            return "count " + from + " to " + to + " by " + step + ":";
        }

        @Override
        public String reference() {
            return String.join(" ", items());
        }
    }

    @Override
    public String name() {
        return "counting";
    }

    @Override
    public Count draw(SplittableRandom rng) {
        long from = rng.nextInt(0, maxStart + 1);
        long step = rng.nextInt(1, maxStep + 1);
        int n = rng.nextInt(minItems, maxItems + 1);
        return new Count(from, from + (n - 1) * step, step);
    }

    @Override
    public Count parse(String prompt) {
        Matcher m = PROMPT.matcher(prompt);
        if (!m.matches()) throw new IllegalArgumentException("not a counting prompt (like \"count 3 to 11 by 2:\"): " + prompt);
        try {
            return new Count(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a counting prompt: " + e.getMessage() + ": " + prompt);
        }
    }

    @Override
    public Verdict verify(Count p, String response) {
        String line = response.lines().findFirst().orElse("").strip();
        String[] tokens = line.isEmpty() ? new String[0] : line.split("\\s+");
        List<String> expected = p.items();
        int prefix = 0;
        while (prefix < tokens.length && prefix < expected.size() && tokens[prefix].equals(expected.get(prefix))) prefix++;
        double correctness = (double) prefix / Math.max(expected.size(), tokens.length);
        double brevity = 1 - Math.min(1.0, (double) line.length() / lengthBudget);
        Map<String, Double> c = new LinkedHashMap<>();
        c.put("correctness", correctness);
        c.put("brevity", brevity);
        return new Verdict(weight * correctness + (1 - weight) * brevity, correctness == 1.0, c);
    }

    /** Truncations (shorter, partly correct), a sequence with one wrong item, and one that overshoots. */
    @Override
    public List<Negative> negatives(Count p, SplittableRandom rng, int count) {
        List<String> items = p.items();
        List<Negative> all = new ArrayList<>();
        int cut = rng.nextInt(1, items.size());
        all.add(new Negative(String.join(" ", items.subList(0, cut)), "truncated"));
        List<String> wrong = new ArrayList<>(items);
        int at = rng.nextInt(items.size());
        wrong.set(at, Long.toString(Long.parseLong(items.get(at)) + 1));
        all.add(new Negative(String.join(" ", wrong), "wrong-item"));
        all.add(new Negative(p.reference() + " " + (p.to() + p.step()), "overshoot"));
        return all.subList(0, Math.min(count, all.size()));
    }
}
