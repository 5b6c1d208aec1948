package dev.prefer.ratings;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.DataException;
import dev.prefer.data.Manifest;
import dev.prefer.data.votes.Choice;
import dev.prefer.data.votes.PrefLib;
import dev.prefer.data.votes.RankingReader;
import dev.prefer.data.votes.Ranking;
import dev.prefer.data.votes.Vote;
import dev.prefer.data.votes.VoteColumns;
import dev.prefer.data.votes.VoteFile;
import dev.prefer.data.votes.VoteReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The whole "rate a vote file" job behind {@code prefer rate}: read votes (or PrefLib rankings), fit the chosen
 * model, bootstrap, build the leaderboard, and (with an output folder) write {@code leaderboard.csv},
 * {@code leaderboard.json}, {@code win-probabilities.csv}, {@code report.html} and {@code manifest.json}
 * atomically.
 */
public final class Rate {
    private Rate() {}

    /** Models {@code prefer rate} knows. */
    public static final List<String> MODELS = List.of("bt", "thurstone", "davidson", "rao-kupper", "pl", "elo", "trueskill", "contextual", "mixture");

    /**
     * @param format          vote format name: auto, csv, tsv, jsonl, arena-json, preflib
     * @param columns         columns of CSV/JSONL votes
     * @param model           one of {@link #MODELS}
     * @param ties            how BT treats ties: half (default), davidson, rao-kupper (switches the model)
     * @param fit             solver options (L2)
     * @param bootstrapRounds bootstrap rounds (0 = Fisher intervals)
     * @param seed            seed
     * @param level           interval level
     * @param scale           output scale
     * @param skipBadRows     skip and count bad rows instead of failing
     * @param out             output folder, or null for no files
     * @param components      mixture components (0 = choose 1..4 by held-out log-likelihood)
     * @param diagnostics     also check intransitive cycles and annotator agreement (pairwise votes; diagnostics.json)
     */
    public record Options(String format, VoteColumns columns, String model, String ties, FitOptions fit, int bootstrapRounds,
                          long seed, double level, Scale scale, boolean skipBadRows, Path out, int components, boolean diagnostics) {
        public Options {
            Objects.requireNonNull(columns);
            Objects.requireNonNull(fit);
            Objects.requireNonNull(scale);
            format = format == null ? "auto" : format.toLowerCase(Locale.ROOT);
            if (!List.of("auto", "csv", "tsv", "jsonl", "arena-json", "preflib", "rankings-jsonl", "choices-jsonl").contains(format)) throw new IllegalArgumentException("unknown format '" + format + "' (auto, csv, tsv, jsonl, arena-json, preflib, rankings-jsonl, choices-jsonl)");
            model = model.toLowerCase(Locale.ROOT);
            if (!MODELS.contains(model)) throw new IllegalArgumentException("unknown model '" + model + "' (" + String.join(", ", MODELS) + ")");
            ties = ties == null ? "half" : ties.toLowerCase(Locale.ROOT);
            if (!List.of("half", "davidson", "rao-kupper").contains(ties)) throw new IllegalArgumentException("unknown ties '" + ties + "' (half, davidson, rao-kupper)");
            if (bootstrapRounds < 0) throw new IllegalArgumentException("bootstrap rounds must be >= 0");
            if (!(level > 0 && level < 1)) throw new IllegalArgumentException("level must be in (0, 1)");
            if (components < 0) throw new IllegalArgumentException("components must be >= 0");
        }
    }

    /** What a run produced. */
    public record Result(Leaderboard leaderboard, long votes, long skipped, Manifest manifest, List<Path> files) {}

