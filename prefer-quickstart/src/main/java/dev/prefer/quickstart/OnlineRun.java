package dev.prefer.quickstart;

import dev.prefer.eval.tasks.Problem;
import dev.prefer.eval.tasks.VerifiableTask;
import dev.prefer.lm.CausalLM;
import dev.prefer.objectives.online.GrpoLoss;
import dev.prefer.objectives.online.WinRates;
import dev.prefer.reward.source.Group;
import dev.prefer.reward.source.RewardSource;
import dev.prefer.reward.source.RewardSources;
import dev.prefer.train.TrainConfig;
import dev.prefer.train.Trainer;
import dev.prefer.train.online.OnlineConfig;
import dev.prefer.train.online.OnlinePrompt;
import dev.prefer.train.online.OnlineTrainer;
import dev.prefer.train.online.RewardFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code prefer quickstart --method grpo|rloo|online-dpo|pref-grpo|nash-md}: one online run from the SFT model in memory
 * ({@link OnlineTrainer}), with the settings of docs/results/online.md (see {@link QuickstartConfig.Online}), evaluated
 * like the preference rounds. pref-grpo and nash-md first learn their pairwise judge ({@link LearnedJudge}) unless reward specs
 * are given.
 */
final class OnlineRun {
    private OnlineRun() {}

    static Quickstart.ObjectiveRun run(Quickstart.Stages st, CausalLM sft) {
        QuickstartConfig c = st.c;
        QuickstartConfig.Online o = c.online();
        String m = o.method();
        st.seeds.put(m + " (prompt order, sampling)", c.seed());
        List<OnlinePrompt> prompts = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (String[] p : st.trainPrompts) {
            prompts.add(OnlinePrompt.of(p[0])); // the prompt only: no reference answer reaches the reward
            texts.add(p[0]);
        }
        RewardSource judge = null;
        RewardFunction reward;
        if (judged(m)) {
            RewardSource source = st.rewardSource;
            if (source == null) {
                long judgeSeed = c.seed() * 1_000_003L + 77;
                st.seeds.put(m + " judge (prompt draw, sampling, pairing, head, data order)", judgeSeed);
                st.stage(m + ": learn a pairwise judge from verifier-labelled pairs of the SFT model's samples");
                LearnedJudge.Result jr = LearnedJudge.train(sft, st.sftDir, st.task, texts, o.judge().withSeed(judgeSeed), st.maxNew,
                        st.root.resolve("judge"), st.out);
                st.out.printf(Locale.ROOT, "  judge pair accuracy: training %.3f, validation %.3f (%d / %d pairs, %.0f s)%n", jr.trainAccuracy(),
                        jr.validationAccuracy(), jr.trainPairs(), jr.validationPairs(), jr.seconds());
                judge = RewardSources.open(jr.spec(), RewardSources.Options.defaults());
                source = judge;
            }
            reward = winRates(source);
        } else if (st.rewardSource != null) {
            RewardSource source = st.rewardSource;
            reward = new RewardFunction() {
                @Override public String name() { return source.name(); }

                @Override
                public double[] score(String prompt, List<String> completions, Map<String, Object> fields) {
                    return source.score(prompt, completions, fields);
                }
            };
        } else {
            VerifiableTask<Problem> task = st.task;
            reward = RewardFunction.of(c.task(), (p, x) -> task.verify(p, x).score());
        }
        OnlineConfig.Method method = switch (m) {
            case "rloo" -> OnlineConfig.Method.RLOO;
            case "online-dpo" -> OnlineConfig.Method.ONLINE_DPO;
            case "nash-md" -> OnlineConfig.Method.NASH_MD;
            default -> OnlineConfig.Method.GRPO; // grpo, pref-grpo
        };
        boolean needsReference = method == OnlineConfig.Method.ONLINE_DPO || method == OnlineConfig.Method.NASH_MD;
        st.stage(m + ": " + o.steps() + " steps of " + o.promptsPerStep() + " prompts x " + o.generations() + " samples at lr " + o.learningRate()
                + (m.equals("pref-grpo") ? ", reward = win rate under the pairwise judge"
                : m.equals("nash-md") ? ", p = the pairwise judge's P(policy sample > mixture sample)" : ", reward = " + reward.name()));
        TrainConfig tc = TrainConfig.builder(TrainConfig.Task.PREFERENCE).objective(QuickstartConfig.objective("dpo", c.beta()))
                .learningRate(o.learningRate()).schedule(TrainConfig.Schedule.CONSTANT, o.steps() / 10).maxSteps(o.steps())
                .batchSize(o.promptsPerStep()).seed(c.seed()).every(Math.max(1, o.steps() / 20), 0, 0).out(st.root.resolve(m)).build();
        OnlineConfig oc = OnlineConfig.builder(method).numGenerations(o.generations()).maxCompletionLength(st.maxNew)
                .lossType(GrpoLoss.Aggregation.DAPO).epsilon(0.2, 0.28)
                .beta(method == OnlineConfig.Method.NASH_MD ? 0.1 : 0).build(); // nash-md: TRL's beta 0.1 and mixture 0.5
        try (RewardSource closeJudge = judge; CausalLM policy = CausalLM.load(st.sftDir)) {
            Trainer.TrainResult r = OnlineTrainer.train(policy, needsReference ? sft : null, tc, oc, prompts, List.of(),
                    List.of(reward), st.out);
            st.stage("evaluate " + m);
            return st.evaluateRun(m, r.out(), policy, sft, List.of(), Quickstart.toCurve(m, Quickstart.points(r.history(), "loss", 0)),
                    Quickstart.toCurve(m, Quickstart.points(r.history(), "reward", 0)));
        }
    }

    /** The methods that read a pairwise judge (learned first unless reward specs are given). */
    static boolean judged(String method) {
        return method.equals("pref-grpo") || method.equals("nash-md");
    }

    /**
     * Pref-GRPO's reward (Wang et al. 2025, arXiv 2508.20751): each completion's mean win probability against the other
     * completions of its group ({@link WinRates#againstOthers}) from a pairwise source's K x K matrix.
     */
    static RewardFunction winRates(RewardSource source) {
        return new RewardFunction() {
            @Override public String name() { return source.name(); }

            @Override
            public double[] score(String prompt, List<String> completions, Map<String, Object> fields) {
                return scoreGroup(prompt, completions, fields).rewards();
            }

            @Override
            public Scored scoreGroup(String prompt, List<String> completions, Map<String, Object> fields) {
                double[][] p = source.score(new Group(prompt, completions, fields)).winProbabilities();
                if (p == null) throw new IllegalArgumentException("pref-grpo and nash-md need a pairwise reward (pairwise:DIR or a pairwise judge); '" + source.name() + "' gives no win matrix");
                int k = completions.size();
                double[] flat = new double[k * k];
                for (int i = 0; i < k; i++) System.arraycopy(p[i], 0, flat, i * k, k);
                return new Scored(WinRates.againstOthers(flat, k), p); // Nash-MD reads the matrix itself
            }
        };
    }
}
