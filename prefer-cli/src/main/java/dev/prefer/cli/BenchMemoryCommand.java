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
 * configuration (each in a fresh process), beside the plain-PyTorch step of the same configuration in float32
 * (../shared/bench/dpo_step_torch.py for GPT-2 full fine-tuning, bench/dpo_memory_torch.py for LoRA and the
 * Qwen2.5-0.5B shape). A benchmark: it prints figures and asserts nothing.
 */
@Command(name = "memory",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
                "Peak resident memory (VmHWM) of the trainer's DPO training step with random weights, each configuration in its own JVM:",
                "full fine-tuning or LoRA (r 8 on the family's default targets; the reference is the base with adapters off),",
                "reference forward every step or cached, float32 or fp16/bf16 mixed precision. Shapes: gpt2-small, qwen2.5-0.5b.",
                "For every float32 configuration (and bf16 LoRA) without checkpointing it also runs the plain-PyTorch step on the same shape, right after",
                "it: ../shared/bench/dpo_step_torch.py (gpt2-small full fine-tuning) or bench/dpo_memory_torch.py (LoRA, qwen2.5-0.5b)."},
        footer = {"", "Examples:",
                "  ./prefer bench memory --shape gpt2-small",
                "  ./prefer bench memory --config gpt2-small/full/forward --config qwen2.5-0.5b/lora/cached",
                "  ./prefer bench memory --shape qwen2.5-0.5b --mode lora --precision fp16 --no-python",
                "  ./prefer bench memory --config qwen2.5-0.5b/lora/cached --precision bf16",
                "  ./prefer bench memory --gradient-checkpointing --pairs 4 --prompt-len 256 --response-len 256 --no-python"})
public final class BenchMemoryCommand implements Callable<Integer> {

    @Option(names = "--shape", paramLabel = "NAME", description = "gpt2-small or qwen2.5-0.5b; repeat for several (default: gpt2-small).")
    List<String> shapes;

    @Option(names = "--mode", paramLabel = "full|lora", description = "Repeat for several (default: both).")
    List<String> modes;

    @Option(names = "--precision", paramLabel = "fp32|fp16|bf16", description = "Repeat for several (default: fp32).")
    List<String> precisions;

    @Option(names = "--ref", paramLabel = "forward|cached", description = "Reference log-probs each step or cached; repeat for several (default: both).")
    List<String> refs;

    @Option(names = "--config", paramLabel = "SHAPE/MODE/REF",
            description = "One configuration, e.g. qwen2.5-0.5b/lora/cached; repeat for several. Replaces the product of --shape, --mode and --ref.")
    List<String> configs;

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

    @Option(names = "--torch-script", defaultValue = "../shared/bench/dpo_step_torch.py", paramLabel = "FILE", description = "The plain-PyTorch reference step (GPT-2 shapes, full fine-tuning).")
    Path torchScript;

    @Option(names = "--torch-memory-script", defaultValue = "bench/dpo_memory_torch.py", paramLabel = "FILE",
            description = "The plain-PyTorch reference for the other float32 configurations (LoRA, the Qwen2.5-0.5B shape).")
    Path memoryScript;

