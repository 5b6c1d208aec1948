package dev.prefer.cli;

import dev.prefer.quickstart.Quickstart;
import dev.prefer.quickstart.QuickstartConfig;
import dev.prefer.quickstart.SeedStudy;
import dev.prefer.train.TrainingException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code prefer quickstart}: a thin layer over {@link Quickstart#run(QuickstartConfig)}. */
@Command(name = "quickstart", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"The whole loop in minutes: a small model from nothing, SFT, on-policy preference rounds, before/after report.",
                "Builds a small language model, teaches it a verifiable task by SFT, aligns it on preference pairs made from",
                "its own verifier-scored samples, and reports held-out accuracy before and after: OUT/report.html,",
                "OUT/summary.json, OUT/manifest.json.",
                "The SFT data come from a weak demonstrator (it forgets the carry on 60%% of the problems that need one;",
                "--demo-slip-rate 0: exact), and a compute-matched control (more SFT) is trained beside the objectives.",
                "Defaults take under three minutes on a 2-core CPU; see docs/quickstart.md."},
        footer = {"", "Examples:",
                "  ./prefer quickstart",
                "  ./prefer quickstart --overwrite            # replace the previous run in runs/quickstart",
                "  ./prefer quickstart --seed 1 --out runs/qs-seed1",
                "  ./prefer quickstart --seeds 0,1,2 --out runs/qs-seeds   # does the gain beat seed noise?",
                "  ./prefer quickstart --objective rpo,dpo,ipo,plackett-luce --out runs/qs-compare",
                "  ./prefer quickstart --method grpo --out runs/qs-grpo       # GRPO on the verifier after SFT",
                "  ./prefer quickstart --method pref-grpo --out runs/qs-pg    # a learned pairwise judge as the only reward",
                "  ./prefer quickstart --method nash-md --out runs/qs-nash    # Nash-MD against that learned judge",
                "  ./prefer quickstart --demo-slip-rate 0 --out runs/qs-exact   # exact demonstrations",
                "  ./prefer quickstart --task format --sft-steps 1500 --out runs/qs-format",
                "  ./prefer quickstart --model runs/quickstart/sft --prompts my-prompts.jsonl --task arithmetic --out runs/qs-mine"})
public final class QuickstartCommand implements Callable<Integer> {
    private static final QuickstartConfig D = QuickstartConfig.defaults(Path.of("runs/quickstart"));

