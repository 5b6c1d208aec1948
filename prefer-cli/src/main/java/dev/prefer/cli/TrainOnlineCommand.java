package dev.prefer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.data.pref.ChatMessage;
import dev.prefer.data.pref.ChatTemplate;
import dev.prefer.eval.tasks.Problem;
import dev.prefer.eval.tasks.Tasks;
import dev.prefer.eval.tasks.VerifiableTask;
import dev.prefer.lm.CausalLM;
import dev.prefer.objectives.Objective;
import dev.prefer.objectives.ObjectiveCatalog;
import dev.prefer.objectives.online.Advantages;
import dev.prefer.objectives.online.GrpoLoss;
import dev.prefer.train.TrainConfig;
import dev.prefer.train.TrainPrecision;
import dev.prefer.train.Trainer;
import dev.prefer.train.TrainingException;
import dev.prefer.train.online.OnlineConfig;
import dev.prefer.train.online.OnlinePrompt;
import dev.prefer.train.online.OnlineTrainer;
import dev.prefer.objectives.online.WinRates;
import dev.prefer.reward.source.Group;
import dev.prefer.reward.source.RewardSource;
import dev.prefer.reward.source.RewardSources;
import dev.prefer.reward.source.RewardSpec;
import dev.prefer.train.online.RewardFunction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code prefer train grpo|rloo|reinforce-pp|online-dpo|nash-md|sppo|dno|inpo|pref-grpo}: a thin layer over
 * {@link OnlineTrainer#train}. Reward SPECs: {@code verifier:TASK} (the built-in verifiable tasks: arithmetic, format,
 * counting; score in [0, 1]) and every spec of {@code prefer score --reward}; a pairwise source's win matrix feeds the
 * Nash and self-play methods.
 */
public final class TrainOnlineCommand {
    private TrainOnlineCommand() {}

    /** Options shared by the online methods (TRL's GRPOConfig names in kebab-case). */
    static final class Common {
        @Option(names = "--model", required = true, paramLabel = "DIR", description = "Initial policy: Hugging Face model folder.")
        Path model;
        @Option(names = "--ref", paramLabel = "DIR", description = "Reference model (default: the initial policy); loaded only when beta > 0 or the online-dpo objective needs one.")
        Path ref;
        @Option(names = "--prompts", required = true, paramLabel = "FILE", description = "Training prompts: JSONL rows {\"prompt\": ..., other fields the reward may read}.")
        Path prompts;
        @Option(names = "--eval-prompts", paramLabel = "FILE", description = "Held-out prompts, decoded greedily and scored at each evaluation (eval/reward).")
        Path evalPrompts;
        @Option(names = "--chat", description = {"Render prompts with the model's chat template (tokenizer_config.json chat_template, generation prompt added):",
                "a \"prompt\" string as one user message, a \"messages\" list as that conversation. The policy continues the rendered",
                "prompt; the rewards see the plain text (the last user message)."})
        boolean chat;
        @Option(names = "--reward", required = true, paramLabel = "SPEC", description = "Reward source, repeatable: verifier:TASK (TASK: arithmetic, format or counting), model:DIR, pairwise:DIR, judge:URL?... (the specs of `prefer score --reward`).")
        List<String> rewards;
        @Option(names = "--reward-weights", split = ",", paramLabel = "W", description = "One weight per --reward (default all 1).")
        List<Double> rewardWeights;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder: model (or PEFT adapter + merged/), manifest.json, metrics.jsonl, checkpoints/.")
        Path out;

