package dev.prefer.quickstart;

import dev.prefer.data.PreferencePair;
import dev.prefer.core.stats.Bootstrap;
import dev.prefer.core.metrics.IdealizedRankingAccuracy;
import dev.prefer.eval.metrics.KlEstimate;
import dev.prefer.eval.metrics.LengthStats;
import dev.prefer.core.metrics.RankingAccuracy;
import dev.prefer.eval.metrics.VerifierAccuracy;
import dev.prefer.eval.report.EvalSummary.ModelScores;
import dev.prefer.eval.tasks.Problem;
import dev.prefer.eval.tasks.Verdict;
import dev.prefer.eval.tasks.VerifiableTask;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Generation;
import dev.prefer.lm.GenerationConfig;
import dev.prefer.lm.PairLogps;
import dev.prefer.lm.SequenceLogps;
import dev.prefer.lm.TokenizedSequence;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Held-out evaluation of one model, optionally against its reference:
 * <ul>
 *   <li>greedy verifier accuracy (one response per prompt, stop at eos), percentile-bootstrap interval over prompts;</li>
 *   <li>sampled verifier accuracy: {@code k} samples per prompt at the run's temperature, mean per-prompt pass rate;</li>
 *   <li>ranking accuracy R on the held-out pairs (reference answer vs hard negatives; summed log-probs), and with a
 *       reference the idealized ranking accuracy R* of that reference at beta (Chen et al. 2024);</li>
 *   <li>KL(π ‖ π_ref) from the policy's own samples (k1, k2, k3 of Schulman 2020): log-probs of the sampled token ids
 *       (eos included when the sample stopped there) under both models; exact samples of π at temperature 1;</li>
 *   <li>response length in tokens of the sampled responses (eos not counted).</li>
 * </ul>
 */
final class Evaluation {
    static final int BATCH = 64;

    /**
     * A row for the summary plus per-prompt numbers for paired comparisons with another model on the same prompts.
     *
     * @param greedyScores (n) verifier score of the greedy response per prompt (for the win rate)
     * @param greedyPass   (n) 1 if the greedy response passes, else 0 (for the paired accuracy gain)
     * @param sampledRate  (n) share of the k samples that pass, per prompt (for the paired sampled-accuracy gain)
     */
    record Scores(ModelScores row, double[] greedyScores, double[] greedyPass, double[] sampledRate, SlipStats slips) {}


    private final VerifiableTask<Problem> task;
    private final List<String[]> prompts;
    private final List<PreferencePair> pairs;
    private final int maxNew;
    private final double temperature;
    private final int k;
    private final long seed;
    private final double beta;

    Evaluation(VerifiableTask<Problem> task, List<String[]> prompts, List<PreferencePair> pairs, int maxNew, double temperature,
               int k, long seed, double beta) {
        this.task = task;
        this.prompts = prompts;
        this.pairs = pairs;
        this.maxNew = maxNew;
        this.temperature = temperature;
        this.k = k;
        this.seed = seed;
        this.beta = beta;
    }

    Scores evaluate(String name, Path model, Path ref) {
        return evaluate(name, model, ref, null);
    }

    /** The same, with a progress bar over the generated responses on {@code console} (when it is a terminal). */
    Scores evaluate(String name, Path model, Path ref, java.io.PrintStream console) {
        try (CausalLM lm = CausalLM.load(model); CausalLM r = ref == null ? null : CausalLM.load(ref)) {
            return evaluate(name, lm, r, console);
        }
    }

