package dev.prefer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.AtomicFiles;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.data.pref.ChatMessage;
import dev.prefer.data.pref.ChatTemplate;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Completion;
import dev.prefer.lm.Generation;
import dev.prefer.lm.GenerationConfig;
import dev.prefer.lm.GenerationRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code prefer generate}: continue one prompt, or sample K continuations of every prompt of a JSONL file. */
@Command(name = "generate",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
                "Continues prompts with a causal LM using a KV cache: one prompt (--prompt; prints the new text, or",
                "{\"new_ids\":[...],\"text\":\"...\"} with --json) or a JSONL file (--prompts FILE --out FILE): one line per prompt,",
                "{\"prompt\": \"text\"} or {\"prompt\": [{\"role\": ..., \"content\": ...}, ...]} (or \"messages\"), optional \"seed\"",
                "(integer) and \"id\" (copied to the output). --chat renders prompts with the model's chat template (a text",
                "prompt becomes one user message). Every prompt is sampled --n times in batches (finished rows leave the batch);",
                "each output line has line, id, sample, seed, prompt_ids, token_ids, text, logps (the raw model log-prob of",
                "each new token, temperature 1, before any cut) and finish_reason (eos | stop | length); a manifest goes",
                "beside it (OUT.manifest.json). A prompt without a seed gets one from --seed and its line number (line 1 samples",
                "as --prompt does), so a sample does not depend on the rest of the file. Sampling: temperature, then top-k, top-p, min-p; or --greedy.",
                "The full token budget is used unless --stop-at-eos or a --stop string ends a sample."},
        footer = {"", "Examples:",
                "  ./prefer generate --model ../shared/fixtures/hf-tiny/gpt2/policy --prompt 'Q: 5+5=' --greedy --max-new-tokens 16 --json",
                "  ./prefer generate --model ../shared/fixtures/hf-tiny/llama/policy --prompt 'Q: 5+5=' --greedy --precision bf16",
                "  ./prefer generate --model models/qwen2 --prompt 'Once upon a time' --temperature 0.8 --top-p 0.95 --seed 7 --stop-at-eos",
                "  ./prefer generate --model models/qwen2 --prompts prompts.jsonl --n 4 --out samples.jsonl --chat --stop-at-eos --min-p 0.05 --stop '\\n\\n'"})