        @Option(names = "--num-generations", defaultValue = "8", description = "Completions per prompt (G).")
        int numGenerations;
        @Option(names = "--max-completion-length", defaultValue = "256", description = "New-token budget per completion.")
        int maxCompletionLength;
        @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature.")
        double temperature;
        @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling (1 = off).")
        double topP;
        @Option(names = "--top-k", defaultValue = "0", description = "Top-k sampling (0 = off).")
        int topK;
        @Option(names = "--num-iterations", defaultValue = "1", description = "Optimizer steps per generation batch (importance ratios against the sampling policy).")
        int numIterations;
        @Option(names = "--epsilon", defaultValue = "0.2", description = "Lower clipping epsilon.")
        double epsilon;
        @Option(names = "--epsilon-high", paramLabel = "E", description = "Upper clipping epsilon (default: --epsilon; DAPO uses 0.28).")
        Double epsilonHigh;
        @Option(names = "--beta", defaultValue = "0.0", description = "KL strength to the reference (0 loads no reference).")
        double beta;
        @Option(names = "--scale-rewards", defaultValue = "GROUP", description = "GROUP, BATCH or NONE (GRPO advantages).")
        Advantages.ScaleRewards scaleRewards;
        @Option(names = "--mask-truncated-completions", description = "Completions that hit the length limit carry no loss.")
        boolean maskTruncated;
        @Option(names = "--multi-objective-aggregation", defaultValue = "SUM_THEN_NORMALIZE", description = "SUM_THEN_NORMALIZE or NORMALIZE_THEN_SUM.")
        Advantages.Aggregation aggregation;

