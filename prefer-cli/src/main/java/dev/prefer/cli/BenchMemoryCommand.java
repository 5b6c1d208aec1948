package dev.prefer.cli;

import dev.prefer.train.MemoryBench;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code prefer bench memory}: peak RSS of the trainer's DPO step ({@link MemoryBench}, the one loop's step) per
 * configuration (each in a fresh process), beside the
 * plain-PyTorch step of ../shared/bench/dpo_step_torch.py where it has the same configuration (GPT-2 shapes, full
 * fine-tuning, float32). A benchmark: it prints figures and asserts nothing.
 */
@Command(name = "memory",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
                "Peak resident memory (VmHWM) of the trainer's DPO training step with random weights, each configuration in its own JVM:",
                "full fine-tuning or LoRA (r 8 on the family's default targets; the reference is the base with adapters off),",
                "reference forward every step or cached, float32 or fp16 mixed precision. Shapes: gpt2-small, qwen2.5-0.5b.",
                "For gpt2-small full fine-tuning in float32 it also runs ../shared/bench/dpo_step_torch.py on the same shape."},
        footer = {"", "Examples:",
                "  ./prefer bench memory --shape gpt2-small",
                "  ./prefer bench memory --shape qwen2.5-0.5b --mode lora --precision fp16 --no-python",
                "  ./prefer bench memory --gradient-checkpointing --pairs 4 --prompt-len 256 --response-len 256 --no-python"})
public final class BenchMemoryCommand implements Callable<Integer> {

    @Option(names = "--shape", paramLabel = "NAME", description = "gpt2-small or qwen2.5-0.5b; repeat for several (default: gpt2-small).")
    List<String> shapes;

    @Option(names = "--mode", paramLabel = "full|lora", description = "Repeat for several (default: both).")
    List<String> modes;

    @Option(names = "--precision", paramLabel = "fp32|fp16", description = "Repeat for several (default: fp32).")
    List<String> precisions;

    @Option(names = "--ref", paramLabel = "forward|cached", description = "Reference log-probs each step or cached; repeat for several (default: both).")
    List<String> refs;

    @Option(names = "--gradient-checkpointing", description = "Also measure each configuration with gradient checkpointing (block inputs kept, blocks recomputed in the backward).")
    boolean gradientCheckpointing;

    @Option(names = "--pairs", defaultValue = "1", description = "Preference pairs per step.")
    int pairs;

    @Option(names = "--prompt-len", defaultValue = "128", description = "Prompt tokens.")
    int promptLen;

    @Option(names = "--response-len", defaultValue = "128", description = "Response tokens.")
    int responseLen;

    @Option(names = "--steps", defaultValue = "2", description = "Steps per configuration (peak over all of them).")
    int steps;

    @Option(names = "--no-python", description = "Only measure Prefer.")
    boolean noPython;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", paramLabel = "EXE", description = "Python with Debian's python3-torch.")
    String python;

    @Option(names = "--torch-script", defaultValue = "../shared/bench/dpo_step_torch.py", paramLabel = "FILE", description = "The plain-PyTorch reference step.")
    Path torchScript;

    @Override
    public Integer call() throws Exception {
        if (steps < 1 || pairs < 1 || promptLen < 1 || responseLen < 1) throw new IllegalArgumentException("--steps, --pairs and lengths must be >= 1");
        List<MemoryBench.Case> cases = new ArrayList<>();
        for (String s : or(shapes, List.of("gpt2-small"))) {
            MemoryBench.shape(s); // validates the name
            for (String m : or(modes, List.of("full", "lora"))) {
                if (!m.equals("full") && !m.equals("lora")) throw new IllegalArgumentException("--mode must be full or lora, got " + m);
                for (String r : or(refs, List.of("forward", "cached"))) {
                    if (!r.equals("forward") && !r.equals("cached")) throw new IllegalArgumentException("--ref must be forward or cached, got " + r);
                    for (String p : or(precisions, List.of("fp32"))) {
                        if (!p.equals("fp32") && !p.equals("fp16")) throw new IllegalArgumentException("--precision must be fp32 or fp16, got " + p);
                        for (boolean ckpt : gradientCheckpointing ? new boolean[] {false, true} : new boolean[] {false}) {
                            cases.add(new MemoryBench.Case(s, m.equals("lora"), r.equals("cached"), p.equals("fp16"), ckpt, pairs, promptLen, responseLen));
                        }
                    }
                }
            }
        }
        boolean python = !noPython && Files.isRegularFile(torchScript);
        if (!noPython && !python) throw new IllegalArgumentException("--torch-script " + torchScript + " not found (run from the repository root, or pass --no-python)");
        System.out.printf(Locale.ROOT, "%-44s %12s %12s %10s%n", "configuration", "prefer MiB", "pytorch MiB", "trainable");
        for (MemoryBench.Row r : MemoryBench.run(cases, steps)) {
            MemoryBench.Case c = r.c();
            String torch = "-";
            if (python && c.shape().equals("gpt2-small") && !c.lora() && !c.fp16() && !c.gradientCheckpointing()) torch = String.format(Locale.ROOT, "%.1f", torchPeak(c));
            System.out.printf(Locale.ROOT, "%-44s %12.1f %12s %10d%n", c.label(), r.peakRssMiB(), torch, r.trainable());
        }
        return 0;
    }

    private static <T> List<T> or(List<T> v, List<T> d) {
        return v == null || v.isEmpty() ? d : v;
    }

    private static final Pattern PEAK = Pattern.compile("peak_rss_MiB=([0-9.]+)");

    private double torchPeak(MemoryBench.Case c) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(python, torchScript.toString(), "--layers", "12", "--d-model", "768", "--heads", "12",
                "--vocab", "50257", "--ctx", "1024", "--pairs", Integer.toString(c.pairs()), "--prompt-len", Integer.toString(c.promptLen()),
                "--response-len", Integer.toString(c.responseLen()), "--steps", Integer.toString(Math.max(1, steps - 1)), "--warmup", "1"));
        if (c.cachedRef()) cmd.add("--no-ref");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        double peak = Double.NaN;
        StringBuilder log = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                log.append(line).append('\n');
                Matcher m = PEAK.matcher(line);
                if (m.find()) peak = Double.parseDouble(m.group(1));
            }
        }
        if (p.waitFor() != 0 || Double.isNaN(peak)) throw new IllegalStateException("the PyTorch reference failed:\n" + log);
        return peak;
    }
}
