package dev.prefer.ratings;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.data.votes.Choice;
import dev.prefer.data.votes.PrefLib;
import dev.prefer.data.votes.Ranking;
import dev.prefer.data.votes.RankingReader;
import dev.prefer.data.votes.Vote;
import dev.prefer.data.votes.VoteColumns;
import dev.prefer.data.votes.VoteFile;
import dev.prefer.data.votes.VoteReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The whole "rate a vote file" job behind {@code prefer rate}: read -> rate -> write. Read votes (or PrefLib
 * rankings); rate them with the {@link Rater} of the model (the same call as {@link Ratings#rate}), overall and,
 * with a category column, per category; and (with an output folder) write {@code leaderboard.csv},
 * {@code leaderboard.json}, {@code win-probabilities.csv} ("NA" where not identified), {@code report.html},
 * {@code categories.csv}/{@code categories.json}, model extras and {@code manifest.json} atomically.
 */
public final class Rate {
    private Rate() {}

    /** Models {@code prefer rate} knows. */
    public static final List<String> MODELS = Raters.MODELS;

    /**
     * @param format      vote format name: auto, csv, tsv, jsonl, arena-json, preflib, rankings-jsonl, choices-jsonl
     * @param columns     columns of CSV/JSONL votes; a timestamp column orders online models, a category column
     *                    adds per-category leaderboards
     * @param ties        how bt treats ties: half (default), davidson, rao-kupper (switches the model)
     * @param rating      model, solver, bootstrap, seed, level, scale, mixture components, intervals (features
     *                    and timestamp order are taken from {@code columns})
     * @param skipBadRows skip and count bad rows instead of failing
     * @param out         output folder, or null for no files
     * @param diagnostics also check intransitive cycles and annotator agreement (pairwise votes; diagnostics.json)
     * @param styleTexts  model style: the two JSONL fields holding the answers of a and b (the Arena's four style
     *                    features are computed from them, {@link StyleFeatures}); empty when not used
     * @param styleColumns model style: feature names X whose counts are in numeric columns X_a and X_b (the
     *                    per-vote feature is (a − b)/(a + b)); empty when not used
     */
    public record Options(String format, VoteColumns columns, String ties, RatingOptions rating, boolean skipBadRows,
                          Path out, boolean diagnostics, List<String> styleTexts, List<String> styleColumns) {
        public Options(String format, VoteColumns columns, String ties, RatingOptions rating, boolean skipBadRows, Path out, boolean diagnostics) {
            this(format, columns, ties, rating, skipBadRows, out, diagnostics, List.of(), List.of());
        }

        public Options {
            styleTexts = List.copyOf(styleTexts == null ? List.of() : styleTexts);
            styleColumns = List.copyOf(styleColumns == null ? List.of() : styleColumns);
            if (!styleTexts.isEmpty() && styleTexts.size() != 2) throw new IllegalArgumentException("--style-texts takes two fields: A,B");
            if (!styleTexts.isEmpty() && !styleColumns.isEmpty()) throw new IllegalArgumentException("give --style-texts or --style-columns, not both");
            if ((!styleTexts.isEmpty() || !styleColumns.isEmpty()) && !rating.model().equals("style")) throw new IllegalArgumentException("--style-texts and --style-columns go with --model style");
            if (!styleColumns.isEmpty()) {
                if (!columns.features().isEmpty()) throw new IllegalArgumentException("give --style-columns or --features, not both");
                List<String> f = new ArrayList<>();
                for (String x : styleColumns) { f.add(x + "_a"); f.add(x + "_b"); }
                columns = columns.withFeatures(f);
            }
            Objects.requireNonNull(columns);
            Objects.requireNonNull(rating);
            format = format == null ? "auto" : format.toLowerCase(Locale.ROOT);
            if (!List.of("auto", "csv", "tsv", "jsonl", "arena-json", "preflib", "rankings-jsonl", "choices-jsonl").contains(format)) throw new IllegalArgumentException("unknown format '" + format + "' (auto, csv, tsv, jsonl, arena-json, preflib, rankings-jsonl, choices-jsonl)");
            ties = ties == null ? "half" : ties.toLowerCase(Locale.ROOT);
            if (!List.of("half", "davidson", "rao-kupper").contains(ties)) throw new IllegalArgumentException("unknown ties '" + ties + "' (half, davidson, rao-kupper)");
            if (!ties.equals("half") && !rating.model().equals("bt")) throw new IllegalArgumentException("--ties " + ties + " applies to --model bt only");
            String model = rating.model().equals("bt") && !ties.equals("half") ? ties : rating.model();
            List<String> featureNames = !styleTexts.isEmpty() ? StyleFeatures.NAMES : !styleColumns.isEmpty() ? styleColumns : columns.features();
            rating = rating.withModel(model).withFeatures(featureNames).withTimestampOrder(columns.timestamp() != null);
        }
    }

    /**
     * One category's leaderboard (null with an error when the category's votes cannot be rated).
     *
     * @param category    the category label
     * @param votes       its votes
     * @param leaderboard its leaderboard, or null
     * @param error       why it has none, or null
     */
    public record CategoryBoard(String category, long votes, Leaderboard leaderboard, String error) {}

    /** What a run produced. */
    public record Result(Leaderboard leaderboard, List<CategoryBoard> categories, long votes, long skipped, Manifest manifest, List<Path> files) {}

    public static Result run(Path input, Options o) {
        RatingOptions ro = o.rating();
        String model = ro.model();
        boolean preflib = o.format().equals("preflib") || (o.format().equals("auto")
                && input.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(soc|soi|toc|toi)$"));
        boolean lists = preflib || o.format().equals("rankings-jsonl") || o.format().equals("choices-jsonl");
        Rater.Result rated;
        double[][] observed = null;
        List<CategoryBoard> categories = List.of();
        long nVotes, skipped;
        String diagJson = null;
        List<String> diagNotes = new ArrayList<>();
        if (lists) {
            if (!model.equals("pl")) throw new IllegalArgumentException("rankings and choices are rated with --model pl");
            Lists l = readLists(input, o, preflib);
            nVotes = l.votes;
            skipped = l.skipped;
            Fit fit = PlackettLuce.fit(l.data, ro.fit());
            Bootstrap.Result boot = ro.bootstrapRounds() > 0 ? PlackettLuce.bootstrap(l.data, ro.fit(), Bootstrap.Options.of(ro.bootstrapRounds(), ro.seed())) : null;
            Leaderboard lb = Leaderboard.of(fit, l.counts, ro.scale(), boot, ro.level());
            rated = new Rater.Result(lb, fit.items(), Rater.winProbabilities(BradleyTerryModel.INSTANCE, fit.theta(), 0, fit.component()), Map.of());
        } else {
            VoteFile vf = read(input, o);
            skipped = vf.skipped();
            List<Vote> votes = styleVotes(input, o, vf.votes());
            if (votes.isEmpty()) throw DataException.ofFile(input, "no votes");
            nVotes = votes.size();
            rated = Raters.of(model).rate(votes, ro);
            Comparisons c = Comparisons.of(votes);
            observed = reorderMatrix(c.items(), WinRates.matrix(c), rated.items());
            if (o.diagnostics()) diagJson = diagnostics(votes, c, ro, diagNotes);
            if (o.columns().category() != null) categories = byCategory(votes, ro);
        }
        Leaderboard lb = rated.leaderboard().withNotes(diagNotes);
        Manifest m = Manifest.of("ratings", config(o, nVotes, skipped), ro.bootstrapRounds() > 0 ? ro.seed() : null).withInput("votes", input);
        List<Path> files = new ArrayList<>();
        if (o.out() != null) {
            Path dir = o.out();
            for (Map.Entry<String, Object> e : new TreeMap<>(rated.extras()).entrySet()) files.add(write(dir.resolve(e.getKey()), Json.pretty(e.getValue()) + "\n"));
            if (diagJson != null) files.add(write(dir.resolve("diagnostics.json"), diagJson));
            if (!categories.isEmpty()) {
                files.add(write(dir.resolve("categories.csv"), categoriesCsv(categories)));
                files.add(write(dir.resolve("categories.json"), Json.pretty(categoriesMap(categories)) + "\n"));
            }
            files.add(write(dir.resolve("leaderboard.csv"), lb.toCsv()));
            files.add(write(dir.resolve("leaderboard.json"), lb.toJson() + "\n"));
            files.add(write(dir.resolve("win-probabilities.csv"), matrixCsv(rated.items(), rated.winProbabilities())));
            files.add(write(dir.resolve("report.html"), HtmlReport.render("Ratings: " + input.getFileName(), lb, rated.winProbabilities(), observed, rated.items(), m.toJson())));
            files.add(m.writeTo(dir));
        }
        return new Result(lb, categories, nVotes, skipped, m, files);
    }

    /** Votes with their style features, when style control asks for them from texts or count columns. */
    static List<Vote> styleVotes(Path input, Options o, List<Vote> votes) {
        if (!o.styleColumns().isEmpty()) {
            int p = o.styleColumns().size();
            List<Vote> out = new ArrayList<>(votes.size());
            for (Vote v : votes) {
                double[] ca = new double[p], cb = new double[p];
                for (int k = 0; k < p; k++) { ca[k] = v.feature(2 * k); cb[k] = v.feature(2 * k + 1); }
                out.add(new Vote(v.a(), v.b(), v.outcome(), v.weight(), v.annotator(), v.timestamp(), v.category(), StyleFeatures.differences(ca, cb), v.source()));
            }
            return out;
        }
        if (o.styleTexts().isEmpty()) return votes;
        if (!(o.format().equals("jsonl") || (o.format().equals("auto") && VoteReader.Format.guess(input) == VoteReader.Format.JSONL))) {
            throw new IllegalArgumentException("--style-texts reads JSONL vote files; for CSV give per-answer counts with --style-columns");
        }
        Map<Long, double[]> byLine = new java.util.HashMap<>();
        String fa = o.styleTexts().get(0), fb = o.styleTexts().get(1);
        dev.prefer.data.Jsonl.read(input, true, (line, row) -> {
            if (row.hasNonNull(fa) && row.hasNonNull(fb) && row.get(fa).isTextual() && row.get(fb).isTextual()) {
                byLine.put(line, StyleFeatures.of(row.get(fa).asText(), row.get(fb).asText()));
            }
        });
        List<Vote> out = new ArrayList<>(votes.size());
        for (Vote v : votes) {
            double[] f = byLine.get(v.source().line());
            if (f == null) throw new DataException(input, v.source().line(), fa, "needs the texts of both answers as strings in fields '" + fa + "' and '" + fb + "'");
            out.add(new Vote(v.a(), v.b(), v.outcome(), v.weight(), v.annotator(), v.timestamp(), v.category(), f, v.source()));
        }
        return out;
    }

    /** Per-category leaderboards, most votes first; votes without a category count only overall. */
    public static List<CategoryBoard> byCategory(List<Vote> votes, RatingOptions o) {
        Map<String, List<Vote>> groups = new LinkedHashMap<>();
        for (Vote v : votes) if (v.category() != null && !v.category().isBlank()) groups.computeIfAbsent(v.category(), k -> new ArrayList<>()).add(v);
        List<CategoryBoard> out = new ArrayList<>();
        for (Map.Entry<String, List<Vote>> g : groups.entrySet()) {
            try {
                out.add(new CategoryBoard(g.getKey(), g.getValue().size(), Raters.of(o.model()).rate(g.getValue(), o).leaderboard(), null));
            } catch (IllegalArgumentException e) {
                out.add(new CategoryBoard(g.getKey(), g.getValue().size(), null, e.getMessage()));
            }
        }
        out.sort(Comparator.comparingLong(CategoryBoard::votes).reversed().thenComparing(CategoryBoard::category));
        return out;
    }

    private record Lists(PlackettLuce.Data data, long[] counts, long votes, long skipped) {}

    private static Lists readLists(Path input, Options o, boolean preflib) {
        PlackettLuce.Data data;
        long[] cnt;
        long nVotes = 0, skipped = 0;
        if (o.format().equals("choices-jsonl")) {
            RankingReader.Choices cs = RankingReader.readChoices(input, "chosen", "others", o.skipBadRows());
            skipped = cs.skipped();
            data = PlackettLuce.fromChoices(cs.choices());
            cnt = new long[data.items().size()];
            nVotes = cs.choices().size();
            for (Choice ch : cs.choices()) {
                cnt[data.items().indexOf(ch.chosen())]++;
                for (String x : ch.others()) cnt[data.items().indexOf(x)]++;
            }
        } else {
            List<Ranking> rankings;
            if (preflib) {
                rankings = PrefLib.read(input).rankings();
            } else {
                RankingReader.Rankings rr = RankingReader.readRankings(input, "ranking", o.skipBadRows());
                skipped = rr.skipped();
                rankings = rr.rankings();
            }
            data = PlackettLuce.fromRankings(rankings);
            cnt = new long[data.items().size()];
            for (Ranking r : rankings) {
                nVotes += Math.round(r.weight());
                for (String s : r.items()) cnt[data.items().indexOf(s)] += Math.round(r.weight());
            }
        }
        if (data.sets().length == 0) throw DataException.ofFile(input, "no rankings or choices");
        return new Lists(data, cnt, nVotes, skipped);
    }

    private static String diagnostics(List<Vote> votes, Comparisons c, RatingOptions ro, List<String> diagNotes) {
        Map<String, Object> dg = new LinkedHashMap<>();
        Diagnostics.Cycles cy = Diagnostics.cycles(c, 20);
        dg.put("intransitiveTriangles", cy.count());
        dg.put("triangleSample", cy.sample());
        Fit cons = PairwiseFitter.fit(BradleyTerryModel.INSTANCE, c, ro.fit().withL2(Math.max(ro.fit().l2(), 1e-6)));
        List<Diagnostics.Agreement> ag = Diagnostics.annotatorAgreement(votes, cons);
        List<Map<String, Object>> al = new ArrayList<>();
        for (Diagnostics.Agreement a : ag) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("annotator", a.annotator());
            am.put("votes", a.votes());
            am.put("decisive", a.decisive());
            am.put("agreement", Double.isNaN(a.agreement()) ? null : a.agreement());
            am.put("meanLogLik", a.meanLogLik());
            al.add(am);
        }
        dg.put("annotators", al);
        diagNotes.add("diagnostics: " + cy.count() + " intransitive triangles in the majority graph"
                + (cy.sample().isEmpty() ? "" : ", e.g. " + String.join(" > ", cy.sample().get(0)) + " > " + cy.sample().get(0).get(0)));
        ag.stream().filter(a -> a.decisive() >= 10).sorted(Comparator.comparingDouble(Diagnostics.Agreement::agreement)).limit(3)
                .forEach(a -> diagNotes.add(String.format(Locale.ROOT, "diagnostics: annotator '%s' agrees with the consensus on %.0f%% of %d decisive votes",
                        a.annotator(), 100 * a.agreement(), a.decisive())));
        return Json.pretty(dg) + "\n";
    }

    private static Map<String, Object> config(Options o, long nVotes, long skipped) {
        RatingOptions ro = o.rating();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", ro.model());
        config.put("format", o.format());
        config.put("ties", o.ties());
        config.put("l2", ro.fit().l2());
        config.put("tolerance", ro.fit().tolerance());
        config.put("bootstrapRounds", ro.bootstrapRounds());
        config.put("intervals", ro.bootstrapRounds() > 0 ? "bootstrap" : ro.intervals());
        config.put("level", ro.level());
        config.put("scale", ro.scale().describe());
        config.put("timestampOrder", ro.byTimestamp());
        Map<String, Object> cols = new LinkedHashMap<>();
        VoteColumns vc = o.columns();
        cols.put("a", vc.a());
        cols.put("b", vc.b());
        cols.put("winner", vc.winner());
        cols.put("aWins", new TreeSet<>(vc.aWins()));
        cols.put("bWins", new TreeSet<>(vc.bWins()));
        cols.put("tie", new TreeSet<>(vc.tie()));
        cols.put("bothBad", new TreeSet<>(vc.bothBad()));
        cols.put("weight", vc.weight());
        cols.put("annotator", vc.annotator());
        cols.put("timestamp", vc.timestamp());
        cols.put("category", vc.category());
        cols.put("features", vc.features());
        config.put("columns", cols);
        config.put("skipBadRows", o.skipBadRows());
        config.put("votes", nVotes);
        config.put("skipped", skipped);
        if (ro.model().equals("mixture")) config.put("components", ro.components());
        config.put("diagnostics", o.diagnostics());
        return config;
    }

    static VoteFile read(Path input, Options o) {
        VoteReader.Format f = switch (o.format()) {
            case "csv" -> VoteReader.Format.CSV;
            case "tsv" -> VoteReader.Format.TSV;
            case "jsonl" -> VoteReader.Format.JSONL;
            case "arena-json" -> VoteReader.Format.ARENA_JSON;
            default -> VoteReader.Format.guess(input);
        };
        return VoteReader.read(input, f, o.columns(), o.skipBadRows());
    }

    private static Path write(Path p, String s) {
        AtomicFiles.writeString(p, s);
        return p;
    }

    static double[][] reorderMatrix(List<String> from, double[][] m, List<String> to) {
        int n = to.size();
        int[] ix = new int[n];
        for (int i = 0; i < n; i++) ix[i] = from.indexOf(to.get(i));
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) out[i][j] = m[ix[i]][ix[j]];
        return out;
    }

    static String categoriesCsv(List<CategoryBoard> cats) {
        StringBuilder b = new StringBuilder("category,rank,item,rating,lower,upper,se,votes,component\n");
        for (CategoryBoard cb : cats) {
            if (cb.leaderboard() == null) continue;
            String csv = cb.leaderboard().toCsv();
            for (String line : csv.substring(csv.indexOf('\n') + 1).split("\n")) {
                if (!line.isEmpty()) b.append(Leaderboard.csv(cb.category())).append(',').append(line).append('\n');
            }
        }
        return b.toString();
    }

    static Map<String, Object> categoriesMap(List<CategoryBoard> cats) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (CategoryBoard cb : cats) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("votes", cb.votes());
            if (cb.leaderboard() != null) x.put("leaderboard", cb.leaderboard().toMap());
            else x.put("error", cb.error());
            m.put(cb.category(), x);
        }
        return m;
    }

    /** Square CSV: header "item,<items...>", row i column j = P(i beats j); "NA" where not identified. */
    public static String matrixCsv(List<String> items, double[][] p) {
        StringBuilder b = new StringBuilder("item");
        for (String s : items) b.append(',').append(Leaderboard.csv(s));
        b.append('\n');
        for (int i = 0; i < items.size(); i++) {
            b.append(Leaderboard.csv(items.get(i)));
            for (int j = 0; j < items.size(); j++) {
                b.append(',').append(i == j ? "" : Double.isNaN(p[i][j]) ? "NA" : String.format(Locale.ROOT, "%.6f", p[i][j]));
            }
            b.append('\n');
        }
        return b.toString();
    }
}