        @Option(names = "--learning-rate", defaultValue = "1e-6", description = "Peak learning rate (AdamW).")
        double learningRate;
        @Option(names = "--weight-decay", defaultValue = "0", description = "AdamW decoupled weight decay.")
        double weightDecay;
        @Option(names = "--schedule", defaultValue = "LINEAR", description = "CONSTANT, LINEAR or COSINE after warm-up.")
        TrainConfig.Schedule schedule;
        @Option(names = "--warmup-steps", defaultValue = "0", description = "Linear warm-up steps.")
        int warmupSteps;
        @Option(names = "--max-steps", defaultValue = "0", description = "Optimizer steps (0 = --epochs passes over the prompts).")
        int maxSteps;
        @Option(names = "--epochs", defaultValue = "1", description = "Passes over the prompts when --max-steps is 0.")
        int epochs;
        @Option(names = "--batch-size", defaultValue = "4", description = "Prompts per generation batch (each sampled --num-generations times).")
        int batchSize;
        @Option(names = "--grad-accumulation", defaultValue = "1", description = "Forward passes per optimizer step (splits the batch's prompts).")
        int gradAccumulation;
        @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "Global gradient-norm clip (0 = off).")
        double maxGradNorm;
        @Option(names = "--seed", defaultValue = "42", description = "Prompt order, sampling, LoRA init, dropout.")
        long seed;
        @Option(names = "--log-every", defaultValue = "1", description = "Steps between metric lines.")
        int logEvery;
        @Option(names = "--save-every", defaultValue = "0", description = "Steps between checkpoints (0 = none; a multiple of --num-iterations).")
        int saveEvery;
        @Option(names = "--eval-every", defaultValue = "0", description = "Steps between evaluations (0 = at the end).")
        int evalEvery;
        @Option(names = "--resume", description = "Continue from the last checkpoint in OUT/checkpoints (an error when there is none).")
        boolean resume;
        @Option(names = "--resume-if-exists", description = "Continue from the last checkpoint when there is one, else start from step 0.")
        boolean resumeIfExists;
        @Option(names = "--device", defaultValue = "CPU", description = "CPU or GPU (GPU needs a CUDA build of libtorch).")
        TrainConfig.Device device;
        @Option(names = "--gradient-checkpointing", description = "Recompute each block's activations in the backward pass instead of keeping them (less memory, same numbers).")
        boolean gradientCheckpointing;
        @Option(names = "--prefix-sharing", defaultValue = "AUTO", description = "Run each prompt once for its G completions (AUTO, ON, OFF).")
        TrainConfig.PrefixSharing prefixSharing;
        @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|fp16|bf16", description = TrainCommand.PRECISION_HELP
                + " Sampling runs in the same precision. bf16 full fine-tuning without --ref loads the reference as the policy "
                + "(float32 embeddings), so that the KL starts at 0.")
        String precision;
        @Option(names = "--reward-precision", defaultValue = "fp32", paramLabel = "fp32|fp16|bf16", description = "Precision of the "
                + "language-model reward models that model:/pairwise: specs load, independent of --precision: fp32, fp16 (float16 "
                + "weights and compute) or bf16 (bfloat16 weights and products; norms, softmax and the score in float32). Embedding "
                + "heads take fp32 only; verifiers and judges ignore it.")
        String rewardPrecision;
        @Mixin
        LoraOptions lora;
        /** How a SPEC becomes a reward (null: {@link #reward}); pref-grpo turns pairwise sources into win rates. */
        java.util.function.BiFunction<String, List<AutoCloseable>, RewardFunction> rewardFor;
        /** The verb in the closing line when it is not the method's own name (pref-grpo runs GRPO). */
        String verb;

        /** How the reward specs open their models: {@code --reward-precision}. */
        RewardSources.Options rewardOptions() {
            return RewardSources.Options.defaults().withPrecision(TrainCommand.precision("--reward-precision", rewardPrecision));
        }

        TrainConfig config(Objective objective) {
            boolean doResume = TrainCommand.resumes(resume, resumeIfExists, out);
            return TrainConfig.builder(TrainConfig.Task.PREFERENCE).model(model).ref(ref).out(out).objective(objective)
                    .learningRate(learningRate).weightDecay(weightDecay).schedule(schedule, warmupSteps).maxGradNorm(maxGradNorm)
                    .maxSteps(maxSteps).epochs(epochs).batchSize(batchSize).gradAccumulation(gradAccumulation).seed(seed)
                    .every(logEvery, saveEvery, evalEvery).lora(lora.config(true)).precision(TrainCommand.precision(precision)).device(device).gradientCheckpointing(gradientCheckpointing)
                    .resume(doResume).prefixSharing(prefixSharing).build();
        }

        OnlineConfig.Builder online(OnlineConfig.Method method) {
            return OnlineConfig.builder(method).numGenerations(numGenerations).maxCompletionLength(maxCompletionLength)
                    .temperature(temperature).topP(topP).topK(topK).numIterations(numIterations)
                    .epsilon(epsilon, epsilonHigh == null ? Double.NaN : epsilonHigh).beta(beta).scaleRewards(scaleRewards)
                    .maskTruncatedCompletions(maskTruncated).multiObjectiveAggregation(aggregation)
                    .rewardWeights(rewardWeights == null ? List.of() : rewardWeights);
        }

        int execute(OnlineConfig o, Objective objective) {
            TrainConfig c = config(objective);
            RewardSources.Options rewardOptions = rewardOptions();
            List<PromptRow> trainRows = readRows(prompts, chat);
            List<PromptRow> evalRows = evalPrompts == null ? List.of() : readRows(evalPrompts, chat);
            List<OnlinePrompt> train = plain(trainRows);
            List<OnlinePrompt> eval = plain(evalRows);
            List<RewardFunction> fns = new ArrayList<>();
            List<AutoCloseable> sources = new ArrayList<>();
            for (String spec : rewards) fns.add(rewardFor == null ? reward(spec, train, prompts, sources, rewardOptions) : rewardFor.apply(spec, sources));
            if (eval.size() > 0) for (String spec : rewards) if (spec.startsWith("verifier:")) reward(spec, eval, evalPrompts, sources, rewardOptions); // same checks on the held-out prompts
            boolean needsRef = o.needsReference(c.objective());
            try (AutoCloseable closeSources = () -> { for (AutoCloseable s : sources) s.close(); };
                 CausalLM policy = TrainPrecision.policy(model, c.precision(), c.lora() != null);
                 CausalLM reference = needsRef ? TrainPrecision.reference(model, ref, c.precision(), c.lora() != null) : null) {
                if (chat) {
                    train = chatPrompts(policy, trainRows, prompts, o.maxCompletionLength());
                    eval = chatPrompts(policy, evalRows, evalPrompts, o.maxCompletionLength());
                }
                Trainer.TrainResult r = OnlineTrainer.train(policy, reference, c, o, train, eval, fns, System.out);
                System.out.println("prefer train " + (verb != null ? verb : o.method().cliName()) + ": " + r.steps() + " steps -> " + r.out());
                return 0;
            } catch (TrainingException e) {
                System.err.println("prefer: " + e.getMessage());
                return 3;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }

    /**
     * One prompt row of a JSONL file: the text the rewards see, the row's other fields, and with {@code --chat} the
     * conversation the policy continues (a {@code prompt} string as one user message, or the row's {@code messages}).
     */
    record PromptRow(long line, String field, String text, Map<String, Object> fields, List<ChatMessage> messages) {}

    /** Prompt rows of a JSONL file: {@code prompt} (a string) and any other fields (no chat template). */
    static List<OnlinePrompt> readPrompts(Path file) {
        return plain(readRows(file, false));
    }

    static List<OnlinePrompt> plain(List<PromptRow> rows) {
        List<OnlinePrompt> out = new ArrayList<>(rows.size());
        for (PromptRow r : rows) out.add(new OnlinePrompt(r.text(), r.fields()));
        return out;
    }

    /**
     * Rows of a JSONL file: {@code prompt} (a string) or, with {@code chat}, {@code messages} (a list of {role, content};
     * the rewards then see its last user message), and any other fields. Errors name the file, line and field.
     */
    static List<PromptRow> readRows(Path file, boolean chat) {
        List<PromptRow> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                JsonNode row;
                try {
                    row = Json.MAPPER.readTree(line);
                } catch (IOException e) {
                    throw new DataException(file, n, null, "not JSON: " + DataException.oneLine(e.getMessage()));
                }
                if (row == null || !row.isObject()) throw new DataException(file, n, null, "expected a JSON object");
                @SuppressWarnings("unchecked")
                Map<String, Object> fields = Json.MAPPER.convertValue(row, LinkedHashMap.class);
                fields.remove("prompt");
                JsonNode p = row.get("prompt");
                if (p == null && row.has("messages")) {
                    if (!chat) throw new DataException(file, n, "messages", "a conversation needs --chat (the model's chat template)");
                    List<ChatMessage> messages = ChatMessage.listFrom(file, n, "messages", row.get("messages"));
                    String text = null;
                    for (ChatMessage m : messages) if (m.role().equals("user")) text = m.content();
                    if (text == null) throw new DataException(file, n, "messages", "no user message");
                    fields.remove("messages");
                    out.add(new PromptRow(n, "messages", text, fields, messages));
                    continue;
                }
                if (p == null || !p.isTextual()) throw new DataException(file, n, "prompt", "missing or not a string");
                out.add(new PromptRow(n, "prompt", p.asText(), fields, chat ? List.of(ChatMessage.user(p.asText())) : null));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) throw DataException.ofFile(file, "no prompts");
        return out;
    }

    /**
     * {@code --chat}: each row's conversation rendered by the policy's chat template (with the generation prompt) and
     * tokenized; the prompt keeps its plain text and fields for the rewards. A checkpoint without a template, a
     * conversation the template refuses, or a rendered prompt too long for the model fails naming the file and line.
     */
    static List<OnlinePrompt> chatPrompts(CausalLM lm, List<PromptRow> rows, Path file, int maxNew) {
        if (rows.isEmpty()) return List.of();
        lm.chatTemplate(); // a checkpoint without one fails here, naming its tokenizer_config.json
        List<OnlinePrompt> out = new ArrayList<>(rows.size());
        for (PromptRow r : rows) {
            String field = r.field();
            long[] ids;
            try {
                ids = lm.encodeChat(r.messages());
            } catch (ChatTemplate.TemplateException | IllegalArgumentException e) {
                throw new DataException(file, r.line(), field, DataException.oneLine(e.getMessage()));
            }
            if (ids.length + maxNew > lm.config().maxPositions()) {
                throw new DataException(file, r.line(), field, ids.length + " tokens after the chat template + " + maxNew
                        + " new exceed the model's " + lm.config().maxPositions() + " positions");
            }
            out.add(new OnlinePrompt(r.text(), r.fields(), ids));
        }
        return out;
    }

    /**
     * A reward source from its SPEC: {@code verifier:TASK} here (every prompt must be one of the task's, checked before
     * training), any other spec of {@code prefer score --reward} (reward models, pairwise win rates, an LLM judge)
     * through prefer-reward's {@code RewardSources} with {@code options} ({@code --reward-precision}), opened sources
     * added to {@code opened} to be closed at the end.
     */
    static RewardFunction reward(String spec, List<OnlinePrompt> prompts, Path file, List<AutoCloseable> opened, RewardSources.Options options) {
        if (!spec.startsWith("verifier:")) {
            RewardSource source = RewardSources.open(spec, options);
            opened.add(source);
            return new RewardFunction() {
                @Override public String name() { return source.name(); }

                @Override public Map<String, Object> provenance() { return provenanceOf(options); }

                @Override
                public double[] score(String prompt, List<String> completions, Map<String, Object> fields) {
                    return source.score(prompt, completions, fields);
                }

                @Override
                public Scored scoreGroup(String prompt, List<String> completions, Map<String, Object> fields) {
                    dev.prefer.reward.source.GroupScores g = source.score(new dev.prefer.reward.source.Group(prompt, completions, fields));
                    return new Scored(g.rewards(), g.winProbabilities());
                }
            };
        }
        String name = spec.substring("verifier:".length());
        VerifiableTask<? extends Problem> task = Tasks.byName(name);
        for (int i = 0; i < prompts.size(); i++) {
            try {
                task.parse(prompts.get(i).prompt());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": prompt " + (i + 1) + " is not a " + name + " prompt: " + e.getMessage());
            }
        }
        return RewardFunction.of(name, (prompt, completion) -> task.verify(prompt, completion).score());
    }

    @Command(name = "grpo", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"GRPO (DeepSeekMath) and its variants: G sampled completions per prompt, group-normalised advantages,",
                    "clipped importance ratios (token or sequence level, GSPO), optional k3 KL to a reference (--beta)."},
            footer = {"", "Examples:",
                    "  ./prefer train grpo --model M --prompts prompts.jsonl --reward verifier:arithmetic --out runs/grpo \\",
                    "      --loss-type DAPO --epsilon-high 0.28 --num-generations 8 --max-completion-length 8 --learning-rate 1e-5",
                    "  ./prefer train grpo --model M --prompts p.jsonl --reward verifier:format --out runs/gspo --importance-sampling-level SEQUENCE --num-iterations 2",
                    "  ./prefer train grpo --model M --prompts p.jsonl --reward verifier:arithmetic --out runs/g --save-every 50 --resume-if-exists",
                    "  ./prefer train grpo --model M --prompts p.jsonl --reward verifier:arithmetic --out runs/g16 --lora --precision bf16 --beta 0.04"})
    static final class Grpo implements Callable<Integer> {
        @Mixin
        Common common = new Common();
        @Option(names = "--loss-type", defaultValue = "DAPO", description = "GRPO, BNPO, DR_GRPO or DAPO (token-level normalisation).")
        GrpoLoss.Aggregation lossType;
        @Option(names = "--importance-sampling-level", defaultValue = "TOKEN", description = "TOKEN, SEQUENCE (GSPO) or SEQUENCE_TOKEN.")
        GrpoLoss.RatioLevel level;
        @Option(names = "--delta", paramLabel = "D", description = "Upper bound of the unclipped ratio (two-sided clipping; default none).")
        Double delta;

        @Override
        public Integer call() {
            OnlineConfig o = common.online(OnlineConfig.Method.GRPO).lossType(lossType).importanceSamplingLevel(level)
                    .delta(delta == null ? Double.NaN : delta).build();
            return common.execute(o, null);
        }
    }

    @Command(name = "pref-grpo", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"Pref-GRPO (Wang et al. 2025, arXiv 2508.20751): GRPO whose reward is each completion's win rate against",
                    "the other G-1 completions of its prompt under a pairwise judge, r_i = 1/(G-1) sum_{j!=i} P(i > j)",
                    "(WinRates.againstOthers; --hard-wins counts wins, 1[P(i > j) > 1/2], as the paper's judge does).",
                    "Every --reward must be pairwise: pairwise:DIR (a preference model; an LM score head gives",
                    "P = sigmoid(r_i - r_j)) or judge:URL?model=NAME&mode=pairwise (an LLM judge)."},
            footer = {"", "Examples:",
                    "  ./prefer train pref-grpo --model M --prompts prompts.jsonl --reward pairwise:runs/rm --out runs/pref-grpo \\",
                    "      --num-generations 8 --max-completion-length 8 --learning-rate 5e-5 --epsilon-high 0.28",
                    "  ./prefer train pref-grpo --model M --prompts p.jsonl --reward 'judge:http://127.0.0.1:8000/v1?model=qwen&mode=pairwise' --out runs/pg"})
    static final class PrefGrpo implements Callable<Integer> {
        @Mixin
        Common common = new Common();
        @Option(names = "--loss-type", defaultValue = "DAPO", description = "GRPO, BNPO, DR_GRPO or DAPO (token-level normalisation).")
        GrpoLoss.Aggregation lossType;
        @Option(names = "--importance-sampling-level", defaultValue = "TOKEN", description = "TOKEN, SEQUENCE (GSPO) or SEQUENCE_TOKEN.")
        GrpoLoss.RatioLevel level;
        @Option(names = "--hard-wins", description = "Count wins (P(i > j) > 1/2; ties 1/2) instead of averaging win probabilities.")
        boolean hardWins;

        @Override
        public Integer call() {
            common.verb = "pref-grpo";
            common.rewardFor = (spec, opened) -> winRates(spec, hardWins, opened, common.rewardOptions());
            OnlineConfig o = common.online(OnlineConfig.Method.GRPO).lossType(lossType).importanceSamplingLevel(level).build();
            return common.execute(o, null);
        }
    }

    /**
     * A pairwise SPEC as Pref-GRPO's reward: the source's K x K win matrix of each group, reduced to win rates against
     * the other completions ({@link WinRates#againstOthers}, or {@link WinRates#hardAgainstOthers}). A spec that is not
     * pairwise is refused before training.
     */
    /** What the run's config records about a spec-opened source: its models' precision when not float32 ({@code --reward-precision}). */
    static Map<String, Object> provenanceOf(RewardSources.Options options) {
        return options.precision() == dev.prefer.lm.Precision.F32 ? Map.of() : Map.of("precision", options.precision().name());
    }

    static RewardFunction winRates(String spec, boolean hard, List<AutoCloseable> opened, RewardSources.Options options) {
        RewardSpec parsed = RewardSpec.parse(spec);
        boolean pairwise = parsed.kind().equals("pairwise") || (parsed.kind().equals("judge") && "pairwise".equals(parsed.params().get("mode")));
        if (!pairwise) {
            throw new IllegalArgumentException("pref-grpo needs a pairwise reward (pairwise:DIR or judge:URL?...&mode=pairwise), got '" + spec
                    + "'; use prefer train grpo for pointwise rewards");
        }
        if (parsed.weight() != 1) throw RewardSpec.error(spec, "write weights with --reward-weights for pref-grpo");
        RewardSource source = RewardSources.open(spec, options);
        opened.add(source);
        return new RewardFunction() {
            @Override public String name() { return source.name(); }

            @Override public Map<String, Object> provenance() { return provenanceOf(options); }

            @Override
            public double[] score(String prompt, List<String> completions, Map<String, Object> fields) {
                double[][] p = source.score(new Group(prompt, completions, fields)).winProbabilities();
                if (p == null) throw new IllegalStateException("reward '" + spec + "' gave no win matrix");
                int k = completions.size();
                double[] flat = new double[k * k];
                for (int i = 0; i < k; i++) System.arraycopy(p[i], 0, flat, i * k, k);
                return hard ? WinRates.hardAgainstOthers(flat, k) : WinRates.againstOthers(flat, k);
            }
        };
    }

    @Command(name = "rloo", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"RLOO (Ahmadian et al. 2024): leave-one-out baseline over the G completions of a prompt,",
                    "clipped sequence-level importance ratios; --beta puts a KL penalty in the reward."},
            footer = {"", "Examples:",
                    "  ./prefer train rloo --model M --prompts prompts.jsonl --reward verifier:arithmetic --out runs/rloo --num-generations 4"})
    static final class Rloo implements Callable<Integer> {
        @Mixin
        Common common = new Common();
        @Option(names = "--normalize-advantages", description = "Whiten the advantages over the batch.")
        boolean normalize;

        @Override
        public Integer call() {
            return common.execute(common.online(OnlineConfig.Method.RLOO).normalizeAdvantages(normalize).build(), null);
        }
    }

    @Command(name = "reinforce-pp", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"REINFORCE++ (Hu et al. 2025): token-level returns with a KL penalty (--beta), whitened over the batch;",
                    "REINFORCE++-baseline (group mean subtracted first) unless --no-baseline."},
            footer = {"", "Examples:",
                    "  ./prefer train reinforce-pp --model M --prompts prompts.jsonl --reward verifier:arithmetic --out runs/rpp --beta 0.01"})
    static final class ReinforcePp implements Callable<Integer> {
        @Mixin
        Common common = new Common();
        @Option(names = "--no-baseline", description = "Plain REINFORCE++ (no group-mean baseline).")
        boolean noBaseline;
        @Option(names = "--kl-estimator", defaultValue = "K1", description = "K1, K2 or K3 per-token KL in the reward.")
        Advantages.KlEstimator estimator;

        @Override
        public Integer call() {
            return common.execute(common.online(OnlineConfig.Method.REINFORCE_PP).reinforceBaseline(!noBaseline).klEstimator(estimator).build(), null);
        }
    }

    @Command(name = "online-dpo", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"Online DPO (Guo et al. 2024): each step samples G completions per prompt from the current policy,",
                    "pairs the best against the worst by reward, and applies a pairwise objective of `prefer objectives` (default dpo);",
                    "a listwise objective (lipo-lambda, plackett-luce, softmax-listwise) trains on each prompt's G completions ranked",
                    "by reward (labels: reward minus the group's lowest; all-tied groups skipped)."},
            footer = {"", "Examples:",
                    "  ./prefer train online-dpo --model M --prompts prompts.jsonl --reward verifier:arithmetic --out runs/odpo --num-generations 4",
                    "  ./prefer train online-dpo --model M --prompts p.jsonl --reward verifier:arithmetic --out runs/oipo --objective ipo",
                    "  ./prefer train online-dpo --model M --prompts p.jsonl --reward verifier:arithmetic --out runs/olipo --objective lipo-lambda"})
    static final class OnlineDpo implements Callable<Integer> {
        @Mixin
        Common common = new Common();
        @Option(names = "--objective", defaultValue = "dpo", description = "Pairwise or listwise objective name (see `prefer objectives`).")
        String objective;
        @Option(names = "--objective-params", paramLabel = "K=V,...", description = "Overrides of the objective's own defaults.")
        String params;
        @Option(names = "--missing-eos-penalty", paramLabel = "P", description = "Subtracted from the reward of completions without eos.")
        Double missingEosPenalty;

        @Override
        public Integer call() {
            Objective o = ObjectiveCatalog.create(objective, ObjectiveCatalog.parseParams(params));
            OnlineConfig oc = common.online(OnlineConfig.Method.ONLINE_DPO)
                    .missingEosPenalty(missingEosPenalty == null ? Double.NaN : missingEosPenalty).build();
            return common.execute(oc, o);
        }
    }

    /** Options of the rounds methods (SPPO, DNO, INPO). */
    static final class RoundOptions {
        @Option(names = "--round-batches", defaultValue = "1", description = "Generation batches per round: all sampled from the round's policy pi_t before any update, pi_t the reference.")
        int roundBatches;
    }

    @Command(name = "nash-md", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"Nash-MD (Munos et al. 2024, arXiv 2312.00886; TRL's NashMDTrainer): each policy sample is compared with a sample",
                    "of the geometric mixture pi^(1-alpha) * ref^alpha; loss -(P(y > y') - 1/2) log pi(y) + beta KL. --beta is the KL strength",
                    "(TRL's default 0.1). A pairwise --reward gives P directly; a pointwise one gives sigmoid(r(y) - r(y'))."},
            footer = {"", "Examples:",
                    "  ./prefer train nash-md --model M --prompts prompts.jsonl --reward pairwise:runs/prm --out runs/nash --beta 0.1 --mixture-coef 0.5 --num-generations 2"})
    static final class NashMd implements Callable<Integer> {
        @Mixin
        Common common = new Common();
        @Option(names = "--mixture-coef", defaultValue = "0.5", description = "alpha of the geometric mixture (0: the policy, 1: the reference).")
        double mixtureCoef;

        @Override
        public Integer call() {
            return common.execute(common.online(OnlineConfig.Method.NASH_MD).mixtureCoef(mixtureCoef).build(), null);
        }
    }

    @Command(name = "sppo", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"SPPO (Wu et al. 2024, arXiv 2405.00675): rounds of K samples per prompt from pi_t, win rates P(y > pi_t) from a",
                    "pairwise --reward (or sigmoid of reward differences), square loss (log pi/pi_t - eta (P - 1/2))^2."},
            footer = {"", "Examples:",
                    "  ./prefer train sppo --model M --prompts prompts.jsonl --reward pairwise:runs/prm --out runs/sppo --num-generations 5 --eta 1000 --round-batches 8"})
    static final class Sppo implements Callable<Integer> {
        @Mixin
        Common common = new Common();
        @Mixin
        RoundOptions rounds = new RoundOptions();
        @Option(names = "--eta", defaultValue = "1000", description = "eta = 1/beta (the paper's beta 0.001).")
        double eta;

        @Override
        public Integer call() {
            return common.execute(common.online(OnlineConfig.Method.SPPO).eta(eta).roundBatches(rounds.roundBatches).build(), null);
        }
    }

    @Command(name = "dno", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"DNO (Rosset et al. 2024, arXiv 2404.03715): rounds of K samples per prompt from pi_t, win rates against the other",
                    "samples, large-margin best-vs-worst pairs, a pairwise objective (default dpo) with pi_t as the reference."},
            footer = {"", "Examples:",
                    "  ./prefer train dno --model M --prompts prompts.jsonl --reward pairwise:runs/prm --out runs/dno --num-generations 4 --margin 0.1 --round-batches 8"})
    static final class Dno implements Callable<Integer> {
        @Mixin
        Common common = new Common();
        @Mixin
        RoundOptions rounds = new RoundOptions();
        @Option(names = "--objective", defaultValue = "dpo", description = "Pairwise objective name (see `prefer objectives`).")
        String objective;
        @Option(names = "--objective-params", paramLabel = "K=V,...", description = "Overrides of the objective's own defaults.")
        String params;
        @Option(names = "--margin", defaultValue = "0.05", description = "Pairs whose win-rate gap is below this are dropped.")
        double margin;

        @Override
        public Integer call() {
            Objective o = ObjectiveCatalog.create(objective, ObjectiveCatalog.parseParams(params));
            return common.execute(common.online(OnlineConfig.Method.DNO).margin(margin).roundBatches(rounds.roundBatches).build(), o);
        }
    }

    @Command(name = "inpo", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"INPO (Zhang et al. 2024, arXiv 2407.00617): rounds of samples from pi_t, best-vs-worst pairs by a pairwise --reward,",
                    "loss (log pi(w)/pi(l) - eta*tau log ref(w)/ref(l) - (1 - eta*tau) log pi_t(w)/pi_t(l) - eta/2)^2 (online mirror descent)."},
            footer = {"", "Examples:",
                    "  ./prefer train inpo --model M --prompts prompts.jsonl --reward pairwise:runs/prm --out runs/inpo --num-generations 4 --eta 1 --tau 0.1"})
    static final class Inpo implements Callable<Integer> {
        @Mixin
        Common common = new Common();
        @Mixin
        RoundOptions rounds = new RoundOptions();
        @Option(names = "--eta", defaultValue = "1.0", description = "Mirror-descent step eta (our default; the paper's value was not checked).")
        double eta;
        @Option(names = "--tau", defaultValue = "0.1", description = "KL strength toward the reference (eta*tau <= 1; 0 loads no reference).")
        double tau;

        @Override
        public Integer call() {
            return common.execute(common.online(OnlineConfig.Method.INPO).eta(eta).tau(tau).roundBatches(rounds.roundBatches).build(), null);
        }
    }
}
