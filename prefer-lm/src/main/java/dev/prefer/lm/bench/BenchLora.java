package dev.prefer.lm.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Transformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * LoRA adapters for the benchmarks ({@code -Dlora=R}): rank R, alpha 2R (s = 2), A uniform ±1/sqrt(in), B random
 * non-zero, on the family's default targets ({@code -DloraTargets=all}: every linear module), attached as prefer-train's
 * Lora does (a {@link Transformer.LowRankDelta}); {@link #step} changes every B in place, as an optimizer step does.
 */
public final class BenchLora {
    private final List<NDArray> bs = new ArrayList<>();
    private final NDManager manager;
    public final int modules;

    private BenchLora(CausalLM lm, int rank, boolean all, long seed) {
        this.manager = lm.model().manager().newSubManager();
        Random rng = new Random(seed);
        List<String> targets = lm.config().architecture().loraTargets();
        boolean conv = lm.config().architecture().fanInFanOut();
        int n = 0;
        for (Map.Entry<String, NDArray> e : lm.model().parameters().entrySet()) {
            String name = e.getKey();
            if (!name.endsWith(".weight") || e.getValue().getShape().dimension() != 2) continue;
            String module = name.substring(0, name.length() - ".weight".length());
            String last = module.substring(module.lastIndexOf('.') + 1);
            if (last.equals("wte") || last.equals("wpe") || last.equals("embed_tokens") || module.equals("lm_head")) continue;
            if (!all && !targets.contains(last)) continue;
            long[] s = e.getValue().getShape().getShape();
            int in = (int) (conv ? s[0] : s[1]), out = (int) (conv ? s[1] : s[0]);
            float[] a = new float[rank * in], b = new float[out * rank];
            for (int i = 0; i < a.length; i++) a[i] = (float) ((rng.nextDouble() * 2 - 1) / Math.sqrt(in));
            for (int i = 0; i < b.length; i++) b[i] = (float) (0.01 * rng.nextGaussian());
            NDArray aa = manager.create(a, new Shape(rank, in)).duplicate(), bb = manager.create(b, new Shape(out, rank)).duplicate();
            bs.add(bb);
            lm.model().setLinearDelta(module, new Transformer.LowRankDelta() {
                @Override
                public NDArray apply(NDArray x) {
                    NDArray y = Linear.linear(Linear.linear(x, aa).singletonOrThrow(), bb).singletonOrThrow();
                    return y.mul(Transformer.constant(y, 2.0));
                }

                @Override
                public NDArray a() {
                    return aa;
                }

                @Override
                public NDArray b() {
                    return bb;
                }

                @Override
                public double scale() {
                    return 2.0;
                }

                @Override
                public boolean linearNow() {
                    return true;
                }
            });
            n++;
        }
        this.modules = n;
    }

    /** Adapters from {@code -Dlora=R} ({@code -DloraTargets=all}), or null when the property is unset or 0. */
    public static BenchLora fromProperties(CausalLM lm, long seed) {
        int r = Integer.getInteger("lora", 0);
        if (r <= 0) return null;
        BenchLora l = new BenchLora(lm, r, "all".equals(System.getProperty("loraTargets")), seed);
        System.out.println("lora: rank " + r + " on " + l.modules + " modules" + ("all".equals(System.getProperty("loraTargets")) ? " (all linear)" : " (default targets)"));
        return l;
    }

    /** Every B changed in place (new version counters: the next generation call merges again). */
    public void step() {
        try (NDManager s = manager.newSubManager()) {
            NDArray c = s.full(new Shape(), 1e-4f, DataType.FLOAT32);
            for (NDArray b : bs) b.addi(c);
        }
    }
}
