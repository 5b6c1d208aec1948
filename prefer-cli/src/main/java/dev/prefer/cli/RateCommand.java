package dev.prefer.cli;

import dev.prefer.data.votes.VoteColumns;
import dev.prefer.ratings.FitOptions;
import dev.prefer.ratings.Rate;
import dev.prefer.ratings.RatingOptions;
import dev.prefer.ratings.Scale;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code prefer rate}: a leaderboard from a vote file. Thin: parses options and calls {@link Rate#run}. */
@Command(name = "rate", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Rate items from pairwise votes (or PrefLib rankings): Bradley-Terry and friends, with confidence intervals.",
        footer = {"", "Examples:",
                "  ./prefer rate ../shared/data/llmfao/crowd-comparisons.csv --a left --b right --bootstrap 1000 --seed 1 --out /tmp/llmfao",
                "  ./prefer rate votes.jsonl --model davidson --scale log",
                "  ./prefer rate clean_battle.json --format arena-json --anchor 'gpt-4-0613=1000'",
                "  ./prefer rate ../shared/data/preflib/00002-00000001.soi --model pl",
                "  ./prefer rate ../shared/data/llmfao/crowd-comparisons.csv --a left --b right --model mixture --annotator worker --components 0",
                "  ./prefer rate ../shared/data/llmfao/crowd-comparisons.csv --a left --b right --annotator worker --diagnostics",
                "  ./prefer rate clean_battle.json --format arena-json --intervals sandwich --reweight 50 --category language",
                "  ./prefer rate battles.jsonl --model style --style-texts answer_a,answer_b --anchor 'gpt-4-0613=1000'"})
public final class RateCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "Vote file: .csv, .tsv, .jsonl(.gz), Arena clean_battle .json, or PrefLib .soc/.soi/.toc/.toi.")
    Path file;

    @Option(names = "--format", defaultValue = "auto", description = "auto, csv, tsv, jsonl, arena-json, preflib, rankings-jsonl ({\"ranking\": [best, [tied, tied], ...]}), choices-jsonl ({\"chosen\": x, \"others\": [...]}).")
    String format;

    @Option(names = "--model", defaultValue = "bt", description = "bt, thurstone, davidson, rao-kupper, pl, elo, trueskill, contextual (needs --features), mixture (needs --annotator), style (the Arena's style control: --style-texts, --style-columns or --features).")
    String model;

    @Option(names = "--ties", defaultValue = "half", description = "Ties in bt: half (half a win each), davidson or rao-kupper (modelled).")
    String ties;

    @Option(names = "--l2", defaultValue = "0", description = "L2 penalty on log-strengths (0 = plain maximum likelihood).")
    double l2;

    @Option(names = "--bootstrap", defaultValue = "0", description = "Bootstrap rounds for intervals (0 = Fisher-information intervals; online models: none, TrueSkill mu +- 2 sigma).")
    int bootstrap;

    @Option(names = "--seed", defaultValue = "0", description = "Bootstrap seed.")
    long seed;

    @Option(names = "--level", defaultValue = "0.95", description = "Confidence level of the intervals.")
    double level;

    @Option(names = "--scale", defaultValue = "elo", description = "elo (1000 + 400*log10 odds, mean 1000) or log (natural-log strength, mean 0).")
    String scale;

    @Option(names = "--anchor", description = "ITEM=RATING: pin one item's rating (elo scale).")
    String anchor;

    @Option(names = "--out", description = "Folder for leaderboard.csv/json, win-probabilities.csv, report.html, manifest.json.")
    Path out;

    @Option(names = "--a", defaultValue = "model_a", description = "Column of the first item.")
    String colA;

    @Option(names = "--b", defaultValue = "model_b", description = "Column of the second item.")
    String colB;

    @Option(names = "--winner", defaultValue = "winner", description = "Column of the outcome.")
    String colWinner;

    @Option(names = "--a-wins", split = ",", description = "Winner values meaning a won (default: model_a,a,left,x).")
    List<String> aWins;

    @Option(names = "--b-wins", split = ",", description = "Winner values meaning b won (default: model_b,b,right,y).")
    List<String> bWins;

    @Option(names = "--tie-values", split = ",", description = "Winner values meaning a tie (default: tie,draw).")
    List<String> tieValues;

    @Option(names = "--both-bad-values", split = ",", description = "Winner values meaning both bad (default: 'tie (bothbad)',bothbad,both_bad).")
    List<String> bothBadValues;

    @Option(names = "--weight", description = "Weight column.")
    String weight;

    @Option(names = "--annotator", description = "Annotator column.")
    String annotator;

    @Option(names = "--timestamp", description = "Timestamp column (epoch seconds or ISO-8601): online models (elo, trueskill) apply votes in time order.")
    String timestamp;

    @Option(names = "--category", description = "Category column: also one leaderboard per category (categories.csv/json).")
    String category;

    @Option(names = "--features", split = ",", description = "Numeric per-vote feature columns (for --model contextual), e.g. len_diff,md_diff.")
    List<String> features;

    @Option(names = "--components", defaultValue = "2", description = "Mixture components for --model mixture (0 = choose 1..4 by held-out log-likelihood).")
    int components;

    @Option(names = "--diagnostics", description = "Also report intransitive cycles and annotator agreement (needs --annotator for the latter); writes diagnostics.json.")
    boolean diagnostics;

    @Option(names = "--intervals", defaultValue = "fisher", description = "Without --bootstrap: fisher (inverse information) or sandwich (robust H^-1 G H^-1, the Arena's default).")
    String intervals;

    @Option(names = "--reweight", description = "Arena reweighting: each vote weighs 1/max(votes of its pair, N); N = 50 as on the Arena (default: off; on with 50 for --model style; 0 = off). Needs sandwich or bootstrap intervals.")
    Integer reweight;

    @Option(names = "--style-texts", split = ",", description = "--model style on JSONL votes: fields with the two answers' texts (A,B); the Arena's style features (tokens, headers, lists, bold) are computed from them.")
    List<String> styleTexts;

    @Option(names = "--style-columns", split = ",", description = "--model style: feature names X with per-answer counts in columns X_a and X_b, e.g. tokens,headers,lists,bold.")
    List<String> styleColumns;

    @Option(names = "--style-l2", defaultValue = "1.0", description = "--model style: L2 penalty on the style coefficients (on the mean log-likelihood, as arena-rank).")
    double styleL2;

    @Option(names = "--skip-bad-rows", description = "Skip and count bad rows instead of stopping at the first.")
    boolean skipBad;

    @Override
    public Integer call() {
        VoteColumns d = VoteColumns.DEFAULT;
        VoteColumns cols = new VoteColumns(colA, colB, colWinner,
                aWins == null ? d.aWins() : Set.copyOf(aWins), bWins == null ? d.bWins() : Set.copyOf(bWins),
                tieValues == null ? d.tie() : Set.copyOf(tieValues), bothBadValues == null ? d.bothBad() : Set.copyOf(bothBadValues),
                weight, annotator, timestamp, category, features == null ? List.of() : features);
        Scale sc;
        if (anchor != null) {
            int eq = anchor.lastIndexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("--anchor expects ITEM=RATING, got '" + anchor + "'");
            double r;
            try {
                r = Double.parseDouble(anchor.substring(eq + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--anchor rating is not a number: '" + anchor.substring(eq + 1) + "'");
            }
            Scale base = scale.equals("log") ? Scale.log() : Scale.elo();
            sc = new Scale(base.kind(), base.center(), anchor.substring(0, eq), r);
        } else {
            sc = switch (scale) {
                case "elo" -> Scale.elo();
                case "log" -> Scale.log();
                default -> throw new IllegalArgumentException("--scale must be elo or log, got '" + scale + "'");
            };
        }
        int rw = reweight != null ? reweight : model.equalsIgnoreCase("style") ? 50 : 0;
        RatingOptions ro = new RatingOptions(model, FitOptions.DEFAULT.withL2(l2), bootstrap, seed, level, sc)
                .withComponents(components).withIntervals(intervals).withReweight(rw).withStyleL2(styleL2);
        Rate.Options o = new Rate.Options(format, cols, ties, ro, skipBad, out, diagnostics, styleTexts, styleColumns);
        Rate.Result r = Rate.run(file, o);
        System.out.print(r.leaderboard().toTable());
        System.out.println(r.votes() + " votes" + (r.skipped() > 0 ? ", " + r.skipped() + " bad rows skipped" : ""));
        for (Rate.CategoryBoard cb : r.categories()) {
            System.out.println();
            System.out.println("category '" + cb.category() + "' (" + cb.votes() + " votes)"
                    + (cb.leaderboard() == null ? ": not rated: " + cb.error() : ":"));
            if (cb.leaderboard() != null) System.out.print(cb.leaderboard().toTable());
        }
        for (Path p : r.files()) System.out.println("wrote " + p);
        return 0;
    }
}