    public static Result run(Path input, Options o) {
        String model = o.model().equals("bt") && !o.ties().equals("half") ? o.ties() : o.model();
        boolean preflib = o.format().equals("preflib") || (o.format().equals("auto")
                && input.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(soc|soi|toc|toi)$"));
        Leaderboard lb;
        double[][] pred;
        double[][] observed = null;
        List<String> order;
        long nVotes;
        long skipped = 0;
        Map.Entry<String, String> extra = null;
        String extraDiag = null;
        List<String> diagNotes = new ArrayList<>();
        boolean lists = preflib || o.format().equals("rankings-jsonl") || o.format().equals("choices-jsonl");
        if (lists) {
            if (!model.equals("pl")) throw new IllegalArgumentException("rankings and choices are rated with --model pl");
            PlackettLuce.Data data;
            long[] cnt;
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
                nVotes = 0;
                for (Ranking r : rankings) {
                    nVotes += Math.round(r.weight());
                    for (String s : r.items()) cnt[data.items().indexOf(s)] += Math.round(r.weight());
                }
            }
            if (data.sets().length == 0) throw DataException.ofFile(input, "no rankings or choices");
            Fit fit = PlackettLuce.fit(data, o.fit());
            lb = Leaderboard.of(fit, cnt, o.scale(), null, o.level());
            order = fit.items();
            pred = BradleyTerry.winProbabilities(fit);
        } else {
            VoteFile vf = read(input, o);
            skipped = vf.skipped();
            List<Vote> votes = vf.votes();
            if (votes.isEmpty()) throw DataException.ofFile(input, "no votes");
            nVotes = votes.size();
            Comparisons c = Comparisons.of(votes);
            if (o.diagnostics()) {
                Map<String, Object> dg = new LinkedHashMap<>();
                Diagnostics.Cycles cy = Diagnostics.cycles(c, 20);
                dg.put("intransitiveTriangles", cy.count());
                dg.put("triangleSample", cy.sample());
                Fit cons = PairwiseFitter.fit(BradleyTerryModel.INSTANCE, c, o.fit().withL2(Math.max(o.fit().l2(), 1e-6)));
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
                extraDiag = dev.prefer.data.Json.pretty(dg) + "\n";
                diagNotes.add("diagnostics: " + cy.count() + " intransitive triangles in the majority graph"
                        + (cy.sample().isEmpty() ? "" : ", e.g. " + String.join(" > ", cy.sample().get(0)) + " > " + cy.sample().get(0).get(0)));
                ag.stream().filter(a -> a.decisive() >= 10).sorted(java.util.Comparator.comparingDouble(Diagnostics.Agreement::agreement)).limit(3)
                        .forEach(a -> diagNotes.add(String.format(Locale.ROOT, "diagnostics: annotator '%s' agrees with the consensus on %.0f%% of %d decisive votes",
                                a.annotator(), 100 * a.agreement(), a.decisive())));
            }
            order = c.items();
            observed = WinRates.matrix(c);
            switch (model) {
                case "elo" -> {
                    OnlineElo.Result r = OnlineElo.run(votes, OnlineElo.Options.ARENA);
                    double[] rt = reorder(r.items(), r.ratings(), order);
                    lb = Leaderboard.ofRatings("elo", Scale.elo(), order, rt, rt, rt, c.votesPerItem(), "none", o.level(),
                            List.of("online Elo in file order: k 4, base 10, scale 400, initial 1000"));
                    pred = new double[rt.length][rt.length];
                    for (int i = 0; i < rt.length; i++) for (int j = 0; j < rt.length; j++) pred[i][j] = 1 / (1 + Math.pow(10, (rt[j] - rt[i]) / 400));
                }
                case "trueskill" -> {
                    TrueSkillLadder.Result r = TrueSkillLadder.run(votes, TrueSkill.Options.DEFAULT);
                    double[] mu = reorder(r.items(), r.mu(), order), sd = reorder(r.items(), r.sigma(), order);
                    double[] lo = new double[mu.length], hi = new double[mu.length];
                    for (int i = 0; i < mu.length; i++) { lo[i] = mu[i] - 2 * sd[i]; hi[i] = mu[i] + 2 * sd[i]; }
                    lb = Leaderboard.ofRatings("trueskill", Scale.log(), order, mu, lo, hi, c.votesPerItem(), "mu +- 2 sigma", 0.95,
                            List.of("TrueSkill in file order (mu, sigma; default environment)"));
                    pred = new double[mu.length][mu.length];
                    double beta = TrueSkill.Options.DEFAULT.beta();
                    for (int i = 0; i < mu.length; i++) for (int j = 0; j < mu.length; j++) {
                        pred[i][j] = TrueSkill.cdf((mu[i] - mu[j]) / Math.sqrt(2 * beta * beta + sd[i] * sd[i] + sd[j] * sd[j]));
                    }
                }
                case "contextual" -> {
                    if (vf.featureNames().isEmpty()) throw new IllegalArgumentException("--model contextual needs feature columns (--features)");
                    ContextualBradleyTerry.Result r = ContextualBradleyTerry.fit(votes, vf.featureNames(), o.fit());
                    Fit fit = r.fit();
                    Leaderboard base = Leaderboard.of(fit, votesPer(c, fit.items()), o.scale(), null, o.level());
                    List<String> notes = new ArrayList<>(base.notes());
                    for (int k = 0; k < r.beta().length; k++) {
                        notes.add(String.format(Locale.ROOT, "feature %s: beta %.4f (se %.4f) log-odds per unit", r.featureNames().get(k), r.beta()[k], r.betaSe()[k]));
                    }
                    lb = new Leaderboard("contextual-bt", base.scale(), base.entries(), base.intervals(), base.level(), 0, 0, notes);
                    order = fit.items();
                    observed = reorderMatrix(c.items(), observed, order);
                    pred = BradleyTerry.winProbabilities(fit);
                }
                case "mixture" -> {
                    int k = o.components();
                    List<String> notes = new ArrayList<>();
                    if (k == 0) {
                        double bestLl = Double.NEGATIVE_INFINITY;
                        for (int kk = 1; kk <= 4; kk++) {
                            double h = BradleyTerryMixture.heldOut(votes, BradleyTerryMixture.Options.of(kk, o.seed()), 0.2);
                            notes.add(String.format(Locale.ROOT, "held-out log-likelihood with K=%d: %.2f", kk, h));
                            if (h > bestLl) { bestLl = h; k = kk; }
                        }
                        notes.add("chose K=" + k);
                    }
                    BradleyTerryMixture.Result r = BradleyTerryMixture.fit(votes, BradleyTerryMixture.Options.of(k, o.seed()));
                    int top = 0;
                    for (int q = 1; q < k; q++) if (r.weights()[q] > r.weights()[top]) top = q;
                    Map<String, Object> mix = new LinkedHashMap<>();
                    List<Map<String, Object>> comps = new ArrayList<>();
                    for (int q = 0; q < k; q++) {
                        Fit fq = new Fit("mixture", r.items(), r.theta()[q], nan(r.items().size()), new int[r.items().size()], 1, new double[0], Double.NaN, r.iterations(), true, List.of());
                        Leaderboard lq = Leaderboard.of(fq, votesPer(c, r.items()), o.scale(), null, o.level());
                        notes.add(String.format(Locale.ROOT, "component %d: weight %.3f, top: %s", q, r.weights()[q],
                                String.join(", ", lq.entries().stream().limit(5).map(Leaderboard.Entry::item).toList())));
                        Map<String, Object> cm = new LinkedHashMap<>();
                        cm.put("weight", r.weights()[q]);
                        cm.put("leaderboard", lq.toMap());
                        comps.add(cm);
                    }
                    Map<String, Object> resp = new LinkedHashMap<>();
                    for (int u = 0; u < r.annotators().size(); u++) resp.put(r.annotators().get(u), r.responsibility()[u]);
                    mix.put("components", comps);
                    mix.put("responsibilities", resp);
                    mix.put("logLikelihood", r.logLikelihood());
                    extra = Map.entry("mixture.json", dev.prefer.data.Json.pretty(mix) + "\n");
                    Fit fTop = new Fit("mixture", r.items(), r.theta()[top], nan(r.items().size()), new int[r.items().size()], 1, new double[0], Double.NaN, r.iterations(), true, List.of());
                    Leaderboard base = Leaderboard.of(fTop, votesPer(c, r.items()), o.scale(), null, o.level());
                    notes.add(0, "leaderboard of the largest component (" + top + "); all components in mixture.json");
                    lb = new Leaderboard("mixture", base.scale(), base.entries(), base.intervals(), base.level(), 0, 0, notes);
                    order = r.items();
                    observed = reorderMatrix(c.items(), observed, order);
                    pred = BradleyTerry.winProbabilities(fTop);
                }
                case "pl" -> {
                    // Pairwise votes as two-item rankings: Plackett-Luce is Bradley-Terry here.
                    RatingOptions ro = new RatingOptions("bt", o.fit(), o.bootstrapRounds(), o.seed(), o.level(), o.scale());
                    lb = Ratings.leaderboard(c, ro);
                    pred = BradleyTerry.winProbabilities(PairwiseFitter.fit(BradleyTerryModel.INSTANCE, c, o.fit()));
                }
                default -> {
                    RatingOptions ro = new RatingOptions(model, o.fit(), o.bootstrapRounds(), o.seed(), o.level(), o.scale());
                    PairwiseModel pm = Ratings.pairwiseModel(model);
                    Fit fit = PairwiseFitter.fit(pm, c, o.fit());
                    Bootstrap.Result boot = o.bootstrapRounds() > 0
                            ? Bootstrap.run(pm, c, o.fit(), fit, Bootstrap.Options.of(o.bootstrapRounds(), o.seed())) : null;
                    lb = Leaderboard.of(fit, c.votesPerItem(), ro.scale(), boot, ro.level());
                    if (fit.tieParameter().length > 0) {
                        List<String> notes = new ArrayList<>(lb.notes());
                        notes.add("tie parameter (" + (model.equals("davidson") ? "nu" : "kappa") + "): " + fmtArr(fit.tieParameter()));
                        lb = new Leaderboard(lb.model(), lb.scale(), lb.entries(), lb.intervals(), lb.level(), lb.bootstrapRounds(), lb.failedRounds(), notes);
                    }
                    double[] th = fit.theta();
                    double eta = fit.tieParameter().length > 0 ? Math.log(fit.tieParameter()[0]) : 0;
                    pred = new double[th.length][th.length];
                    for (int i = 0; i < th.length; i++) for (int j = 0; j < th.length; j++) pred[i][j] = i == j ? 0.5 : pm.winProbability(th[i] - th[j], eta);
                }
            }
        }
        if (!diagNotes.isEmpty()) {
            List<String> notes = new ArrayList<>(lb.notes());
            notes.addAll(diagNotes);
            lb = new Leaderboard(lb.model(), lb.scale(), lb.entries(), lb.intervals(), lb.level(), lb.bootstrapRounds(), lb.failedRounds(), notes);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", model);
        config.put("format", o.format());
        config.put("ties", o.ties());
        config.put("l2", o.fit().l2());
        config.put("tolerance", o.fit().tolerance());
        config.put("bootstrapRounds", o.bootstrapRounds());
        config.put("level", o.level());
        config.put("scale", o.scale().describe());
        Map<String, Object> cols = new LinkedHashMap<>();
        VoteColumns vc = o.columns();
        cols.put("a", vc.a());
        cols.put("b", vc.b());
        cols.put("winner", vc.winner());
        cols.put("aWins", new java.util.TreeSet<>(vc.aWins()));
        cols.put("bWins", new java.util.TreeSet<>(vc.bWins()));
        cols.put("tie", new java.util.TreeSet<>(vc.tie()));
        cols.put("bothBad", new java.util.TreeSet<>(vc.bothBad()));
        cols.put("weight", vc.weight());
        cols.put("annotator", vc.annotator());
        cols.put("timestamp", vc.timestamp());
        cols.put("category", vc.category());
        cols.put("features", vc.features());
        config.put("columns", cols);
        config.put("skipBadRows", o.skipBadRows());
        config.put("votes", nVotes);
        config.put("skipped", skipped);
        if (model.equals("mixture")) config.put("components", o.components());
        config.put("diagnostics", o.diagnostics());
        Manifest m = Manifest.of("ratings", config, o.bootstrapRounds() > 0 ? o.seed() : null).withInput("votes", input);
        List<Path> files = new ArrayList<>();
        if (o.out() != null && extra != null) files.add(write(o.out().resolve(extra.getKey()), extra.getValue()));
        if (o.out() != null && extraDiag != null) files.add(write(o.out().resolve("diagnostics.json"), extraDiag));
        if (o.out() != null) {
            Path dir = o.out();
            files.add(write(dir.resolve("leaderboard.csv"), lb.toCsv()));
            files.add(write(dir.resolve("leaderboard.json"), lb.toJson() + "\n"));
            files.add(write(dir.resolve("win-probabilities.csv"), matrixCsv(order, pred)));
            files.add(write(dir.resolve("report.html"), HtmlReport.render("Ratings: " + input.getFileName(), lb, pred, observed, order, m.toJson())));
            files.add(m.writeTo(dir));
        }
        return new Result(lb, nVotes, skipped, m, files);
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

    private static double[] reorder(List<String> from, double[] v, List<String> to) {
        double[] out = new double[to.size()];
        for (int i = 0; i < to.size(); i++) out[i] = v[from.indexOf(to.get(i))];
        return out;
    }

    private static double[] nan(int n) {
        double[] x = new double[n];
        java.util.Arrays.fill(x, Double.NaN);
        return x;
    }

    private static long[] votesPer(Comparisons c, List<String> items) {
        long[] all = c.votesPerItem();
        long[] out = new long[items.size()];
        for (int i = 0; i < items.size(); i++) out[i] = all[c.indexOf(items.get(i))];
        return out;
    }

    private static double[][] reorderMatrix(List<String> from, double[][] m, List<String> to) {
        int n = to.size();
        int[] ix = new int[n];
        for (int i = 0; i < n; i++) ix[i] = from.indexOf(to.get(i));
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) out[i][j] = m[ix[i]][ix[j]];
        return out;
    }

    private static String fmtArr(double[] x) {
        StringBuilder b = new StringBuilder();
        for (double v : x) b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", v));
        return b.toString();
    }

    /** Square CSV: header "item,<items...>", row i column j = P(i beats j). */
    public static String matrixCsv(List<String> items, double[][] p) {
        StringBuilder b = new StringBuilder("item");
        for (String s : items) b.append(',').append(Leaderboard.csv(s));
        b.append('\n');
        for (int i = 0; i < items.size(); i++) {
            b.append(Leaderboard.csv(items.get(i)));
            for (int j = 0; j < items.size(); j++) b.append(',').append(i == j ? "" : String.format(Locale.ROOT, "%.6f", p[i][j]));
            b.append('\n');
        }
        return b.toString();
    }
}
