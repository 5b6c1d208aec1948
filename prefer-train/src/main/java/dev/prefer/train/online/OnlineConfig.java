package dev.prefer.train.online;

import dev.prefer.objectives.online.Advantages;
import dev.prefer.objectives.online.GrpoLoss;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The on-policy part of an online run, with TRL's {@code GRPOConfig} names in camelCase and its defaults where it has
 * them; the rest (optimizer, loop, LoRA, output) is the run's {@code TrainConfig}. There, {@code batchSize} counts
 * prompts per generation batch (each sampled {@code numGenerations} times) and {@code gradAccumulation} splits the
 * batch's prompts into that many forward passes.
 *
 * <pre>{@code
 * OnlineConfig o = OnlineConfig.builder(Method.GRPO).numGenerations(8).maxCompletionLength(16)
 *         .lossType(GrpoLoss.Aggregation.DAPO).epsilon(0.2, 0.28).build();
 * }</pre>
 *
 * @param method                    GRPO, RLOO, REINFORCE++ (with or without group baseline), online DPO, or the Nash and
 *                                  self-play methods Nash-MD, SPPO, DNO, INPO
 * @param numGenerations            completions per prompt G (default 8; RLOO, online DPO, SPPO, DNO, INPO need at least 2;
 *                                  Nash-MD also samples G from the mixture)
 * @param maxCompletionLength       new-token budget per completion (default 256)
 * @param temperature               sampling temperature (default 1)
 * @param topP                      nucleus sampling (default 1: off)
 * @param topK                      top-k sampling (default 0: off)
 * @param numIterations             optimizer steps per generation batch (TRL's μ, default 1); with more than 1 the
 *                                  sampling policy's per-token log-probs are kept for the importance ratios
 * @param lossType                  GRPO aggregation: grpo, bnpo, dr_grpo or dapo (TRL's default dapo)
 * @param epsilon                   lower clipping ε_low (default 0.2)
 * @param epsilonHigh               upper clipping ε_high (default: epsilon; DAPO uses 0.28)
 * @param delta                     upper bound of the unclipped ratio (NaN: none, the default)
 * @param beta                      KL strength: k3 KL in the GRPO loss, KL-shaped rewards for RLOO and REINFORCE++,
 *                                  Nash-MD's KL term (TRL's default there: 0.1)
 *                                  (default 0: no reference model is run)
 * @param scaleRewards              GRPO advantage scaling: group, batch or none (default group)
 * @param importanceSamplingLevel   token, sequence (GSPO) or sequence-token ratios (default token)
 * @param maskTruncatedCompletions  completions that hit the length limit carry no loss (default false)
 * @param rewardWeights             one weight per reward function (empty: all 1)
 * @param multiObjectiveAggregation sum then normalise (default) or normalise then sum (GDPO)
 * @param normalizeAdvantages       RLOO: whiten advantages over the batch (TRL default false)
 * @param reinforceBaseline         REINFORCE++: subtract the group mean reward first (REINFORCE++-baseline; default true)
 * @param klEstimator               REINFORCE++: per-token KL estimator of the reward penalty (default K1)
 * @param missingEosPenalty         online DPO: subtracted from the reward of completions without eos (NaN: off)
 * @param selfPlay                  Nash-MD, SPPO, DNO and INPO: mixture coefficient, step sizes, rounds, margin
 */
public record OnlineConfig(Method method, int numGenerations, int maxCompletionLength, double temperature, double topP, int topK,
                           int numIterations, GrpoLoss.Aggregation lossType, double epsilon, double epsilonHigh, double delta,
                           double beta, Advantages.ScaleRewards scaleRewards, GrpoLoss.RatioLevel importanceSamplingLevel,
                           boolean maskTruncatedCompletions, List<Double> rewardWeights,
                           Advantages.Aggregation multiObjectiveAggregation, boolean normalizeAdvantages,
                           boolean reinforceBaseline, Advantages.KlEstimator klEstimator, double missingEosPenalty,
                           SelfPlay selfPlay) {

    /** The online method. */
    public enum Method {
        GRPO("grpo"), RLOO("rloo"), REINFORCE_PP("reinforce-pp"), ONLINE_DPO("online-dpo"),
        NASH_MD("nash-md"), SPPO("sppo"), DNO("dno"), INPO("inpo");

        private final String cliName;

        Method(String cliName) {
            this.cliName = cliName;
        }

        /** The name of the CLI verb, e.g. {@code reinforce-pp}. */
        public String cliName() {
            return cliName;
        }

        /** The Nash and self-play methods: preferences between samples rather than pointwise rewards. */
        public boolean selfPlay() {
            return this == NASH_MD || this == SPPO || this == DNO || this == INPO;
        }

        /** The methods iterated in rounds against the round's own policy π_t (SPPO, DNO, INPO). */
        public boolean rounds() {
            return this == SPPO || this == DNO || this == INPO;
        }

        /** The methods that train a pairwise objective of the catalog on best-versus-worst pairs. */
        public boolean catalogPairs() {
            return this == ONLINE_DPO || this == DNO;
        }
    }

    /**
     * The parameters of the Nash and self-play methods (ignored by the others).
     *
     * @param mixtureCoef  Nash-MD's α: the second sample comes from π_θ^{1−α} π_ref^α (TRL's default 0.5)
     * @param eta          SPPO's η = 1/β (paper β = 0.001, η = 1000) or INPO's mirror-descent step η; NaN: the
     *                     method's default ({@link #eta(Method)})
     * @param tau          INPO's KL strength τ toward the reference (default 0.1; ητ ≤ 1; 0 loads no reference)
     * @param roundBatches SPPO, DNO, INPO: generation batches per round. A round samples all its batches from π_t
     *                     (the policy at the round start) before any update, and trains against π_t as the
     *                     reference (default 1: each generation batch is a round)
     * @param margin       DNO: best-versus-worst pairs whose win-rate gap is below this are dropped (default 0.05);
     *                     INPO drops ties only
     */
    public record SelfPlay(double mixtureCoef, double eta, double tau, int roundBatches, double margin) {
        public SelfPlay {
            require(mixtureCoef >= 0 && mixtureCoef <= 1, "mixture coef must be in [0, 1]");
            require(Double.isNaN(eta) || (eta > 0 && Double.isFinite(eta)), "eta must be > 0");
            require(tau >= 0 && Double.isFinite(tau), "tau must be >= 0");
            require(roundBatches >= 1, "round batches must be >= 1");
            require(margin >= 0 && Double.isFinite(margin), "margin must be >= 0");
        }

        public static SelfPlay defaults() {
            return new SelfPlay(0.5, Double.NaN, 0.1, 1, 0.05);
        }

        /**
         * η for {@code method}: the configured one, else SPPO's paper value 1000 (β = 0.001) or 1 for INPO (a
         * choice of ours: the paper's value was not reachable here).
         */
        public double eta(Method method) {
            if (!Double.isNaN(eta)) return eta;
            return method == Method.SPPO ? 1000.0 : 1.0;
        }
    }

    public OnlineConfig {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(lossType, "lossType");
        Objects.requireNonNull(scaleRewards, "scaleRewards");
        Objects.requireNonNull(importanceSamplingLevel, "importanceSamplingLevel");
        Objects.requireNonNull(multiObjectiveAggregation, "multiObjectiveAggregation");
        Objects.requireNonNull(klEstimator, "klEstimator");
        if (selfPlay == null) selfPlay = SelfPlay.defaults();
        rewardWeights = List.copyOf(rewardWeights == null ? List.of() : rewardWeights);
        if (Double.isNaN(epsilonHigh)) epsilonHigh = epsilon;
        require(numGenerations >= 1, "num generations must be >= 1");
        require(numGenerations >= 2 || (method != Method.RLOO && method != Method.ONLINE_DPO && !method.rounds()),
                method.cliName() + " needs num generations >= 2");
        require(maxCompletionLength >= 1, "max completion length must be >= 1");
        require(temperature > 0 && Double.isFinite(temperature), "temperature must be > 0");
        require(topP > 0 && topP <= 1, "top-p must be in (0, 1]");
        require(topK >= 0, "top-k must be >= 0");
        require(numIterations >= 1, "num iterations must be >= 1");
        require(numIterations == 1 || method != Method.ONLINE_DPO, "online-dpo takes one step per generation batch (num iterations 1)");
        require(numIterations == 1 || method != Method.NASH_MD, "nash-md takes one step per generation batch (num iterations 1)");
        require(method != Method.INPO || selfPlay.eta(method) * selfPlay.tau() <= 1, "inpo needs eta * tau <= 1");
        require(epsilon >= 0 && epsilon < 1, "epsilon must be in [0, 1)");
        require(epsilonHigh >= 0 && Double.isFinite(epsilonHigh), "epsilon high must be finite and >= 0");
        require(Double.isNaN(delta) || (delta > 0 && Double.isFinite(delta)), "delta must be > 0 (or unset)");
        require(beta >= 0 && Double.isFinite(beta), "beta must be >= 0");
        for (Double w : rewardWeights) require(w != null && Double.isFinite(w), "reward weights must be finite");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** Whether the reference model's log-probs are needed. */
    public boolean needsReference(dev.prefer.objectives.Objective objective) {
        return switch (method) {
            case ONLINE_DPO -> objective.requirements().reference();
            case NASH_MD -> true;                 // the mixture and the KL term
            case INPO -> selfPlay.tau() > 0;
            case SPPO, DNO -> false;              // π_t is the policy itself at the round start
            default -> beta > 0;
        };
    }

    /** Optimizer steps per round (a round is {@code roundBatches} generation batches of the rounds methods). */
    public int stepsPerRound() {
        return (method.rounds() ? selfPlay.roundBatches() : 1) * numIterations;
    }

    /** The weights for {@code n} reward functions. */
    public double[] weights(int n) {
        if (rewardWeights.isEmpty()) {
            double[] w = new double[n];
            java.util.Arrays.fill(w, 1.0);
            return w;
        }
        if (rewardWeights.size() != n) {
            throw new IllegalArgumentException(rewardWeights.size() + " reward weights for " + n + " reward functions");
        }
        return rewardWeights.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The config as a JSON-friendly map in TRL's snake_case names (manifest and resume check). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method.cliName());
        m.put("num_generations", numGenerations);
        m.put("max_completion_length", maxCompletionLength);
        m.put("temperature", temperature);
        m.put("top_p", topP);
        m.put("top_k", topK);
        m.put("num_iterations", numIterations);
        m.put("loss_type", lossType.name().toLowerCase(Locale.ROOT));
        m.put("epsilon", epsilon);
        m.put("epsilon_high", epsilonHigh);
        if (!Double.isNaN(delta)) m.put("delta", delta);
        m.put("beta", beta);
        m.put("scale_rewards", scaleRewards.name().toLowerCase(Locale.ROOT));
        m.put("importance_sampling_level", importanceSamplingLevel.name().toLowerCase(Locale.ROOT));
        m.put("mask_truncated_completions", maskTruncatedCompletions);
        m.put("reward_weights", rewardWeights);
        m.put("multi_objective_aggregation", multiObjectiveAggregation.name().toLowerCase(Locale.ROOT));
        m.put("normalize_advantages", normalizeAdvantages);
        m.put("reinforce_baseline", reinforceBaseline);
        m.put("kl_estimator", klEstimator.name().toLowerCase(Locale.ROOT));
        if (!Double.isNaN(missingEosPenalty)) m.put("missing_eos_penalty", missingEosPenalty);
        if (method == Method.NASH_MD) m.put("mixture_coef", selfPlay.mixtureCoef());
        if (method == Method.SPPO || method == Method.INPO) m.put("eta", selfPlay.eta(method));
        if (method == Method.INPO) m.put("tau", selfPlay.tau());
        if (method.rounds()) m.put("round_batches", selfPlay.roundBatches());
        if (method == Method.DNO) m.put("margin", selfPlay.margin());
        return m;
    }

    public static Builder builder(Method method) {
        return new Builder(method);
    }

    public Builder toBuilder() {
        Builder b = new Builder(method);
        b.numGenerations = numGenerations;
        b.maxCompletionLength = maxCompletionLength;
        b.temperature = temperature;
        b.topP = topP;
        b.topK = topK;
        b.numIterations = numIterations;
        b.lossType = lossType;
        b.epsilon = epsilon;
        b.epsilonHigh = epsilonHigh;
        b.delta = delta;
        b.beta = beta;
        b.scaleRewards = scaleRewards;
        b.importanceSamplingLevel = importanceSamplingLevel;
        b.maskTruncatedCompletions = maskTruncatedCompletions;
        b.rewardWeights = rewardWeights;
        b.multiObjectiveAggregation = multiObjectiveAggregation;
        b.normalizeAdvantages = normalizeAdvantages;
        b.reinforceBaseline = reinforceBaseline;
        b.klEstimator = klEstimator;
        b.missingEosPenalty = missingEosPenalty;
        b.selfPlay = selfPlay;
        return b;
    }

    /** Fluent construction with the documented defaults; validated at {@link #build()}. */
    public static final class Builder {
        private Method method;
        private int numGenerations = 8;
        private int maxCompletionLength = 256;
        private double temperature = 1.0;
        private double topP = 1.0;
        private int topK = 0;
        private int numIterations = 1;
        private GrpoLoss.Aggregation lossType = GrpoLoss.Aggregation.DAPO;
        private double epsilon = 0.2;
        private double epsilonHigh = Double.NaN;
        private double delta = Double.NaN;
        private double beta = 0.0;
        private Advantages.ScaleRewards scaleRewards = Advantages.ScaleRewards.GROUP;
        private GrpoLoss.RatioLevel importanceSamplingLevel = GrpoLoss.RatioLevel.TOKEN;
        private boolean maskTruncatedCompletions = false;
        private List<Double> rewardWeights = List.of();
        private Advantages.Aggregation multiObjectiveAggregation = Advantages.Aggregation.SUM_THEN_NORMALIZE;
        private boolean normalizeAdvantages = false;
        private boolean reinforceBaseline = true;
        private Advantages.KlEstimator klEstimator = Advantages.KlEstimator.K1;
        private double missingEosPenalty = Double.NaN;
        private SelfPlay selfPlay = SelfPlay.defaults();

        private Builder(Method method) {
            this.method = Objects.requireNonNull(method, "method");
        }

        public OnlineConfig build() {
            return new OnlineConfig(method, numGenerations, maxCompletionLength, temperature, topP, topK, numIterations, lossType,
                    epsilon, epsilonHigh, delta, beta, scaleRewards, importanceSamplingLevel, maskTruncatedCompletions, rewardWeights,
                    multiObjectiveAggregation, normalizeAdvantages, reinforceBaseline, klEstimator, missingEosPenalty, selfPlay);
        }

        public Builder method(Method v) { method = Objects.requireNonNull(v); return this; }
        public Builder numGenerations(int v) { numGenerations = v; return this; }
        public Builder maxCompletionLength(int v) { maxCompletionLength = v; return this; }
        public Builder temperature(double v) { temperature = v; return this; }
        public Builder topP(double v) { topP = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder numIterations(int v) { numIterations = v; return this; }
        public Builder lossType(GrpoLoss.Aggregation v) { lossType = v; return this; }
        /** ε_low and ε_high (NaN high: the same as low). */
        public Builder epsilon(double low, double high) { epsilon = low; epsilonHigh = high; return this; }
        public Builder delta(double v) { delta = v; return this; }
        public Builder beta(double v) { beta = v; return this; }
        public Builder scaleRewards(Advantages.ScaleRewards v) { scaleRewards = v; return this; }
        public Builder importanceSamplingLevel(GrpoLoss.RatioLevel v) { importanceSamplingLevel = v; return this; }
        public Builder maskTruncatedCompletions(boolean v) { maskTruncatedCompletions = v; return this; }
        public Builder rewardWeights(List<Double> v) { rewardWeights = v; return this; }
        public Builder multiObjectiveAggregation(Advantages.Aggregation v) { multiObjectiveAggregation = v; return this; }
        public Builder normalizeAdvantages(boolean v) { normalizeAdvantages = v; return this; }
        public Builder reinforceBaseline(boolean v) { reinforceBaseline = v; return this; }
        public Builder klEstimator(Advantages.KlEstimator v) { klEstimator = v; return this; }
        public Builder missingEosPenalty(double v) { missingEosPenalty = v; return this; }
        public Builder selfPlay(SelfPlay v) { selfPlay = Objects.requireNonNull(v); return this; }
        /** Nash-MD's mixture coefficient α. */
        public Builder mixtureCoef(double v) { selfPlay = new SelfPlay(v, selfPlay.eta(), selfPlay.tau(), selfPlay.roundBatches(), selfPlay.margin()); return this; }
        /** SPPO's or INPO's η. */
        public Builder eta(double v) { selfPlay = new SelfPlay(selfPlay.mixtureCoef(), v, selfPlay.tau(), selfPlay.roundBatches(), selfPlay.margin()); return this; }
        /** INPO's τ. */
        public Builder tau(double v) { selfPlay = new SelfPlay(selfPlay.mixtureCoef(), selfPlay.eta(), v, selfPlay.roundBatches(), selfPlay.margin()); return this; }
        /** Generation batches per round (SPPO, DNO, INPO). */
        public Builder roundBatches(int v) { selfPlay = new SelfPlay(selfPlay.mixtureCoef(), selfPlay.eta(), selfPlay.tau(), v, selfPlay.margin()); return this; }
        /** DNO's large-margin filter. */
        public Builder margin(double v) { selfPlay = new SelfPlay(selfPlay.mixtureCoef(), selfPlay.eta(), selfPlay.tau(), selfPlay.roundBatches(), v); return this; }
    }
}
