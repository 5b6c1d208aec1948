package dev.prefer.cli;

import dev.prefer.data.Json;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Generation;
import dev.prefer.lm.GenerationConfig;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code prefer generate}: continue a prompt with a Hugging Face causal LM (KV cache; greedy or sampled). */
@Command(name = "generate",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
                "Continues a prompt (tokenized without special tokens) with a causal LM using a KV cache.",
                "Greedy (--greedy) or sampled (temperature, then top-k, then top-p, seeded). The full token budget is",
                "used unless --stop-at-eos is given. Prints the new text, or {\"new_ids\":[...],\"text\":\"...\"} with --json."},
        footer = {"", "Examples:",
                "  ./prefer generate --model ../shared/fixtures/hf-tiny/gpt2/policy --prompt 'Q: 5+5=' --greedy --max-new-tokens 16 --json",
                "  ./prefer generate --model models/qwen2 --prompt 'Once upon a time' --temperature 0.8 --top-p 0.95 --seed 7 --stop-at-eos"})
public final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face checkpoint folder.")
    Path model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The prompt text.")
    String prompt;

    @Option(names = "--max-new-tokens", defaultValue = "32", paramLabel = "N", description = "Token budget.")
    int maxNewTokens;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Mode mode;

    @Option(names = "--stop-at-eos", description = "Stop when the model emits eos (kept in new_ids).")
    boolean stopAtEos;

    @Option(names = "--json", description = "Print {\"new_ids\":[...],\"text\":\"...\"}.")
    boolean json;

    static final class Mode {
        @Option(names = "--greedy", required = true, description = "Arg-max decoding.")
        boolean greedy;

        @ArgGroup(exclusive = false)
        Sampling sampling;
    }

    static final class Sampling {
        @Option(names = "--temperature", defaultValue = "1.0", paramLabel = "T", description = "Softmax temperature (> 0).")
        double temperature = 1.0;

        @Option(names = "--top-p", defaultValue = "1.0", paramLabel = "P", description = "Nucleus mass in (0, 1]; 1 = off.")
        double topP = 1.0;

        @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "Keep the K most likely tokens; 0 = off.")
        int topK;

        @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Sampler seed.")
        long seed;
    }

    @Override
    public Integer call() {
        GenerationConfig cfg;
        if (mode != null && mode.greedy) {
            cfg = new GenerationConfig(maxNewTokens, true, 1.0, 0, 1.0, 0L, stopAtEos);
        } else {
            Sampling s = mode != null && mode.sampling != null ? mode.sampling : new Sampling();
            cfg = new GenerationConfig(maxNewTokens, false, s.temperature, s.topK, s.topP, s.seed, stopAtEos);
        }
        Generation g;
        try (CausalLM lm = dev.prefer.train.ModelLoader.causalLm(model)) {
            g = lm.generate(List.of(prompt), cfg).get(0);
        }
        PrintStream o = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("new_ids", g.newIds());
            m.put("text", g.text());
            o.println(Json.line(m));
        } else {
            o.println(g.text());
        }
        o.flush();
        return 0;
    }
}
