package dev.prefer.lm;

import dev.prefer.lm.bench.BenchLora;
import dev.prefer.lm.bench.GenerateBench;
import dev.prefer.lm.bench.Rss;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The cost of merging LoRA adapters for the scripted step ({@link MergedWeights#of}: one addmm per adapted matrix) and
 * the resident set over generation calls with adapters changing in between (no copies kept across calls). A benchmark:
 * it measures and asserts nothing. From the repository root after {@code ./prefer --help} and a prefer-lm test compile:
 * {@code java -Dlora=8 [-DloraTargets=all] [-Dpack=true] -cp prefer-lm/target/test-classes:prefer-cli/target/prefer-cli.jar:'prefer-cli/target/lib/*'
 * dev.prefer.lm.LoraMergeBench gpt2-small 20}
 */
public final class LoraMergeBench {
    private LoraMergeBench() {}

    public static void main(String[] args) {
        GenerateBench.Size size = GenerateBench.Size.named(args.length > 0 ? args[0] : "tiny");
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Torch.init();
        try (CausalLM lm = CausalLM.randomInit(size.config(), 0, Precision.F32)) {
            BenchLora lora = BenchLora.fromProperties(lm, 1);
            double[] ms = new double[calls];
            for (int i = 0; i < calls + 3 && lora != null; i++) { // no -Dlora: the RSS loop alone, without adapters (baseline)
                lora.step();
                long t0 = System.nanoTime();
                MergedWeights m = MergedWeights.of(lm.model());
                double dt = (System.nanoTime() - t0) / 1e6;
                m.release();
                MergedWeights.drop(lm.model());
                if (i >= 3) ms[i - 3] = dt;
            }
            Arrays.sort(ms);
            if (lora != null) System.out.printf(java.util.Locale.ROOT, "%s: merge (versions + addmm per adapted matrix) median %.2f ms, min %.2f ms over %d merges%n",
                    size.name(), ms[calls / 2], ms[0], calls);
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int i = 0; i < 4; i++) reqs.add(new GenerationRequest(new long[] {1 + i, 2, 3, 4, 5, 6, 7, 8}, i));
            GenerationConfig gc = new GenerationConfig(8, false, 1.0, 0, 1.0, 0L, false).withSamples(2);
            StringBuilder rss = new StringBuilder(size.name() + ": rss MiB after each of " + calls + " generation calls" + (lora == null ? " (no adapters)" : " (adapters changed before each)") + ":");
            for (int i = 0; i < calls; i++) {
                if (lora != null) lora.step();
                boolean packed = Boolean.getBoolean("pack") && DecodeScript.packNow(lm.model()); // -Dpack=true: as the online trainer
                lm.complete(reqs, gc);
                if (packed) DecodeScript.dropPack(lm.model());
                rss.append(String.format(java.util.Locale.ROOT, " %.0f", Rss.currentMiB()));
            }
            System.out.println(rss + (Boolean.getBoolean("pack") ? "; packs " + DecodeScript.Packed.PACKS.get() : "") + "; merges so far " + MergedWeights.MERGES.get() + ", held after the last call: " + MergedWeights.held(lm.model()));
        }
    }
}
