package dev.prefer.eval;

import dev.prefer.data.DataException;
import dev.prefer.data.Jsonl;
import dev.prefer.core.metrics.IdealizedRankingAccuracy;
import dev.prefer.core.metrics.PairRanking;
import dev.prefer.core.metrics.PairRanking.PairLogps;
import dev.prefer.core.metrics.PairRanking.Summary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Ranking accuracy, idealized ranking accuracy and the alignment gap from log-prob files, so any model the runtime
 * can score is evaluated the same way. A log-prob file has one JSON row per pair, in pair order, with
 * {@code chosen_logps}, {@code rejected_logps} (summed over response tokens, eos included), {@code chosen_tokens}
 * and {@code rejected_tokens} — the rows {@code prefer logps} writes.
 *
 * <p>The true win probability α of each pair comes from the pairs file when given: a number {@code alpha}, or vote
 * counts {@code votes_chosen} / {@code votes_rejected} (/ {@code votes_tie}); otherwise α = 1 (the chosen response
 * is certainly better, as for verifier-made pairs), which the metric reads as odds 1000 (its ε).
 */
public final class PairLogpsEval {
    private PairLogpsEval() {}

    public static PairLogps read(Path file) {
        List<double[]> rows = new ArrayList<>();
        Jsonl.read(file, false, (line, row) -> {
            double c = number(file, line, row, "chosen_logps"), r = number(file, line, row, "rejected_logps");
            double tc = number(file, line, row, "chosen_tokens"), tr = number(file, line, row, "rejected_tokens");
            if (c > 0) throw new DataException(file, line, "chosen_logps", "a log-probability must be <= 0: " + c);
            if (r > 0) throw new DataException(file, line, "rejected_logps", "a log-probability must be <= 0: " + r);
            if (tc < 1 || tc != Math.rint(tc)) throw new DataException(file, line, "chosen_tokens", "must be a whole number >= 1: " + tc);
            if (tr < 1 || tr != Math.rint(tr)) throw new DataException(file, line, "rejected_tokens", "must be a whole number >= 1: " + tr);
            rows.add(new double[] {c, r, tc, tr});
        });
        if (rows.isEmpty()) throw DataException.ofFile(file, "no rows");
        int n = rows.size();
        double[] c = new double[n], r = new double[n];
        int[] tc = new int[n], tr = new int[n];
        for (int i = 0; i < n; i++) {
            c[i] = rows.get(i)[0];
            r[i] = rows.get(i)[1];
            tc[i] = (int) rows.get(i)[2];
            tr[i] = (int) rows.get(i)[3];
        }
        return new PairLogps(c, r, tc, tr);
    }

    /** α per pair from a pairs file (see the class comment); 1 where a row has neither alpha nor votes. */
    public static double[] readAlpha(Path pairsFile) {
        List<Double> out = new ArrayList<>();
        Jsonl.read(pairsFile, false, (line, row) -> {
            Double a = Jsonl.optionalNumber(pairsFile, line, row, "alpha");
            Double vc = Jsonl.optionalNumber(pairsFile, line, row, "votes_chosen");
            Double vr = Jsonl.optionalNumber(pairsFile, line, row, "votes_rejected");
            Double vt = Jsonl.optionalNumber(pairsFile, line, row, "votes_tie");
            if (a != null) {
                if (!(a >= 0 && a <= 1)) throw new DataException(pairsFile, line, "alpha", "must be in [0, 1]: " + a);
                out.add(a);
            } else if (vc != null || vr != null) {
                try {
                    out.add(IdealizedRankingAccuracy.alphaFromVotes(whole(vc), whole(vr), whole(vt)));
                } catch (IllegalArgumentException e) {
                    throw new DataException(pairsFile, line, "votes_chosen", e.getMessage());
                }
            } else {
                out.add(1.0);
            }
        });
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * Reads the files and evaluates; files whose row counts differ are a one-line error naming both files.
     *
     * @param logpsFile the policy's rows ({@code prefer logps} output)
     * @param refFile   the reference's rows on the same pairs in the same order, or null
     * @param pairsFile the pairs with α (or votes), or null
     */
    public static Summary evaluate(Path logpsFile, Path refFile, Path pairsFile, double beta, double tieBand) {
        PairLogps policy = read(logpsFile);
        PairLogps reference = refFile == null ? null : read(refFile);
        if (reference != null && reference.size() != policy.size()) {
            throw DataException.ofFile(refFile, "has " + reference.size() + " rows where " + logpsFile + " has " + policy.size()
                    + ": policy and reference log-probs must cover the same pairs in the same order");
        }
        double[] alpha = pairsFile == null ? null : readAlpha(pairsFile);
        if (alpha != null && alpha.length != policy.size()) {
            throw DataException.ofFile(pairsFile, "has " + alpha.length + " rows where " + logpsFile + " has " + policy.size()
                    + ": the pairs file must list the scored pairs in the same order");
        }
        return evaluate(policy, reference, alpha, beta, tieBand);
    }

    /** As {@link PairRanking#evaluate}: the in-memory computation these files feed. */
    public static Summary evaluate(PairLogps policy, PairLogps reference, double[] alpha, double beta, double tieBand) {
        return PairRanking.evaluate(policy, reference, alpha, beta, tieBand);
    }

    private static double number(Path file, long line, com.fasterxml.jackson.databind.JsonNode row, String field) {
        Double v = Jsonl.optionalNumber(file, line, row, field);
        if (v == null) throw new DataException(file, line, field, "missing");
        return v;
    }

    private static int whole(Double v) {
        if (v == null) return 0;
        if (v < 0 || v != Math.rint(v)) throw new IllegalArgumentException("vote counts must be whole numbers >= 0: " + v);
        return (int) Math.round(v);
    }
}
