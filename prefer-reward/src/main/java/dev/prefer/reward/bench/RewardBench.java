package dev.prefer.reward.bench;

import dev.prefer.data.PreferencePair;
import dev.prefer.reward.EmbeddingEncoder;
import dev.prefer.reward.RewardModel;
import dev.prefer.reward.backbone.Backbone;
import dev.prefer.reward.backbone.MiniLmBackbone;
import dev.prefer.reward.head.HeadConfig;
import dev.prefer.reward.head.Heads;
import dev.prefer.reward.head.EncodedPair;
import dev.prefer.reward.head.PreferenceHead;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * Scoring throughput of a reward model on the MiniLM backbone, in pairs per second: each repeat scores every pair
 * from text with a cold backbone (no embedding cache): embed the texts, then the head's logit per pair. Reports
 * the median (and min/max) of the repeats after one warm-up, for several backbone set-ups, with the ratio to
 * langchain4j's own per-text model as the reference. Also prints pairs per CPU-second of the whole process (all
 * threads): on a shared machine the wall-clock figure depends on the neighbours, the CPU figure much less, and
 * threads × pairs-per-CPU-second bounds what those threads can reach on idle cores. The 1-minute load average is
 * printed with each row.
 */
public final class RewardBench {
    private RewardBench() {}

    /** One measured set-up. */
    public record Row(String setup, int threads, boolean context, int pairs, double medianPairsPerSecond, double minPairsPerSecond,
                      double maxPairsPerSecond, double medianPairsPerCpuSecond) {}

    /** Set-up names accepted by {@link #run}. */
    public static final List<String> SETUPS = List.of("langchain4j", "intra-op", "batches", "int8");

    /**
     * @param setups   which of {@link #SETUPS} to measure: langchain4j's per-text model (the reference), ours with
     *                 intra-op threads, ours with batches in parallel (the default backbone), the same on the int8 model
     * @param contexts false: score from the two answers (BT without context); true: also embed the prompt
     */
    public static List<Row> run(List<PreferencePair> pairs, int[] threadCounts, int repeats, List<String> setups, boolean[] contexts,
                                PrintStream out) {
        for (String s : setups) if (!SETUPS.contains(s)) throw new IllegalArgumentException("unknown set-up '" + s + "'; expected " + SETUPS);
        List<Row> rows = new ArrayList<>();
        for (int threads : threadCounts) {
            for (boolean context : contexts) {
                if (setups.contains("langchain4j")) rows.add(measure("langchain4j per-text", threads, context, pairs, repeats, LangchainMiniLm::new, out));
                if (setups.contains("intra-op")) rows.add(measure("prefer intra-op", threads, context, pairs, repeats, t -> new MiniLmBackbone(t, false, false, false), out));
                if (setups.contains("batches")) rows.add(measure("prefer batches", threads, context, pairs, repeats, t -> new MiniLmBackbone(t, false, false, true), out));
                if (setups.contains("int8")) rows.add(measure("prefer batches int8", threads, context, pairs, repeats, t -> new MiniLmBackbone(t, false, true, true), out));
            }
        }
        return rows;
    }

    static Row measure(String setup, int threads, boolean context, List<PreferencePair> pairs, int repeats,
                       IntFunction<Backbone> factory, PrintStream out) {
        double[] rates = new double[repeats];
        double[] cpuRates = new double[repeats];
        try (Backbone b = factory.apply(threads)) {
            EmbeddingEncoder enc = new EmbeddingEncoder(b, context ? EmbeddingEncoder.ContextSource.PROMPT : EmbeddingEncoder.ContextSource.NONE);
            HeadConfig hc = HeadConfig.defaults("bt").withContextual(context);
            PreferenceHead head = Heads.create(hc, enc.dimension(), enc.contextDimension(), List.of(), 1);
            RewardModel model = new RewardModel(enc, head);
            score(model, pairs.subList(0, Math.min(pairs.size(), 32)));   // warm-up
            for (int r = 0; r < repeats; r++) {
                long c0 = processCpuNanos();
                long t0 = System.nanoTime();
                double sink = score(model, pairs);
                double s = (System.nanoTime() - t0) / 1e9;
                double cpu = (processCpuNanos() - c0) / 1e9;
                if (Double.isNaN(sink)) throw new IllegalStateException("NaN score");
                rates[r] = pairs.size() / s;
                cpuRates[r] = cpu > 0 ? pairs.size() / cpu : Double.NaN;
            }
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        double median = median(rates);
        double cpuMedian = median(cpuRates);
        Row row = new Row(setup, threads, context, pairs.size(), median, sorted[0], sorted[sorted.length - 1], cpuMedian);
        if (out != null) {
            out.printf(Locale.ROOT, "%-22s threads=%d %-16s pairs=%d  median %6.1f pairs/s (min %6.1f, max %6.1f; %d repeats)  %6.1f pairs per CPU-second  load %.1f%n",
                    setup, threads, context ? "prompt+2 answers" : "2 answers", pairs.size(), median, sorted[0], sorted[sorted.length - 1], repeats,
                    cpuMedian, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        return row;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** CPU time of the whole process (all threads, ONNX Runtime's native ones included), or 0 when unknown. */
    static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** Encodes and scores every pair; returns a sum so that nothing is optimised away. */
    static double score(RewardModel model, List<PreferencePair> pairs) {
        double s = 0;
        for (EncodedPair p : model.encode(pairs)) s += model.head().logit(p.context(), p.chosen(), p.rejected(), p.annotator());
        return s;
    }
}