public final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face checkpoint folder.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "One prompt's text.")
        String prompt;

        @Option(names = "--prompts", required = true, paramLabel = "FILE", description = "JSONL of prompts (needs --out).")
        Path prompts;
    }

    @Option(names = "--out", paramLabel = "FILE", description = "JSONL of samples (with --prompts), written atomically.")
    Path out;

    @Option(names = "--n", defaultValue = "1", paramLabel = "K", description = "Samples per prompt (with --prompts).")
    int n;

    @Option(names = "--chat", description = "Render prompts with the checkpoint's chat template (tokenizer_config.json chat_template).")
    boolean chat;

    @Option(names = "--max-new-tokens", defaultValue = "32", paramLabel = "N", description = "Token budget.")
    int maxNewTokens;

    @Option(names = "--max-batch", defaultValue = "" + GenerationConfig.DEFAULT_MAX_BATCH, paramLabel = "R", description = "Rows (prompt x sample) decoded together at most.")
    int maxBatch;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Mode mode;

    @Option(names = "--stop-at-eos", description = "Stop when the model emits eos (kept in the ids; finish_reason eos).")
    boolean stopAtEos;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop string (repeatable): the text is cut before it, finish_reason stop. Java escapes \\n and \\t are read.")
    List<String> stop;

    @Option(names = "--json", description = "With --prompt: print {\"new_ids\":[...],\"text\":\"...\"}.")
    boolean json;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|fp16|bf16", description = "fp32, or fp16: float16 "
            + "weights and compute, or bf16: bfloat16 weights and products (half the memory of fp32); norms, softmax and the "
            + "logits are float32 in both. logps are the model's at that precision.")
    String precision;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Sampler seed (with --prompts: the seed of prompts without one).")
    long seed;

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

        @Option(names = "--min-p", defaultValue = "0.0", paramLabel = "P", description = "Keep tokens with p >= P * max p; 0 = off.")
        double minP;
    }

    @Override
    public Integer call() throws IOException {
        List<String> stops = new ArrayList<>();
        if (stop != null) for (String s : stop) stops.add(s.replace("\\n", "\n").replace("\\t", "\t"));
        GenerationConfig cfg;
        if (mode != null && mode.greedy) {
            cfg = new GenerationConfig(maxNewTokens, true, 1.0, 0, 1.0, seed, stopAtEos);
        } else {
            Sampling s = mode != null && mode.sampling != null ? mode.sampling : new Sampling();
            cfg = new GenerationConfig(maxNewTokens, false, s.temperature, s.topK, s.topP, seed, stopAtEos).withMinP(s.minP);
        }
        cfg = cfg.withStop(stops).withSamples(n).withMaxBatch(maxBatch);
        if (input.prompts != null) return batch(cfg);
        if (out != null || n != 1) throw new IllegalArgumentException("--out and --n go with --prompts");
        Generation g;
        try (CausalLM lm = dev.prefer.train.ModelLoader.causalLm(model, TrainCommand.precision(precision))) {
            if (chat || !stops.isEmpty()) {
                long[] ids = chat ? lm.encodeChat(List.of(ChatMessage.user(input.prompt))) : lm.encodePrompt(input.prompt);
                Completion c = lm.complete(List.of(new GenerationRequest(ids, GenerationRequest.itemSeed(seed, 0))), cfg).get(0).get(0);
                g = new Generation(ids, c.tokenIds(), c.text(), c.finishReason() == Completion.FinishReason.EOS);
            } else {
                g = lm.generate(List.of(input.prompt), cfg).get(0);
            }
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

    /** One prompt line of the input file. */
    private record PromptLine(long line, JsonNode id, String text, List<ChatMessage> messages, Long seed) {}

    private static List<PromptLine> read(Path file, boolean chat) {
        if (!Files.isRegularFile(file)) throw DataException.ofFile(file, "not found");
        List<PromptLine> lines = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long no = 0;
            for (String line; (line = r.readLine()) != null; ) {
                no++;
                if (line.isBlank()) continue;
                JsonNode row;
                try {
                    row = Json.MAPPER.readTree(line);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new DataException(file, no, null, "invalid JSON: " + DataException.oneLine(e.getOriginalMessage()));
                }
                if (row == null || !row.isObject()) throw new DataException(file, no, null, "expected a JSON object");
                String field = row.has("prompt") ? "prompt" : row.has("messages") ? "messages" : null;
                if (field == null) throw new DataException(file, no, "prompt", "missing (give \"prompt\" or \"messages\")");
                JsonNode p = row.get(field);
                String text = null;
                List<ChatMessage> messages = null;
                if (p.isTextual()) {
                    text = p.asText();
                    if (chat) messages = List.of(ChatMessage.user(text));
                } else if (p.isArray()) {
                    messages = ChatMessage.listFrom(file, no, field, p);
                    if (messages.isEmpty()) throw new DataException(file, no, field, "empty conversation");
                    if (!chat) throw new DataException(file, no, field, "a conversation needs --chat (the model's chat template)");
                } else {
                    throw new DataException(file, no, field, "expected a string or a list of {role, content} messages");
                }
                Long s = null;
                JsonNode sn = row.get("seed");
                if (sn != null && !sn.isNull()) {
                    if (!sn.canConvertToLong() || !sn.isIntegralNumber()) throw new DataException(file, no, "seed", "expected an integer");
                    s = sn.asLong();
                }
                lines.add(new PromptLine(no, row.get("id"), text, messages, s));
            }
        } catch (IOException e) {
            throw DataException.ofFile(file, "cannot read: " + e.getMessage());
        }
        if (lines.isEmpty()) throw DataException.ofFile(file, "no prompts");
        return lines;
    }

    private int batch(GenerationConfig cfg) {
        if (out == null) throw new IllegalArgumentException("--prompts needs --out FILE");
        if (json) throw new IllegalArgumentException("--json goes with --prompt (--out is JSONL already)");
        List<PromptLine> prompts = read(input.prompts, chat);
        List<List<Completion>> result;
        List<GenerationRequest> reqs = new ArrayList<>(prompts.size());
        try (CausalLM lm = dev.prefer.train.ModelLoader.causalLm(model, TrainCommand.precision(precision))) {
            if (chat) lm.chatTemplate(); // a checkpoint without one fails here, naming its tokenizer_config.json
            for (PromptLine p : prompts) {
                long[] ids;
                try {
                    ids = p.messages() != null ? lm.encodeChat(p.messages()) : lm.encodePrompt(p.text());
                } catch (ChatTemplate.TemplateException | IllegalArgumentException e) {
                    throw new DataException(input.prompts, p.line(), "prompt", DataException.oneLine(e.getMessage()));
                }
                if (ids.length + cfg.maxNewTokens() > lm.config().maxPositions()) {
                    throw new DataException(input.prompts, p.line(), "prompt", ids.length + " tokens + " + cfg.maxNewTokens()
                            + " new exceed the model's " + lm.config().maxPositions() + " positions");
                }
                reqs.add(new GenerationRequest(ids, p.seed() != null ? p.seed() : GenerationRequest.itemSeed(cfg.seed(), p.line() - 1)));
            }
            long total = (long) reqs.size() * cfg.samples();
            if (System.console() == null) { // not a terminal (logs, CI, tests): no bar
                result = lm.complete(reqs, cfg);
            } else {
                try (ProgressBar bar = new ProgressBarBuilder().setTaskName("generate").setInitialMax(total).setStyle(ProgressBarStyle.UNICODE_BLOCK)
                        .setConsumer(new me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(250)
                        .setUnit(" samples", 1).build()) {
                    result = lm.complete(reqs, cfg, bar::stepBy);
                }
            }
        }
        AtomicFiles.write(out, os -> {
            for (int i = 0; i < prompts.size(); i++) {
                PromptLine p = prompts.get(i);
                for (Completion c : result.get(i)) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("line", p.line());
                    if (p.id() != null) m.put("id", p.id());
                    m.put("sample", c.sample());
                    m.put("seed", reqs.get(i).seed());
                    m.put("prompt_ids", c.promptIds());
                    m.put("token_ids", c.tokenIds());
                    m.put("text", c.text());
                    m.put("logps", c.logps());
                    m.put("finish_reason", c.finishReason().jsonName());
                    os.write((Json.line(m) + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
        });
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", model.toString());
        config.put("prompts", input.prompts.toString());
        config.put("chat", chat);
        config.put("samples_per_prompt", cfg.samples());
        config.put("max_new_tokens", cfg.maxNewTokens());
        config.put("greedy", cfg.greedy());
        config.put("temperature", cfg.temperature());
        config.put("top_k", cfg.topK());
        config.put("top_p", cfg.topP());
        config.put("min_p", cfg.minP());
        config.put("stop", cfg.stop());
        config.put("stop_at_eos", cfg.stopAtEos());
        config.put("max_batch", cfg.maxBatch());
        config.put("precision", precision);
        config.put("logps", "raw model log-prob of each new token (temperature 1, before any cut)");
        Manifest mf = Manifest.of("generate", config, cfg.seed()).withInput("prompts", input.prompts).withInput("model", model);
        AtomicFiles.writeString(out.resolveSibling(out.getFileName() + ".manifest.json"), mf.toJson() + "\n");
        long count = 0;
        for (List<Completion> cs : result) count += cs.size();
        System.err.println("prefer: wrote " + count + " samples of " + prompts.size() + " prompts to " + out);
        return 0;
    }
}