    @Option(names = "--out", defaultValue = "runs/quickstart", paramLabel = "DIR", description = "Output folder (must be empty or absent, unless --overwrite).")
    Path out;
    @Option(names = "--overwrite", description = "Replace --out if it holds an earlier quickstart run (its manifest.json says kind quickstart); any other non-empty folder is still refused.")
    boolean overwrite;
    @Option(names = "--task", defaultValue = "arithmetic", description = "Built-in task: arithmetic, format or counting.")
    String task;
    @Option(names = "--seed", defaultValue = "0", description = "The one seed every stage derives its seeds from.")
    long seed;
    @Option(names = "--seeds", split = ",", paramLabel = "S", description = "Seed study instead of one run: the whole pipeline once per seed (OUT/seed-S), "
            + "then per-seed accuracy gains with bootstrap intervals, their mean over seeds with a t-interval, and whether the gain beats seed noise (OUT/seeds.json).")
    List<Long> seeds;
    @Option(names = "--model", paramLabel = "DIR", description = "Align this Hugging Face model folder (config.json, weights, tokenizer) instead of building one: no setup model, no SFT; it is the starting policy and the reference.")
    Path model;
    @Option(names = "--prompts", paramLabel = "FILE", description = "JSONL rows {\"prompt\": ...} for --task's verifier instead of drawn problems; split into training and held-out prompts by a hash of each prompt (up to --train-count / --held-out-count).")
    Path prompts;
    @Option(names = "--train-count", description = "Training problems.")
    int trainCount = D.trainCount();
    @Option(names = "--held-out-count", description = "Held-out problems.")
    int heldOutCount = D.heldOutCount();
    @Option(names = "--layers", description = "Decoder layers of the fresh model.")
    int layers = D.layers();
    @Option(names = "--hidden-size", description = "Model width.")
    int hiddenSize = D.hiddenSize();
    @Option(names = "--vocab-size", description = "Tokenizer (and model) vocabulary.")
    int vocabSize = D.vocabSize();
    @Option(names = "--sft-steps", description = "SFT optimizer steps.")
    int sftSteps = D.sftSteps();
    @Option(names = "--sft-learning-rate", description = "SFT peak learning rate (cosine schedule).")
    double sftLr = D.sftLearningRate();
    @Option(names = "--sft-batch-size", description = "SFT rows per step.")
    int sftBatch = D.sftBatch();
    @Option(names = "--objective", split = ",", paramLabel = "NAME", description = "Preference objective(s), each its own run from the SFT model (e.g. dpo,ipo,plackett-luce).")
    List<String> objectives = D.objectives();
    @Option(names = "--rounds", description = "On-policy rounds per objective: sample, score, pair, train.")
    int rounds = D.rounds();
    @Option(names = "--prompts-per-round", description = "Training prompts sampled per round.")
    int promptsPerRound = D.promptsPerRound();
    @Option(names = "--samples-per-prompt", description = "k responses per prompt.")
    int k = D.samplesPerPrompt();
    @Option(names = "--steps-per-round", description = "Preference optimizer steps per round.")
    int prefSteps = D.prefSteps();
    @Option(names = "--learning-rate", description = "Preference learning rate, after each round's 10%% warm-up (also the control's).")
    double prefLr = D.prefLearningRate();
    @Option(names = "--objective-learning-rate", split = ",", paramLabel = "NAME=LR",
            description = "Learning rate of named objectives, overriding --learning-rate for them (e.g. dpo=1e-5,ipo=1e-5).")
    java.util.Map<String, Double> objectiveLr = new java.util.LinkedHashMap<>(D.objectiveLearningRates());
    @Option(names = "--reference", description = "Preference reference: sft (the SFT model every round) or previous (the policy that started the round; iterative DPO).")
    String reference = QuickstartConfig.name(D.reference());
    @Option(names = "--pairs", description = "Pairs per prompt from the k scored samples: best-vs-worst or all (every pair of distinct scores); listwise objectives get the ranked list.")
    String pairs = QuickstartConfig.name(D.pairs());
    @Option(names = "--schedule", description = "Learning-rate schedule within each preference round after a 10%% warm-up: cosine (to 0) or constant.")
    String schedule = D.prefSchedule().name().toLowerCase(java.util.Locale.ROOT);
    @Option(names = "--include-greedy", negatable = true, description = "Add the policy's greedy response to each prompt's samples before pairing (pairs then target greedy decoding's errors).")
    boolean includeGreedy = D.includeGreedy();
    @Option(names = "--pref-prompts", paramLabel = "N", description = "Training prompts reserved for the preference rounds, drawn beyond the SFT problems and never shown to SFT; 0: the rounds sample the SFT problems' prompts.")
    int prefPrompts = D.prefPromptCount();
    @Option(names = "--demo-slip-rate", paramLabel = "P", description = "Share of the SFT problems with a ones carry (arithmetic) on which the demonstrator forgets it and the SFT data show that wrong answer; 0: exact demonstrations.")
    double demoSlipRate = D.demoSlipRate();
    @Option(names = "--sft-control", negatable = true, description = "Also train the compute-matched control: the SFT model on the same demonstrations for as many steps, rows and learning rate as one preference run (row sft-continued).")
    boolean sftControl = D.sftControl();
    @Option(names = "--truncate-rejected", negatable = true, description = "Cut each rejected response after its first character that differs from the chosen one (only the first wrong step is pushed down; Step-DPO's rejected continuation).")
    boolean truncateRejected = D.truncateRejected();
    @Option(names = "--batch-size", description = "Pairs (or lists) per preference step.")
    int prefBatch = D.prefBatch();
    @Option(names = "--beta", description = "The objective's beta (IPO: tau).")
    double beta = D.beta();
    @Option(names = "--temperature", description = "Sampling temperature (training data and sampled evaluation).")
    double temperature = D.temperature();
    @Option(names = "--eval-samples", description = "Samples per held-out prompt for sampled accuracy and KL.")
    int evalSamples = D.evalSamples();
    @Option(names = "--reward", paramLabel = "SPEC", description = "Score the rounds' samples with this reward source instead of the task's "
            + "verifier (repeatable; verifier:TASK, model:DIR, pairwise:DIR, judge:URL?..., W*SPEC; see `prefer score --help`). "
            + "Held-out accuracy is always the verifier's.")
    java.util.List<String> rewards = new java.util.ArrayList<>();
    @Option(names = "--method", paramLabel = "M", description = "What runs after SFT: rpo (the preference rounds of --objective), or one online method "
            + "from the SFT model: grpo, rloo, online-dpo (verifier reward), pref-grpo (win rates under a pairwise judge learned from "
            + "verifier-labelled pairs; the RL never calls the verifier), nash-md (Nash-MD against that learned judge). Settings of docs/results/online.md.")
    String method = D.online().method();
    @Option(names = "--online-steps", description = "Optimizer steps of an online --method.")
    int onlineSteps = D.online().steps();
    @Option(names = "--online-prompts", description = "Prompts per step of an online --method.")
    int onlinePrompts = D.online().promptsPerStep();
    @Option(names = "--num-generations", description = "Completions per prompt (G) of an online --method.")
    int generations = D.online().generations();
    @Option(names = "--online-learning-rate", description = "Learning rate of an online --method (constant after 10%% warm-up).")
    double onlineLr = D.online().learningRate();
    @Option(names = "--judge-steps", description = "pref-grpo, nash-md: optimizer steps of the learned judge.")
    int judgeSteps = D.online().judge().steps();
    @Option(names = "--judge-prompts", description = "pref-grpo, nash-md: training prompts sampled for the judge's pairs (0: all).")
    int judgePrompts = D.online().judge().prompts();

