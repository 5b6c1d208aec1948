package dev.prefer.cli;

import dev.prefer.data.Json;
import dev.prefer.eval.PairLogpsEval;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code prefer ranking-accuracy}: R, R*, and the alignment gap from log-prob files (Chen et al. 2024). */
@Command(name = "ranking-accuracy", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Ranking accuracy of a policy on preference pairs, and with the reference's log-probs the idealized ranking "
                + "accuracy R* and the alignment gap R* - R (Chen et al. 2024, arXiv 2405.19534).",
                "Log-prob files hold one {\"chosen_logps\",\"rejected_logps\",\"chosen_tokens\",\"rejected_tokens\"} row per pair, "
                        + "as `prefer logps` writes them."},
        footer = {"", "Examples:",
                "  ./prefer ranking-accuracy --logps policy-logps.jsonl",
                "  ./prefer ranking-accuracy --logps policy-logps.jsonl --ref-logps ref-logps.jsonl --pairs pairs.jsonl --beta 0.1",
                "  ./prefer ranking-accuracy --logps p.jsonl --ref-logps r.jsonl --tie-band 0.05   # the authors' code"})
public final class RankingAccuracyCommand implements Callable<Integer> {
    @Option(names = "--logps", required = true, description = "Policy log-probs per pair.")
    Path logps;
    @Option(names = "--ref-logps", description = "Reference log-probs on the same pairs (for R* and the gap).")
    Path refLogps;
    @Option(names = "--pairs", description = "The pairs file, for the true win probability per pair: 'alpha' or 'votes_chosen'/'votes_rejected'/'votes_tie' (default: alpha 1).")
    Path pairs;
    @Option(names = "--beta", defaultValue = "0.1", description = "The objective's beta for R*.")
    double beta;
    @Option(names = "--tie-band", defaultValue = "0", description = "Tie band on likelihood ratios for R* (0: the paper; 0.05: the authors' code).")
    double tieBand;
    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() {
        dev.prefer.core.metrics.PairRanking.Summary s = PairLogpsEval.evaluate(logps, refLogps, pairs, beta, tieBand);
        if (json) {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("pairs", s.n());
            m.put("ranking_accuracy", s.policy().summed());
            m.put("ranking_accuracy_normalized", s.policy().lengthNormalized());
            m.put("idealized_ranking_accuracy", s.rStar());
            m.put("idealized_ranking_accuracy_normalized", s.rStarNormalized());
            m.put("alignment_gap", s.gap());
            m.put("alignment_gap_normalized", s.gapNormalized());
            m.put("beta", beta);
            m.put("tie_band", tieBand);
            System.out.println(Json.line(m));
            return 0;
        }
        System.out.printf(Locale.ROOT, "%d pairs%n", s.n());
        System.out.printf(Locale.ROOT, "ranking accuracy R            %.4f   (length-normalised %.4f; ties %d / %d)%n",
                s.policy().summed(), s.policy().lengthNormalized(), s.policy().tiesSummed(), s.policy().tiesNormalized());
        if (s.rStar() != null) {
            System.out.printf(Locale.ROOT, "idealized ranking accuracy R* %.4f   (length-normalised %.4f; beta %s, tie band %s)%n",
                    s.rStar(), s.rStarNormalized(), beta, tieBand);
            System.out.printf(Locale.ROOT, "alignment gap R* - R          %+.4f   (length-normalised %+.4f)%n", s.gap(), s.gapNormalized());
        }
        return 0;
    }
}