    /**
     * Scores a model in memory: greedy and sampled verifier accuracy on the held-out prompts, ranking accuracy on the
     * held-out pairs, and with a reference (null: none) R* and the KL of the samples to it.
     */
    Scores evaluate(String name, CausalLM lm, CausalLM ref, java.io.PrintStream console) {
        Bootstrap bs = new Bootstrap(2000, 0.95, seed);
        List<String> ps = prompts.stream().map(p -> p[0]).toList();
        int n = ps.size();
        boolean[] greedyPass = new boolean[n];
        double[] greedyScore = new double[n];
        boolean[][] sampledPass = new boolean[n][k];
        List<TokenizedSequence> samples = new ArrayList<>();
        int[] lengths = new int[n * k];
        RankingAccuracy.Result rank;
        double[] policyLogp;
        SlipStats slips;
        try (Progress bar = Progress.of(console, "eval " + name, (long) n * (k + 1))) {
            List<Generation> g = generate(lm, ps, GenerationConfig.greedy(maxNew).withStopAtEos(true), bar);
            int slippable = 0, slipRight = 0, slipped = 0, otherRight = 0;
            for (int i = 0; i < n; i++) {
                Problem p = task.parse(ps.get(i));
                Verdict v = task.verify(p, g.get(i).text());
                greedyPass[i] = v.pass();
                greedyScore[i] = v.score();
                String slip = task.slip(p);
                if (slip != null) {
                    slippable++;
                    if (v.pass()) slipRight++;
                    if (slip.equals(g.get(i).text().lines().findFirst().orElse("").strip())) slipped++;
                } else if (v.pass()) {
                    otherRight++;
                }
            }
            slips = slippable == 0 ? null : new SlipStats(slippable, slipRight / (double) slippable, slipped / (double) slippable,
                    n - slippable, n == slippable ? null : otherRight / (double) (n - slippable));
            for (int j = 0; j < k; j++) {
                List<Generation> s = generate(lm, ps, GenerationConfig.sample(maxNew, temperature, 0, 1.0, seed * 31 + j), bar);
                for (int i = 0; i < n; i++) {
                    Generation gi = s.get(i);
                    sampledPass[i][j] = task.verify(task.parse(ps.get(i)), gi.text()).pass();
                    samples.add(new TokenizedSequence(gi.promptIds(), gi.newIds()));
                    lengths[j * n + i] = gi.newIds().length - (gi.stoppedAtEos() ? 1 : 0);
                }
            }
            List<PairLogps> pl = lm.pairLogps(pairs, 16);
            rank = ranking(pl);
            policyLogp = ref == null ? null : sums(lm.logpsOfIds(samples, 16));
        }
        Double rStar = null;
        KlEstimate kl = null;
        if (ref != null) {
            CausalLM r = ref;
            {
                List<PairLogps> rl = r.pairLogps(pairs, 16);
                double[] rc = new double[rl.size()], rr = new double[rl.size()], alpha = new double[rl.size()];
                int[] ct = new int[rl.size()], rt = new int[rl.size()];
                for (int i = 0; i < rl.size(); i++) {
                    rc[i] = rl.get(i).chosen().sum();
                    rr[i] = rl.get(i).rejected().sum();
                    ct[i] = rl.get(i).chosen().tokens();
                    rt[i] = rl.get(i).rejected().tokens();
                    alpha[i] = 1.0; // verifier-made pairs: the reference answer always wins
                }
                rStar = IdealizedRankingAccuracy.paper(beta).of(rc, rr, ct, rt, alpha).rStar();
                kl = KlEstimate.of(policyLogp, sums(r.logpsOfIds(samples, 16)));
            }
        }
        ModelScores row = new ModelScores(name, VerifierAccuracy.of(greedyPass, bs), VerifierAccuracy.sampled(sampledPass, bs),
                rank.summed(), rStar, kl, LengthStats.of(lengths));
        double[] passed = new double[n], rate = new double[n];
        for (int i = 0; i < n; i++) {
            passed[i] = greedyPass[i] ? 1 : 0;
            int c = 0;
            for (boolean b : sampledPass[i]) if (b) c++;
            rate[i] = c / (double) k;
        }
        return new Scores(row, greedyScore, passed, rate, slips);
    }

    static RankingAccuracy.Result ranking(List<PairLogps> pl) {
        int m = pl.size();
        double[] c = new double[m], r = new double[m];
        int[] ct = new int[m], rt = new int[m];
        for (int i = 0; i < m; i++) {
            c[i] = pl.get(i).chosen().sum();
            r[i] = pl.get(i).rejected().sum();
            ct[i] = pl.get(i).chosen().tokens();
            rt[i] = pl.get(i).rejected().tokens();
        }
        return RankingAccuracy.of(c, r, ct, rt);
    }

    static double[] sums(List<SequenceLogps> l) {
        return l.stream().mapToDouble(SequenceLogps::sum).toArray();
    }

    /** Generates in batches of {@value #BATCH} prompts; each batch gets its own sampler seed derived from the config's. */
    static List<Generation> generate(CausalLM lm, List<String> prompts, GenerationConfig cfg) {
        return generate(lm, prompts, cfg, Progress.none());
    }

    /** The same, stepping {@code progress} by the prompts of each batch. */
    static List<Generation> generate(CausalLM lm, List<String> prompts, GenerationConfig cfg, Progress progress) {
        List<Generation> out = new ArrayList<>(prompts.size());
        for (int from = 0, b = 0; from < prompts.size(); from += BATCH, b++) {
            List<String> chunk = prompts.subList(from, Math.min(prompts.size(), from + BATCH));
            GenerationConfig gc = cfg.greedy() ? cfg
                    : new GenerationConfig(cfg.maxNewTokens(), false, cfg.temperature(), cfg.topK(), cfg.topP(), cfg.seed() * 1_000_003L + b, cfg.stopAtEos());
            out.addAll(lm.generate(chunk, gc));
            progress.step(chunk.size());
        }
        return out;
    }
}
