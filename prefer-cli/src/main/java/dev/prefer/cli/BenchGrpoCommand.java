package dev.prefer.cli;

import dev.prefer.train.TrainConfig;
import dev.prefer.train.online.OnlineBench;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code prefer bench grpo}: one GRPO step of the online trainer ({@link OnlineBench}: sample G completions of B
 * prompts, score, dapo loss, backward, AdamW) against plain PyTorch doing the same work (bench/grpo_step_torch.py, in
 * ../shared/bench/README.md's tuned environment), runs alternated, medians of repeats, with the ratio and each side's
 * share of the step spent sampling.
 */
@Command(name = "grpo", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"GRPO step time of the online trainer vs plain PyTorch (bench/grpo_step_torch.py, tuned environment): same GPT-2 shape,",
                "B prompts x G sampled completions (at most R new tokens, eos = token 0), random rewards, dapo loss, AdamW;",
                "runs alternated, medians of --repeats, ratio = PyTorch s/step / trainer s/step, and the share of each step spent sampling."},
        footer = {"", "Examples:",
                "  ./prefer bench grpo",
                "  ./prefer bench grpo --layers 12 --d-model 768 --heads 12 --vocab 50257 --prompts 2 --generations 4 --prompt-len 64 --completion-len 32 --steps 3 --warmup 1"})
public final class BenchGrpoCommand implements Callable<Integer> {
    @Option(names = "--layers", defaultValue = "2") int layers;
    @Option(names = "--d-model", defaultValue = "128") int dModel;
    @Option(names = "--heads", defaultValue = "4") int heads;
    @Option(names = "--vocab", defaultValue = "512") int vocab;
    @Option(names = "--prompts", defaultValue = "4", description = "B: prompts per step.") int prompts;
    @Option(names = "--generations", defaultValue = "8", description = "G: completions per prompt.") int generations;
    @Option(names = "--prompt-len", defaultValue = "32") int promptLen;
    @Option(names = "--completion-len", defaultValue = "32", description = "R: at most this many new tokens.") int completionLen;
    @Option(names = "--steps", defaultValue = "10", description = "Timed steps per run (median reported).") int steps;
    @Option(names = "--warmup", defaultValue = "2", description = "Untimed steps first.") int warmup;
    @Option(names = "--repeats", defaultValue = "3", description = "Runs of each side, alternated.") int repeats;
    @Option(names = "--prefix-sharing", defaultValue = "AUTO", description = "The trainer's prefix sharing (AUTO, ON, OFF).")
    TrainConfig.PrefixSharing sharing;
    @Option(names = "--no-python", description = "Only time the trainer.") boolean noPython;
    @picocli.CommandLine.Mixin LoraOptions lora; // --lora: the trainer trains adapters (the PyTorch reference, full fine-tuning, is skipped)
    @Option(names = "--python", defaultValue = "/usr/bin/python3", paramLabel = "EXE", description = "Python with Debian's python3-torch.") String python;
    @Option(names = "--torch-script", defaultValue = "bench/grpo_step_torch.py", paramLabel = "FILE", description = "The plain-PyTorch GRPO step.")
    Path torchScript;

    private static final Pattern TORCH = Pattern.compile("sec/step median=([0-9.]+) .* sampling_share=([0-9.]+) mean_completion=([0-9.]+)");

    @Override
    public Integer call() throws Exception {
        if (steps < 1 || prompts < 1 || generations < 2 || repeats < 1 || warmup < 0) {
            throw new IllegalArgumentException("need --steps, --prompts, --repeats >= 1, --generations >= 2 and --warmup >= 0");
        }
        TrainConfig.LoraConfig loraConfig = lora.config(false);
        if (loraConfig != null) noPython = true; // bench/grpo_step_torch.py trains every weight
        if (!noPython && !Files.isRegularFile(torchScript)) throw new IllegalArgumentException("no PyTorch reference script at " + torchScript + " (--torch-script, or --no-python)");
        OnlineBench.Shape shape = new OnlineBench.Shape(layers, dModel, heads, vocab, prompts, generations, promptLen, completionLen, steps, warmup);
        int threads = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "shape: %d layers, d %d, %d heads, vocab %d, %d prompts x %d completions, prompt %d, completion <= %d; "
                + "%d timed steps after %d, %d repeats, %d threads%s%n", layers, dModel, heads, vocab, prompts, generations, promptLen, completionLen,
                steps, warmup, repeats, threads, loraConfig == null ? "" : "; LoRA r " + loraConfig.rank() + " alpha " + loraConfig.alpha()
                        + " on " + (loraConfig.targetModules().isEmpty() ? "the default targets" : loraConfig.targetModules()));
        BenchHarness.Runs runs = new BenchHarness.Runs(); // name -> {s/step, sampling share, mean completion}
        for (int rep = 0; rep < repeats; rep++) {
            String load = BenchHarness.loadAverage();
            if (!noPython) {
                double[] r = runTorch(threads);
                runs.add("pytorch tuned", r);
                print(rep, "pytorch tuned", r, load);
            }
            OnlineBench.Result j = OnlineBench.run(shape, sharing, loraConfig);
            double[] r = {j.medianSeconds(), j.samplingShare(), j.meanCompletion()};
            runs.add("prefer", r);
            print(rep, "prefer", r, load);
        }
        System.out.printf(Locale.ROOT, "%-16s %10s %15s %16s %8s%n", "median of " + repeats, "s/step", "sampling share", "mean completion", "ratio");
        for (String side : runs.sides()) {
            String ratio = side.equals("prefer") && runs.has("pytorch tuned")
                    ? String.format(Locale.ROOT, "%.2f", runs.ratio("pytorch tuned", side, 0)) : "";
            System.out.printf(Locale.ROOT, "%-16s %10.4f %15.3f %16.1f %8s%n", side, runs.median(side, 0), runs.median(side, 1),
                    runs.median(side, 2), ratio);
        }
        return 0;
    }

    private static void print(int rep, String name, double[] r, String load) {
        System.out.printf(Locale.ROOT, "  run %d  %-14s %.4f s/step  sampling %.3f  mean completion %.1f  (load %s)%n", rep + 1, name, r[0], r[1], r[2], load);
    }

    private double[] runTorch(int threads) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(Arrays.asList(python, torchScript.toString(), "--layers", "" + layers, "--d-model", "" + dModel,
                "--heads", "" + heads, "--vocab", "" + vocab, "--ctx", "" + Math.max(1024, promptLen + completionLen), "--prompts", "" + prompts,
                "--generations", "" + generations, "--prompt-len", "" + promptLen, "--completion-len", "" + completionLen,
                "--steps", "" + steps, "--warmup", "" + warmup, "--threads", "" + threads));
        double[][] out = {null};
        BenchHarness.Output o = BenchHarness.runReference(cmd, line -> {
            Matcher m = TORCH.matcher(line);
            if (m.find()) out[0] = new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))};
        });
        if (o.exitCode() != 0 || out[0] == null) throw new IllegalStateException("the PyTorch reference failed (exit " + o.exitCode() + "): " + o.lastLine());
        return out[0];
    }
}