    @Override
    public Integer call() {
        QuickstartConfig c = new QuickstartConfig(out,
                new QuickstartConfig.Setup(task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, model, prompts, prefPrompts, demoSlipRate),
                new QuickstartConfig.Sft(sftSteps, sftLr, sftBatch, sftControl),
                new QuickstartConfig.Preference(objectives, rounds, promptsPerRound, k, temperature, prefSteps, prefLr, prefBatch, beta,
                        QuickstartConfig.reference(reference), QuickstartConfig.pairs(pairs), objectiveLr, schedule(schedule), includeGreedy,
                        truncateRejected, rewards),
                evalSamples,
                new QuickstartConfig.Online(method, onlineSteps, onlinePrompts, generations, onlineLr,
                        D.online().judge().withSteps(judgeSteps, D.online().judge().learningRate()).withPrompts(judgePrompts)));
        replaceEarlierRun();
        try {
            if (seeds != null && !seeds.isEmpty()) SeedStudy.run(c, seeds, System.out);
            else Quickstart.run(c, System.out);
            return 0;
        } catch (TrainingException e) {
            System.err.println("prefer: " + e.getMessage());
            return 3;
        }
    }

    private static dev.prefer.train.TrainConfig.Schedule schedule(String name) {
        return switch (name) {
            case "cosine" -> dev.prefer.train.TrainConfig.Schedule.COSINE;
            case "constant" -> dev.prefer.train.TrainConfig.Schedule.CONSTANT;
            default -> throw new IllegalArgumentException("unknown schedule: " + name + " (cosine or constant)");
        };
    }

    /** Empties --out when asked to and it is an earlier quickstart run; otherwise leaves it for the library to judge. */
    private void replaceEarlierRun() {
        if (!java.nio.file.Files.isDirectory(out)) return;
        try (var entries = java.nio.file.Files.list(out)) {
            if (entries.findAny().isEmpty()) return;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (!overwrite) {
            throw new IllegalArgumentException("output folder exists and is not empty: " + out + " (pass --overwrite to replace an earlier quickstart run, or --out DIR)");
        }
        java.nio.file.Path manifest = out.resolve("manifest.json");
        boolean earlierRun = java.nio.file.Files.isRegularFile(manifest)
                && "quickstart".equals(dev.prefer.data.Json.readObject(manifest).path("kind").asText());
        if (!earlierRun) throw new IllegalArgumentException("--overwrite refused: " + out + " is not an earlier quickstart run (no manifest.json of kind quickstart)");
        try (var walk = java.nio.file.Files.walk(out)) {
            for (java.nio.file.Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(out)) java.nio.file.Files.delete(p);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
