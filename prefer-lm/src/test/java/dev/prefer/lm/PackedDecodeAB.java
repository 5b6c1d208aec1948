package dev.prefer.lm;
import dev.prefer.lm.bench.GenerateBench;
import java.util.*;
/**
 * In-process A/B of the packed decoding products ({@link DecodeScript}): one random GPT-shaped model of a
 * {@code GenerateBench} size, {@code complete} calls alternated between {@code addmm} and the packed copies after one
 * warm-up of each (the packed warm-up packs), wall and calling-thread CPU per new token, medians. Run from the
 * repository root after {@code mvn -pl prefer-lm -am verify} and {@code ./prefer --help}:
 * {@code java -Xss8m -cp prefer-lm/target/test-classes:prefer-cli/target/prefer-cli.jar:'prefer-cli/target/lib/*'
 * dev.prefer.lm.PackedDecodeAB gpt2-small 5}. A benchmark: it asserts nothing.
 */
public class PackedDecodeAB {
    public static void main(String[] a) {
        Torch.init();
        GenerateBench.Size size = GenerateBench.Size.named(a.length > 0 ? a[0] : "gpt2-small");
        int rounds = a.length > 1 ? Integer.parseInt(a[1]) : 5;
        int nt = Integer.getInteger("newTokens", size.newTokens());
        ModelConfig cfg = ModelConfig.gpt2(size.vocab(), size.ctx(), size.width(), size.layers(), size.heads());
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        try (CausalLM lm = CausalLM.randomInit(cfg, 0, Precision.F32)) {
            Random rng = new Random(1);
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int i = 0; i < size.batch(); i++) {
                long[] ids = new long[size.promptLen(i)];
                for (int j = 0; j < ids.length; j++) ids[j] = rng.nextInt(size.vocab());
                reqs.add(new GenerationRequest(ids, i));
            }
            GenerationConfig gc = new GenerationConfig(nt, false, 1.0, 0, 1.0, 0, false).withMaxBatch(size.batch());
            String[] names = {"addmm", "packed"};
            Map<String, List<Double>> wall = new TreeMap<>(), cpu = new TreeMap<>();
            double[] logp = new double[2];
            for (int r = -1; r < rounds; r++) {
                for (int m = 0; m < 2; m++) {
                    DecodeScript.packMinRows = m == 0 ? Integer.MAX_VALUE : 2;
                    long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                    List<List<Completion>> out = lm.complete(reqs, gc);
                    double w = (System.nanoTime() - t0) / 1e6 / (size.batch() * nt), c = (mx.getCurrentThreadCpuTime() - c0) / 1e6 / (size.batch() * nt);
                    double s = 0; int n = 0;
                    for (List<Completion> cs : out) for (Completion x : cs) { s += x.sumLogp(); n += x.tokenIds().length; }
                    logp[m] = s / n;
                    if (r >= 0) { wall.computeIfAbsent(names[m], k -> new ArrayList<>()).add(w); cpu.computeIfAbsent(names[m], k -> new ArrayList<>()).add(c); }
                    System.out.printf(Locale.ROOT, "round %d %s: wall %.2f ms/token, caller cpu %.2f ms/token, mean logp %.5f, load %s%n", r, names[m], w, c, logp[m], load());
                }
            }
            for (String k : names) {
                List<Double> w = wall.get(k), c = cpu.get(k);
                Collections.sort(w); Collections.sort(c);
                System.out.printf(Locale.ROOT, "%s: median wall %.2f ms/token, median caller cpu %.2f ms/token (%d calls)%n", k, w.get(w.size() / 2), c.get(c.size() / 2), w.size());
            }
        }
    }
    static String load() { try { return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().substring(0, 14); } catch (Exception e) { return "?"; } }
}
