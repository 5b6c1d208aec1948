package dev.prefer.lm.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.ModelConfig;
import dev.prefer.lm.Precision;
import dev.prefer.lm.TokenizedSequence;
import dev.prefer.lm.Torch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Times one DPO-shaped training step on a GPT-2-shaped model with random weights, the same step as
 * ../shared/bench/dpo_step_torch.py: policy forward + backward over chosen and rejected (concatenated into one
 * batch), reference forward without gradients, sigmoid DPO loss on summed response log-probs
 * (-log sigmoid(beta ((pc - rc) - (pr - rr))), Rafailov et al. 2023, eq. 7), then an AdamW update (DJL's fused
 * PyTorch Adam kernel, lr 1e-6, weight decay 0, betas 0.9/0.999, eps 1e-8).
 *
 * <p>The reference starts as an exact copy of the policy, so the first loss is ln 2 (printed as a sanity check).
 * A benchmark, not a test: it reports medians; nothing is asserted about speed.
 */
public final class DpoStepBench {
    private DpoStepBench() {}

    /** A model and batch shape. Tokens per step = 2 * pairs * (promptLen + responseLen). */
    public record Size(String name, int layers, int width, int heads, int vocab, int ctx, int pairs, int promptLen, int responseLen) {
        public Size {
            if (layers < 1 || width < 1 || heads < 1 || vocab < 2 || pairs < 1 || promptLen < 1 || responseLen < 1) {
                throw new IllegalArgumentException("bench size values must be positive: " + name);
            }
            if (promptLen + responseLen > ctx) throw new IllegalArgumentException("prompt + response exceeds ctx for " + name);
        }

        public int tokensPerStep() {
            return 2 * pairs * (promptLen + responseLen);
        }

        /** The tiny shape of ../shared/bench/README.md: 2 layers, d 128, 4 heads, vocab 512, 8 pairs x (64+64). */
        public static final Size TINY = new Size("tiny", 2, 128, 4, 512, 1024, 8, 64, 64);
        /** GPT-2 small (124M parameters), 1 pair x (128+128). */
        public static final Size GPT2_SMALL = new Size("gpt2-small", 12, 768, 12, 50257, 1024, 1, 128, 128);

        public static Size named(String name) {
            switch (name) {
                case "tiny": return TINY;
                case "gpt2-small": return GPT2_SMALL;
                default: throw new IllegalArgumentException("unknown bench size '" + name + "' (tiny, gpt2-small)");
            }
        }
    }

    /**
     * @param warmup    untimed steps first
     * @param steps     timed steps (median reported)
     * @param reference time the reference forward (false: reference log-probs precomputed, like --no-ref)
     * @param seed      weights and token ids
     */
    public record Options(int warmup, int steps, boolean reference, double beta, double lr, long seed) {
        public Options {
            if (warmup < 0 || steps < 1) throw new IllegalArgumentException("need warmup >= 0 and steps >= 1");
        }

        public static Options defaults() {
            return new Options(2, 5, true, 0.1, 1e-6, 0L);
        }
    }

    /** Timings of one size. */
    public record Result(Size size, long parameters, double[] seconds, double median, double min, double max,
                         double tokensPerSecond, double peakRssMiB, double[] losses) {}

    public static Result run(Size size, Options o) {
        Torch.init();
        ModelConfig cfg = ModelConfig.gpt2(size.vocab(), size.ctx(), size.width(), size.layers(), size.heads());
        try (CausalLM policy = CausalLM.randomInit(cfg, o.seed(), Precision.F32);
             CausalLM reference = CausalLM.randomInit(cfg, o.seed(), Precision.F32);
             NDManager state = Torch.newManager()) {
            Random rng = new Random(o.seed() + 1);
            int b = size.pairs();
            List<long[]> prompts = new ArrayList<>();
            for (int i = 0; i < b; i++) prompts.add(randomIds(rng, size.promptLen(), size.vocab()));
            List<TokenizedSequence> seqs = new ArrayList<>(2 * b);
            List<long[]> rejected = new ArrayList<>();
            for (int i = 0; i < b; i++) seqs.add(new TokenizedSequence(prompts.get(i), randomIds(rng, size.responseLen(), size.vocab())));
            for (int i = 0; i < b; i++) rejected.add(randomIds(rng, size.responseLen(), size.vocab()));
            for (int i = 0; i < b; i++) seqs.add(new TokenizedSequence(prompts.get(i), rejected.get(i)));

            policy.setTrainable(true);
            Map<String, NDArray> params = policy.parameters();
            List<NDArray[]> adam = new ArrayList<>(); // per parameter: first and second moments
            for (NDArray p : params.values()) adam.add(new NDArray[] {state.zeros(p.getShape()), state.zeros(p.getShape())});
            double[] pre = null;
            if (!o.reference()) {
                pre = new double[2 * b];
                var lp = reference.logpsOfIds(seqs, 2 * b, false);
                for (int i = 0; i < pre.length; i++) pre[i] = lp.get(i).sum();
            }
            int total = o.warmup() + o.steps();
            double[] seconds = new double[o.steps()];
            double[] losses = new double[total];
            for (int it = 0; it < total; it++) {
                long t0 = System.nanoTime();
                try (NDManager step = policy.model().manager().newSubManager();
                     GradientCollector gc = Torch.init().newGradientCollector()) {
                    NDArray pi = policy.logpsTensors(step, seqs, false).sums(); // (2B)
                    NDArray rf = pre != null ? step.create(pre).toType(pi.getDataType(), false)
                            : reference.logpsTensors(step, seqs, false).sums().stopGradient(); // (2B), no graph: frozen weights
                    NDArray d = pi.sub(rf); // (2B) policy - reference
                    NDArray logits = d.get("0:" + b).sub(d.get(b + ":")).mul(o.beta()); // (B)
                    NDArray loss = Activation.softPlus(logits.neg()).mean(); // -log sigmoid
                    gc.backward(loss);
                    losses[it] = loss.toFloatArray()[0];
                    Map<String, NDArray> grads = policy.model().gradients(step);
                    int t = it + 1;
                    float lrCorr = (float) (o.lr() * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t)));
                    int k = 0;
                    for (Map.Entry<String, NDArray> e : params.entrySet()) {
                        NDArray w = e.getValue();
                        NDArray[] m = adam.get(k++);
                        w.getNDArrayInternal().adamUpdate(new NDList(w, grads.get(e.getKey()), m[0], m[1]), new NDList(w),
                                (float) o.lr(), lrCorr, 0f, 1f, -1f, 0.9f, 0.999f, 1e-8f, true, true);
                    }
                }
                double dt = (System.nanoTime() - t0) / 1e9;
                if (it >= o.warmup()) seconds[it - o.warmup()] = dt;
            }
            double[] sorted = seconds.clone();
            Arrays.sort(sorted);
            double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2] : 0.5 * (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]);
            return new Result(size, policy.model().parameterCount(), seconds, median, sorted[0], sorted[sorted.length - 1],
                    size.tokensPerStep() / median, peakRssMiB(), losses);
        }
    }

    private static long[] randomIds(Random rng, int n, int vocab) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) ids[i] = rng.nextInt(vocab);
        return ids;
    }

    /** Peak resident set of this process (VmHWM), in MiB; NaN where /proc is absent. */
    public static double peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
