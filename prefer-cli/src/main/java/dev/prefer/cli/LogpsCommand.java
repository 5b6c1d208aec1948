package dev.prefer.cli;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.data.Jsonl;
import dev.prefer.data.PreferencePair;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.PairLogps;
import dev.prefer.lm.PromptResponse;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code prefer logps}: summed response log-probabilities of preference pairs under a Hugging Face causal LM. */
@Command(name = "logps",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
                "Scores the chosen and rejected responses of {\"prompt\",\"chosen\",\"rejected\"} JSONL rows with a causal LM.",
                "Writes one JSON line per input row, in order: {\"chosen_logps\",\"rejected_logps\",\"chosen_tokens\",\"rejected_tokens\"}.",
                "A log-prob is the sum over response tokens, eos included, of log p(token | prompt and earlier tokens);",
                "prompt and response are tokenized separately without special tokens."},
        footer = {"", "Examples:",
                "  ./prefer logps --model ../shared/fixtures/hf-tiny/gpt2/policy --data ../shared/fixtures/hf-tiny/pairs.jsonl",
                "  ./prefer logps --model models/qwen2 --data pairs.jsonl --out logps.jsonl --batch-size 8"})
public final class LogpsCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face checkpoint folder (config.json, model.safetensors, tokenizer.json).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl", description = "Pairs, one {\"prompt\",\"chosen\",\"rejected\"} object per line (gzip allowed).")
    Path data;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the JSON lines here (atomically) instead of standard output.")
    Path out;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "N", description = "Sequences per forward pass.")
    int batchSize;

    @Override
    public Integer call() {
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        List<PreferencePair> pairs = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        Jsonl.read(data, false, (line, row) -> {
            pairs.add(PreferencePair.of(
                    Jsonl.requireString(data, line, row, "prompt"),
                    Jsonl.requireString(data, line, row, "chosen"),
                    Jsonl.requireString(data, line, row, "rejected")));
            lines.add(line);
        });
        List<PairLogps> scored;
        try (CausalLM lm = dev.prefer.train.ModelLoader.causalLm(model)) {
            checkLengths(lm, pairs, lines);
            scored = lm.pairLogps(pairs, batchSize);
        }
        StringBuilder sb = new StringBuilder();
        for (PairLogps p : scored) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("chosen_logps", p.chosen().sum());
            m.put("rejected_logps", p.rejected().sum());
            m.put("chosen_tokens", p.chosen().tokens());
            m.put("rejected_tokens", p.rejected().tokens());
            sb.append(Json.line(m)).append('\n');
        }
        if (out != null) {
            AtomicFiles.writeString(out, sb.toString());
            System.err.println("prefer logps: " + scored.size() + " pairs -> " + out);
        } else {
            PrintStream o = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            o.print(sb);
            o.flush();
        }
        return 0;
    }

    /** A row longer than the model's positions is a located error, before any scoring starts. */
    private void checkLengths(CausalLM lm, List<PreferencePair> pairs, List<Long> lines) {
        int max = lm.config().maxPositions();
        for (int i = 0; i < pairs.size(); i++) {
            PreferencePair p = pairs.get(i);
            for (String field : List.of("chosen", "rejected")) {
                int n = lm.tokenize(new PromptResponse(p.prompt(), field.equals("chosen") ? p.chosen() : p.rejected())).length();
                if (n > max) {
                    throw new DataException(data, lines.get(i), field, "prompt + " + field + " is " + n + " tokens, over the "
                            + max + " positions of " + model + " (shorten the row or drop it)");
                }
            }
        }
    }
}
