package dev.prefer.data.pref;

import com.fasterxml.jackson.databind.JsonNode;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.CollectionTooBigException;
import com.hubspot.jinjava.interpret.MacroTagCycleException;
import com.hubspot.jinjava.interpret.OutputTooBigException;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A checkpoint's chat template (the Jinja {@code chat_template} of its {@code tokenizer_config.json}), rendered the
 * way transformers' {@code apply_chat_template} renders it: Jinja with {@code trim_blocks} and
 * {@code lstrip_blocks}, the variables {@code messages}, {@code add_generation_prompt}, {@code bos_token},
 * {@code eos_token} (and the other special tokens of the config), and the functions {@code raise_exception(msg)} and
 * {@code strftime_now(fmt)}. The engine is HubSpot's jinjava; a test renders real templates against Python's
 * Jinja2 output.
 *
 * <p>A template that calls {@code raise_exception} (e.g. "Conversation roles must alternate") makes
 * {@link #render} throw {@link TemplateException} with the template's message.
 *
 * <p>A template is code from a downloaded checkpoint, so every render runs under a {@link Budget}: wall time,
 * output size and macro recursion depth. Going over any of them is a {@link TemplateException} that names the
 * budget and the template line, never a hang, a heap exhaustion or a silently empty rendering.
 */
public final class ChatTemplate {

    /** Thrown when the template raises or cannot be rendered; the message is the template's. */
    public static final class TemplateException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public TemplateException(String message) {
            super(message);
        }
    }

    /**
     * Limits on one render.
     *
     * @param maxMillis     wall-clock time of one render (default 5000 ms)
     * @param maxOutput     characters of output, also the longest string and list a template may build (default 16 Mi)
     * @param maxMacroDepth how deep a macro may call itself (default 64; Jinja2 allows recursive macros)
     */
    public record Budget(long maxMillis, long maxOutput, int maxMacroDepth) {
        public static final Budget DEFAULT = new Budget(5_000, 16L << 20, 64);

        public Budget {
            if (maxMillis <= 0 || maxOutput <= 0 || maxMacroDepth <= 0) {
                throw new IllegalArgumentException("chat template budget: all limits must be positive");
            }
        }
    }

    /** Thrown from the node pre-processor when a render runs past its time budget. */
    private static final class OverTime extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OverTime(String message) {
            super(message, null, false, false);
        }
    }

    /** Deadline of the render running on this thread (nanoTime), checked before every node. */
    private static final ThreadLocal<long[]> DEADLINE = new ThreadLocal<>();

    /** Marker the {@code raise_exception} function embeds so the error can be told apart from engine errors. */
    private static final String RAISED = "prefer-template-raised: ";

    private final String template;
    private final Map<String, String> specialTokens;
    private final Budget budget;
    private final Jinjava jinjava;

    /**
     * @param template      the Jinja source
     * @param specialTokens variables such as {@code bos_token}, {@code eos_token} (missing ones render as "")
     */
    public ChatTemplate(String template, Map<String, String> specialTokens) {
        this(template, specialTokens, Budget.DEFAULT);
    }

    /** A template rendered under {@code budget}. */
    public ChatTemplate(String template, Map<String, String> specialTokens, Budget budget) {
        this.template = Objects.requireNonNull(template, "template");
        this.specialTokens = Map.copyOf(specialTokens == null ? Map.of() : specialTokens);
        this.budget = Objects.requireNonNull(budget, "budget");
        int maxCollection = (int) Math.min(Integer.MAX_VALUE, budget.maxOutput());
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
                .withMaxOutputSize(budget.maxOutput())
                .withMaxStringLength(budget.maxOutput())
                .withMaxListSize(maxCollection)
                .withMaxMapSize(maxCollection)
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(budget.maxMacroDepth())
                .withNodePreProcessor((node, interpreter) -> {
                    long[] d = DEADLINE.get();
                    if (d != null && System.nanoTime() - d[0] > 0) {
                        throw new OverTime("chat template ran past its time budget of " + budget.maxMillis()
                                + " ms (at template line " + node.getLineNumber() + ")");
                    }
                })
                .build();
        this.jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(
                new ELFunctionDefinition("", "raise_exception", ChatTemplate.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(
                new ELFunctionDefinition("", "strftime_now", ChatTemplate.class, "strftimeNow", String.class));
    }

    /**
     * Reads {@code chat_template} and the special tokens from a checkpoint folder's {@code tokenizer_config.json}
     * (or the file itself). A template given as a list of named templates uses the one named "default".
     */
    public static ChatTemplate fromTokenizerConfig(Path folderOrFile) {
        Path file = Files.isDirectory(folderOrFile) ? folderOrFile.resolve("tokenizer_config.json") : folderOrFile;
        JsonNode cfg = Json.readObject(file);
        JsonNode t = cfg.get("chat_template");
        String source = null;
        if (t != null && t.isTextual()) {
            source = t.asText();
        } else if (t != null && t.isArray()) {
            for (JsonNode named : t) {
                if ("default".equals(named.path("name").asText())) source = named.path("template").asText(null);
            }
        }
        if (source == null) {
            // Newer checkpoints keep the template in a separate chat_template.jinja beside the config.
            Path jinja = file.resolveSibling("chat_template.jinja");
            if (Files.isRegularFile(jinja)) {
                try {
                    source = Files.readString(jinja);
                } catch (IOException e) {
                    throw DataException.ofFile(jinja, "cannot read: " + e.getMessage());
                }
            }
        }
        if (source == null) throw new DataException(file, 0, "chat_template", "the checkpoint has no chat template");
        Map<String, String> special = new LinkedHashMap<>();
        for (String name : List.of("bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token")) {
            JsonNode v = cfg.get(name);
            if (v == null || v.isNull()) continue;
            // Older configs store AddedToken objects: {"content": "<s>", ...}.
            String text = v.isTextual() ? v.asText() : v.path("content").asText(null);
            if (text != null) special.put(name, text);
        }
        return new ChatTemplate(source, special);
    }

    public String template() {
        return template;
    }

    public Map<String, String> specialTokens() {
        return specialTokens;
    }

    public Budget budget() {
        return budget;
    }

    /** The same template under another budget. */
    public ChatTemplate withBudget(Budget b) {
        return new ChatTemplate(template, specialTokens, b);
    }

    /** Renders a conversation; with {@code addGenerationPrompt} the template appends the assistant header. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> msgs = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) msgs.add(m.asMap());
        Map<String, Object> vars = new LinkedHashMap<>();
        for (String name : List.of("bos_token", "eos_token", "unk_token", "pad_token")) vars.put(name, "");
        vars.putAll(specialTokens);
        vars.put("messages", msgs);
        vars.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result;
        long[] outer = DEADLINE.get();
        DEADLINE.set(new long[] {System.nanoTime() + budget.maxMillis() * 1_000_000L});
        try {
            result = jinjava.renderForResult(template, vars);
        } catch (OverTime e) {
            throw new TemplateException(e.getMessage());
        } finally {
            DEADLINE.set(outer);
        }
        for (TemplateError e : result.getErrors()) {
            String msg = e.getMessage() == null ? "" : e.getMessage();
            int at = msg.indexOf(RAISED);
            if (at >= 0) throw new TemplateException(msg.substring(at + RAISED.length()).strip());
            Throwable cause = e.getException();
            while (cause != null) {
                String cm = cause.getMessage();
                if (cm != null && cm.contains(RAISED)) throw new TemplateException(cm.substring(cm.indexOf(RAISED) + RAISED.length()).strip());
                if (cause instanceof OverTime) throw new TemplateException(cm);
                if (cause instanceof OutputTooBigException || cause instanceof CollectionTooBigException) {
                    throw new TemplateException("chat template output over its budget of " + budget.maxOutput()
                            + " characters" + lineOf(e));
                }
                if (cause instanceof MacroTagCycleException) {
                    throw new TemplateException("chat template macro recursion over its budget of "
                            + budget.maxMacroDepth() + " calls" + lineOf(e) + ": " + DataException.oneLine(msg));
                }
                cause = cause.getCause();
            }
            if (e.getReason() == TemplateError.ErrorReason.OUTPUT_TOO_BIG) {
                throw new TemplateException("chat template output over its budget of " + budget.maxOutput() + " characters" + lineOf(e));
            }
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new TemplateException("chat template error at line " + e.getLineno() + ": " + DataException.oneLine(msg));
            }
        }
        return result.getOutput();
    }

    private static String lineOf(TemplateError e) {
        return e.getLineno() > 0 ? " (at template line " + e.getLineno() + ")" : "";
    }

    /**
     * Renders a conversational preference pair as TRL does ({@code maybe_apply_chat_template}): the prompt with the
     * generation prompt appended (or, when the prompt ends with an assistant turn, continued), and each response as
     * the text the full conversation adds after the rendered prompt.
     *
     * @throws TemplateException when the rendered conversation does not start with the rendered prompt
     */
    public String[] renderPair(List<ChatMessage> prompt, List<ChatMessage> chosen, List<ChatMessage> rejected) {
        String p = renderPrompt(prompt);
        return new String[] {p, renderCompletion(prompt, p, chosen, "chosen"), renderCompletion(prompt, p, rejected, "rejected")};
    }

    /**
     * The prompt rendered with the generation prompt appended; a prompt whose last message is the assistant's is
     * continued instead (transformers' {@code continue_final_message}: the rendering is cut right after that
     * message's content, so a completion extends it).
     */
    public String renderPrompt(List<ChatMessage> prompt) {
        if (prompt.isEmpty() || !"assistant".equals(prompt.get(prompt.size() - 1).role())) return render(prompt, true);
        String full = render(prompt, false);
        String last = prompt.get(prompt.size() - 1).content();
        int at = last.isEmpty() ? -1 : full.lastIndexOf(last);
        if (at < 0) {
            last = last.strip();
            at = last.isEmpty() ? -1 : full.lastIndexOf(last);
        }
        if (at < 0) throw new TemplateException("cannot continue the final assistant message: the template does not render its content verbatim");
        return full.substring(0, at + last.length());
    }

    /** The text that {@code completion} adds after the rendered {@code prompt}. */
    public String renderCompletion(List<ChatMessage> prompt, String renderedPrompt, List<ChatMessage> completion, String field) {
        List<ChatMessage> all = new ArrayList<>(prompt);
        all.addAll(completion);
        String full = render(all, false);
        if (!full.startsWith(renderedPrompt)) {
            throw new TemplateException("the rendered " + field + " conversation does not start with the rendered prompt"
                    + " (the template renders a prompt differently when a reply follows)");
        }
        return full.substring(renderedPrompt.length());
    }

    /** The {@code raise_exception} function of transformers' template environment. */
    public static String raiseException(String message) {
        throw new TemplateException(RAISED + message);
    }

    /** The {@code strftime_now} function of transformers' template environment (Python strftime codes). */
    public static String strftimeNow(String format) {
        LocalDateTime now = LocalDateTime.now();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                b.append(c);
                continue;
            }
            char code = format.charAt(++i);
            switch (code) {
                case 'd' -> b.append(String.format("%02d", now.getDayOfMonth()));
                case 'm' -> b.append(String.format("%02d", now.getMonthValue()));
                case 'Y' -> b.append(now.getYear());
                case 'y' -> b.append(String.format("%02d", now.getYear() % 100));
                case 'H' -> b.append(String.format("%02d", now.getHour()));
                case 'M' -> b.append(String.format("%02d", now.getMinute()));
                case 'S' -> b.append(String.format("%02d", now.getSecond()));
                case 'b' -> b.append(now.format(DateTimeFormatter.ofPattern("MMM", java.util.Locale.ENGLISH)));
                case 'B' -> b.append(now.format(DateTimeFormatter.ofPattern("MMMM", java.util.Locale.ENGLISH)));
                case 'A' -> b.append(now.format(DateTimeFormatter.ofPattern("EEEE", java.util.Locale.ENGLISH)));
                case 'a' -> b.append(now.format(DateTimeFormatter.ofPattern("EEE", java.util.Locale.ENGLISH)));
                case '%' -> b.append('%');
                default -> b.append('%').append(code);
            }
        }
        return b.toString();
    }
}
