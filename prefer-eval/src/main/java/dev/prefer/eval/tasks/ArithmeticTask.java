package dev.prefer.eval.tasks;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two-number arithmetic, the setting of PLUM (Preference Learning Plus test cases) and RISE (self-improvement with
 * error-injected negatives): the prompt is {@code "12+35="}, the reference completion {@code "47"}.
 *
 * <p><b>Verifier.</b> A response passes iff its first line, with surrounding whitespace removed, is exactly the
 * canonical decimal form of the result (optional minus sign, no leading zeros, no plus sign). Text after the first
 * newline is ignored, so a model that goes on writing after its answer is judged on the answer.
 *
 * <p><b>Hard negatives</b> ({@link #negatives}): "near-miss" responses are the correct answer with one digit edited
 * (RISE's error injection: a wrong answer that looks almost right, e.g. 47 -> 43 or 47 -> 97), and "wrong" responses
 * are random integers of the same magnitude. Both fail the verifier by construction.
 *
 * <p><b>Slip</b> ({@link #slip}): the procedural bug of forgetting the carry out of the ones column (addition:
 * 47+38 -> 75, 57+68 -> 115) or the borrow into it (subtraction with a >= b: 52-38 -> 24), one of the classic
 * systematic errors of school arithmetic (Brown &amp; Burton 1978, "Diagnostic models for procedural bugs in basic
 * mathematical skills"). Problems without a ones carry or borrow, and products, have none.
 *
 * @param minOperand smallest operand, >= 0 (default 0)
 * @param maxOperand largest operand, >= minOperand, <= 1e6 (default 99)
 * @param operators  the operators to draw from, a non-empty subset of "+-*" (default "+")
 * @param padded     write drawn operands zero-padded to the width of {@code maxOperand} ({@code "07+38="}; default
 *                   true): every digit then sits at a fixed position, and the quickstart's 2-layer model learns the
 *                   task for every seed measured (unpadded, one seed of three stayed on its loss plateau for 1500
 *                   steps; docs/quickstart.md). Parsing accepts both forms, and answers are never padded.
 */
public record ArithmeticTask(int minOperand, int maxOperand, String operators, boolean padded) implements VerifiableTask<ArithmeticTask.Sum> {

    private static final Pattern PROMPT = Pattern.compile("(\\d+)([+\\-*])(\\d+)=");
    private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9]\\d*)");

    /** Operands written as they are ({@code "7+38="}). */
    public ArithmeticTask(int minOperand, int maxOperand, String operators) {
        this(minOperand, maxOperand, operators, false);
    }

    public ArithmeticTask {
        if (minOperand < 0) throw new IllegalArgumentException("minOperand must be >= 0: " + minOperand);
        if (maxOperand < minOperand) throw new IllegalArgumentException("maxOperand must be >= minOperand: " + maxOperand);
        if (maxOperand > 1_000_000) throw new IllegalArgumentException("maxOperand must be <= 1000000: " + maxOperand);
        if (operators == null || operators.isEmpty() || !operators.chars().allMatch(c -> "+-*".indexOf(c) >= 0)) {
            throw new IllegalArgumentException("operators must be a non-empty subset of \"+-*\": " + operators);
        }
    }

    /** Two-digit addition, 0..99 + 0..99, operands zero-padded ({@code "07+38="}). */
    public static ArithmeticTask defaults() {
        return new ArithmeticTask(0, 99, "+", true);
    }

    /**
     * One problem: {@code a op b}, its operands written with at least {@code width} digits (zero-padded; 0: as they are).
     */
    public record Sum(long a, char op, long b, int width) implements Problem {
        public Sum(long a, char op, long b) {
            this(a, op, b, 0);
        }

        public long result() {
            return switch (op) {
                case '+' -> a + b;
                case '-' -> a - b;
                case '*' -> a * b;
                default -> throw new IllegalStateException("operator " + op);
            };
        }

        @Override
        public String prompt() {
            return pad(a) + op + pad(b) + "=";
        }

        private String pad(long v) {
            String t = Long.toString(v);
            return t.length() >= width ? t : "0".repeat(width - t.length()) + t;
        }

        @Override
        public String reference() {
            return Long.toString(result());
        }
    }

    @Override
    public String name() {
        return "arithmetic";
    }

    @Override
    public Sum draw(SplittableRandom rng) {
        long a = rng.nextInt(minOperand, maxOperand + 1);
        char op = operators.charAt(rng.nextInt(operators.length()));
        long b = rng.nextInt(minOperand, maxOperand + 1);
        return new Sum(a, op, b, padded ? Integer.toString(maxOperand).length() : 0);
    }

    @Override
    public Sum parse(String prompt) {
        Matcher m = PROMPT.matcher(prompt);
        if (!m.matches()) throw new IllegalArgumentException("not an arithmetic prompt (like \"12+35=\"): " + prompt);
        String x = m.group(1), y = m.group(3);
        // Zero-padded operands ("07+38=") keep their width, so that prompt() gives back the same text.
        int width = x.length() == y.length() && x.length() > 1 && (x.startsWith("0") || y.startsWith("0")) ? x.length() : 0;
        return new Sum(Long.parseLong(x), m.group(2).charAt(0), Long.parseLong(y), width);
    }

    /** The response's answer as the verifier reads it: the first line, stripped; null when it is not an integer. */
    public static Long answer(String response) {
        String first = response.lines().findFirst().orElse("").strip();
        if (!INTEGER.matcher(first).matches() || first.length() > 18) return null;
        return Long.parseLong(first);
    }

    @Override
    public Verdict verify(Sum problem, String response) {
        Long got = answer(response);
        return Verdict.binary("correct", got != null && got == problem.result());
    }

    @Override
    public List<Negative> negatives(Sum problem, SplittableRandom rng, int count) {
        Set<String> seen = new LinkedHashSet<>();
        List<Negative> out = new ArrayList<>();
        String correct = problem.reference();
        for (int attempt = 0; out.size() < count && attempt < 50 * count + 50; attempt++) {
            boolean nearMiss = out.size() % 2 == 0;
            String r = nearMiss ? editOneDigit(correct, rng) : randomWrong(problem, rng);
            if (r.equals(correct) || !seen.add(r)) continue;
            out.add(new Negative(r, nearMiss ? "near-miss" : "wrong"));
        }
        return out;
    }

    @Override
    public String slip(Sum p) {
        long ua = p.a() % 10, ub = p.b() % 10;
        return switch (p.op()) {
            case '+' -> ua + ub >= 10 ? Long.toString(p.result() - 10) : null;
            case '-' -> p.a() >= p.b() && ua < ub ? Long.toString(p.result() + 10) : null;
            default -> null;
        };
    }

    /** The answer with one digit replaced by a different one; the leading digit of a multi-digit number never becomes 0. */
    static String editOneDigit(String answer, SplittableRandom rng) {
        int start = answer.startsWith("-") ? 1 : 0;
        int pos = start + rng.nextInt(answer.length() - start);
        boolean leading = pos == start && answer.length() - start > 1;
        char old = answer.charAt(pos);
        char d;
        do {
            d = (char) ('0' + rng.nextInt(leading ? 1 : 0, 10));
        } while (d == old);
        return answer.substring(0, pos) + d + answer.substring(pos + 1);
    }

    private static String randomWrong(Sum p, SplittableRandom rng) {
        long r = p.result();
        long spread = Math.max(10, Math.abs(r));
        return Long.toString(r + rng.nextLong(-spread, spread + 1));
    }
}