    @Override
    public Integer call() throws Exception {
        if (steps < 1 || pairs < 1 || promptLen < 1 || responseLen < 1) throw new IllegalArgumentException("--steps, --pairs and lengths must be >= 1");
        List<String[]> triples = new ArrayList<>();
        if (configs != null && !configs.isEmpty()) {
            if (shapes != null || modes != null || refs != null) throw new IllegalArgumentException("--config replaces --shape, --mode and --ref: give one or the other");
            for (String c : configs) {
                String[] t = c.split("/");
                if (t.length != 3) throw new IllegalArgumentException("--config must be SHAPE/MODE/REF (e.g. gpt2-small/lora/cached), got " + c);
                triples.add(t);
            }
        } else {
            for (String s : or(shapes, List.of("gpt2-small")))
                for (String m : or(modes, List.of("full", "lora")))
                    for (String r : or(refs, List.of("forward", "cached"))) triples.add(new String[] {s, m, r});
        }
        List<MemoryBench.Case> cases = new ArrayList<>();
        for (String[] t : triples) {
            String s = t[0], m = t[1], r = t[2];
            MemoryBench.shape(s); // validates the name
            if (!m.equals("full") && !m.equals("lora")) throw new IllegalArgumentException("--mode must be full or lora, got " + m);
            if (!r.equals("forward") && !r.equals("cached")) throw new IllegalArgumentException("--ref must be forward or cached, got " + r);
            for (String p : or(precisions, List.of("fp32"))) {
                if (!List.of("fp32", "fp16", "bf16").contains(p)) throw new IllegalArgumentException("--precision must be fp32, fp16 or bf16, got " + p);
                for (boolean ckpt : gradientCheckpointing ? new boolean[] {false, true} : new boolean[] {false}) {
                    cases.add(new MemoryBench.Case(s, m.equals("lora"), r.equals("cached"), p, ckpt, pairs, promptLen, responseLen));
                }
            }
        }
        boolean python = !noPython && Files.isRegularFile(torchScript) && Files.isRegularFile(memoryScript);
        if (!noPython && !python) {
            throw new IllegalArgumentException("--torch-script " + torchScript + " or --torch-memory-script " + memoryScript
                    + " not found (run from the repository root, or pass --no-python)");
        }
        System.out.printf(Locale.ROOT, "%-44s %12s %12s %10s  %s%n", "configuration", "prefer MiB", "pytorch MiB", "trainable", "step wall s / cpu s");
        // each Prefer configuration, then its PyTorch twin right after it (float32, no checkpointing: the references have neither)
        for (MemoryBench.Case c : cases) {
            MemoryBench.Row r = MemoryBench.run(List.of(c), steps).get(0);
            String torch = "-";
            // the references have float32, and bfloat16 for a LoRA base (bench/dpo_memory_torch.py --precision bf16)
            if (python && !c.fp16() && !(c.bf16() && !c.lora()) && !c.gradientCheckpointing()) torch = String.format(Locale.ROOT, "%.1f", torchPeak(c));
            System.out.printf(Locale.ROOT, "%-44s %12.1f %12s %10d  %s / %s%n", c.label(), r.peakRssMiB(), torch, r.trainable(), r.wallSeconds(), r.cpuSeconds());
            System.out.flush();
        }
        return 0;
    }

    private static <T> List<T> or(List<T> v, List<T> d) {
        return v == null || v.isEmpty() ? d : v;
    }

    private static final Pattern PEAK = Pattern.compile("peak_rss_MiB=([0-9.]+)");

    /**
     * The PyTorch peak of the same configuration: GPT-2 full fine-tuning through ../shared/bench/dpo_step_torch.py (as
     * before), everything else (LoRA, the Qwen2.5-0.5B shape) through bench/dpo_memory_torch.py; 1 warm-up step +
     * steps − 1.
     */
    private double torchPeak(MemoryBench.Case c) throws Exception {
        List<String> cmd;
        if (c.shape().equals("gpt2-small") && !c.lora()) {
            cmd = new ArrayList<>(List.of(python, torchScript.toString(), "--layers", "12", "--d-model", "768", "--heads", "12",
                    "--vocab", "50257", "--ctx", "1024"));
            if (c.cachedRef()) cmd.add("--no-ref");
        } else {
            cmd = new ArrayList<>(List.of(python, memoryScript.toString(), "--shape", c.shape(), "--mode", c.lora() ? "lora" : "full",
                    "--ref", c.cachedRef() ? "cached" : "forward", "--precision", c.bf16() ? "bf16" : "fp32"));
        }
        cmd.addAll(List.of("--pairs", Integer.toString(c.pairs()), "--prompt-len", Integer.toString(c.promptLen()),
                "--response-len", Integer.toString(c.responseLen()), "--steps", Integer.toString(Math.max(1, steps - 1)), "--warmup", "1"));
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
