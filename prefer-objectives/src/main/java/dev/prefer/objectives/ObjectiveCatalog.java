package dev.prefer.objectives;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Every objective by name, with its one-line description, formula and paper: the single source of the table in
 * docs/objectives.md and of {@code prefer objectives}. {@link #create(String, Map)} builds an objective from a
 * name and numeric parameters (kebab-case keys, defaults below) — the only place where names are looked up.
 */
public final class ObjectiveCatalog {
    private ObjectiveCatalog() {}

    /** Parameters with defaults; unknown keys are an error naming the objective. */
    public static final class Params {
        private final String objective;
        private final Map<String, Double> values;
        private final Map<String, Double> used = new LinkedHashMap<>();

        Params(String objective, Map<String, Double> values) {
            this.objective = objective;
            this.values = values;
        }

        public double get(String key, double defaultValue) {
            double v = values.getOrDefault(key, defaultValue);
            used.put(key, v);
            return v;
        }

        public boolean flag(String key, boolean defaultValue) {
            double v = get(key, defaultValue ? 1 : 0);
            if (v != 0 && v != 1) throw new IllegalArgumentException(objective + ": " + key + " must be 0 or 1, got " + v);
            return v == 1;
        }

        /** Keys with a prefix (e.g. MODPO's {@code w-<score>}), sorted by name. */
        public Map<String, Double> withPrefix(String prefix) {
            Map<String, Double> out = new TreeMap<>();
            for (var e : values.entrySet()) {
                if (e.getKey().startsWith(prefix)) {
                    out.put(e.getKey().substring(prefix.length()), e.getValue());
                    used.put(e.getKey(), e.getValue());
                }
            }
            return out;
        }

        void checkAllUsed() {
            for (String k : values.keySet()) {
                if (!used.containsKey(k)) {
                    throw new IllegalArgumentException(objective + " has no parameter '" + k + "' (parameters: " + String.join(", ", used.keySet()) + ")");
                }
            }
        }
    }

    /**
     * One method.
     *
     * @param name     catalog name
     * @param summary  one line
     * @param formula  the loss, in the notation of docs/objectives.md
     * @param paper    authors, year, arXiv id and equation where checked
     * @param defaults the parameters and their defaults, as shown to users
     */
    public record Entry(String name, String summary, String formula, String paper, String defaults,
                        Function<Params, Objective> factory) {
        public Objective create(Map<String, Double> params) {
            Params p = new Params(name, params == null ? Map.of() : params);
            Objective o = factory.apply(p);
            p.checkAllUsed();
            CREATED.put(o, Map.copyOf(p.used));
            return o;
        }
    }

    private static final List<Entry> ENTRIES = List.of(
            new Entry("dpo", "DPO, sigmoid loss (optional per-row margin m as an offset)",
                    "−log σ(βh − m)", "Rafailov et al. 2023, arXiv 2305.18290, Eq. 7", "beta=0.1",
                    p -> new Dpo(p.get("beta", 0.1))),
            new Entry("cdpo", "conservative DPO: label smoothing for flip probability ε",
                    "−(1−ε) log σ(βh) − ε log σ(−βh)", "Mitchell 2023, cDPO note, Eq. 3", "beta=0.1 epsilon=0.1",
                    p -> new ConservativeDpo(p.get("beta", 0.1), p.get("epsilon", 0.1))),
            new Entry("robust-dpo", "robust DPO: unbiased under label flips with rate ε",
                    "[−(1−ε) log σ(βh) + ε log σ(−βh)] / (1−2ε)", "Chowdhury et al. 2024, arXiv 2403.00409", "beta=0.1 epsilon=0.1",
                    p -> new RobustDpo(p.get("beta", 0.1), p.get("epsilon", 0.1))),
            new Entry("ipo", "IPO on summed log-probs (as the paper)",
                    "(h − 1/(2τ))²", "Azar et al. 2023, arXiv 2310.12036, Eq. 17", "tau=0.1",
                    p -> new Ipo(p.get("tau", 0.1))),
            new Entry("ln-ipo", "IPO on per-token mean log-probs (as TRL)",
                    "(h̄ − 1/(2τ))², ℓ → ℓ/|y|", "Azar et al. 2023, arXiv 2310.12036, Eq. 17; TRL", "tau=0.1",
                    p -> new LengthNormalized(new Ipo(p.get("tau", 0.1)))),
            new Entry("hinge", "SLiC hinge on reference-normalised log-probs (RSO/TRL form)",
                    "max(0, 1 − βh)", "Zhao et al. 2023, arXiv 2305.10425; Liu et al. 2023, arXiv 2309.06657", "beta=0.1",
                    p -> new Hinge(p.get("beta", 0.1))),
            new Entry("ln-dpo", "length-normalised DPO",
                    "−log σ(βh̄), ℓ → ℓ/|y|", "Meng et al. 2024, arXiv 2405.14734 (LN-DPO baseline)", "beta=0.1",
                    p -> new LengthNormalized(new Dpo(p.get("beta", 0.1)))),
            new Entry("rpo", "DPO plus NLL of the chosen response",
                    "−log σ(βh) − η ℓ_θ(y_w)/|y_w|", "Liu et al. 2024, arXiv 2405.16436", "beta=0.1 eta=1",
                    p -> new Rpo(p.get("beta", 0.1), p.get("eta", 1))),
            new Entry("sft", "SFT term: mean token NLL of the chosen response (reference-free)",
                    "−ℓ_θ(y_w)/|y_w|", "supervised fine-tuning; TRL loss_type \"sft\"", "",
                    p -> new ChosenNll()),
            new Entry("simpo", "SimPO: length-normalised, reference-free, target margin γ",
                    "−log σ(β ℓ_θ(y_w)/|y_w| − β ℓ_θ(y_l)/|y_l| − γ)", "Meng et al. 2024, arXiv 2405.14734, Eq. 6", "beta=2 gamma=0.5",
                    p -> new SimPo(p.get("beta", 2), p.get("gamma", 0.5))),
            new Entry("orpo", "ORPO: NLL plus odds-ratio term (reference-free)",
                    "−c − λ log σ(log odds(y_w) − log odds(y_l)), c = ℓ_θ(y_w)/|y_w|", "Hong et al. 2024, arXiv 2403.07691, Eqs. 6–7", "lambda=0.1",
                    p -> new Orpo(p.get("lambda", 0.1))),
            new Entry("kto", "KTO on unpaired rows (desirable / undesirable)",
                    "λ_D(1 − σ(β(ρ − z))) or λ_U(1 − σ(β(z − ρ))), z = max(0, KL estimate)", "Ethayarajh et al. 2024, arXiv 2402.01306",
                    "beta=0.1 desirable-weight=1 undesirable-weight=1",
                    p -> new Kto(p.get("beta", 0.1), p.get("desirable-weight", 1), p.get("undesirable-weight", 1))),
            new Entry("bco", "BCO: reward as a binary classifier logit, shifted by the mean reward δ",
                    "−log σ(βρ_w − δ) − log σ(−(βρ_l − δ))", "Jung et al. 2024, arXiv 2404.04656", "beta=0.1 unpaired=0 running=1",
                    p -> {
                        double beta = p.get("beta", 0.1);
                        Layout layout = p.flag("unpaired", false) ? Layout.UNPAIRED : Layout.PAIRS;
                        // running=1: δ is the running mean of the training rewards (TRL); 0: each batch's mean
                        return p.flag("running", true) ? Bco.running(beta, layout) : new Bco(beta, null, layout);
                    }),
            new Entry("nca", "NCA: noise-contrastive alignment, pairwise",
                    "−log σ(βρ_w) − ½ log σ(−βρ_w) − ½ log σ(−βρ_l)", "Chen et al. 2024, arXiv 2402.05369", "beta=0.1",
                    p -> new Nca(p.get("beta", 0.1))),
            new Entry("exo", "EXO: reverse KL to the smoothed label distribution, pairwise",
                    "σ(βh)[log σ(βh) − log(1−ε)] + σ(−βh)[log σ(−βh) − log ε]", "Ji et al. 2024, arXiv 2402.00856, Eq. 16", "beta=0.1 epsilon=0.001",
                    p -> new Exo(p.get("beta", 0.1), p.get("epsilon", 1e-3))),
            new Entry("apo-zero", "APO-zero: chosen up, rejected down, anchored",
                    "1 − σ(βρ_w) + σ(βρ_l)", "D'Oosterlinck et al. 2024, arXiv 2408.06266, Eq. 7", "beta=0.1",
                    p -> new ApoZero(p.get("beta", 0.1))),
            new Entry("apo-down", "APO-down: chosen down, rejected down more",
                    "σ(βρ_w) + 1 − σ(βh)", "D'Oosterlinck et al. 2024, arXiv 2408.06266, Eq. 8", "beta=0.1",
                    p -> new ApoDown(p.get("beta", 0.1))),
            new Entry("sppo-hard", "SPPO with hard win probabilities",
                    "(ρ_w − 1/(2β))² + (ρ_l + 1/(2β))²", "Wu et al. 2024, arXiv 2405.00675, Eq. 4.7", "beta=0.1",
                    p -> new SppoHard(p.get("beta", 0.1))),
            new Entry("aot", "AOT: DPO on sorted (quantile-matched) log-ratio differences across the batch",
                    "−log σ(β[sort(ℓ_θ(y_w)−ℓ_θ(y_l)) − sort(ℓ_ref(y_w)−ℓ_ref(y_l))])", "Melnyk et al. 2024, arXiv 2406.05882",
                    "beta=0.1 epsilon=0 unpaired=0",
                    p -> new Aot(p.get("beta", 0.1), p.get("epsilon", 0), !p.flag("unpaired", false))),
            new Entry("lipo-lambda", "LiPO-λ: listwise, pairs weighted by LambdaLoss NDCG deltas",
                    "Σ_{ψi>ψj} Δ_ij log(1 + e^{−(s_i−s_j)}), s = βρ", "Liu et al. 2024, arXiv 2402.01878", "beta=0.1 lambda-weights=1",
                    p -> new LipoLambda(p.get("beta", 0.1), p.flag("lambda-weights", true))),
            new Entry("plackett-luce", "ListMLE / DPO under Plackett–Luce, listwise",
                    "−Σ_k log[e^{s_π(k)} / Σ_{m≥k} e^{s_π(m)}], s = βρ", "Rafailov et al. 2023, arXiv 2305.18290, App. A.3; Xia et al. 2008", "beta=0.1",
                    p -> new PlackettLuce(p.get("beta", 0.1))),
            new Entry("softmax-listwise", "softmax cross-entropy over the list, labels as target weights",
                    "−Σ_i (ψ_i/Σψ) log softmax(s)_i, s = βρ", "Liu et al. 2024, arXiv 2402.01878; Cao et al. 2007", "beta=0.1",
                    p -> new SoftmaxListwise(p.get("beta", 0.1))),
            new Entry("dove", "DOVE: DPO over joint (prompt, response) pairs with different prompts",
                    "−log σ(β log-ratio(x_w,y_w) − β log-ratio(x_l,y_l))", "Bansal et al. 2024, arXiv 2404.00530", "beta=0.1 joint=0",
                    p -> new Dove(p.get("beta", 0.1), p.flag("joint", false))),
            new Entry("modpo", "MODPO: DPO with margins from other objectives' reward scores",
                    "−log σ((βh − Σ_k w_k d_k)/w_1), d_k = r_k(y_w) − r_k(y_l)", "Zhou et al. 2024, arXiv 2310.03708",
                    "beta=0.1 w-<score>=... (w_1 = 1 − Σ)",
                    p -> {
                        double beta = p.get("beta", 0.1);
                        Map<String, Double> w = p.withPrefix("w-");
                        if (w.isEmpty()) throw new IllegalArgumentException("modpo needs score weights: w-<score>=<weight>");
                        double[] weights = new double[w.size() + 1];
                        double rest = 0;
                        int i = 1;
                        for (double v : w.values()) {
                            weights[i++] = v;
                            rest += v;
                        }
                        weights[0] = 1 - rest;
                        return new Modpo(beta, weights, new ArrayList<>(w.keySet()));
                    }));

    /** Objectives made here and the full parameters they were made with (defaults included). */
    private static final Map<Objective, Map<String, Double>> CREATED = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /**
     * The parameters an objective was built with by {@link #create} — its defaults with the caller's overrides, e.g.
     * {@code {tau=0.1}} for {@code create("ipo", Map.of())} — for manifests and resume checks; empty for an
     * objective constructed directly in code.
     */
    public static Map<String, Double> parameters(Objective objective) {
        Map<String, Double> p = CREATED.get(objective);
        return p == null ? Map.of() : p;
    }

    public static List<Entry> entries() {
        return ENTRIES;
    }

    public static Entry entry(String name) {
        for (Entry e : ENTRIES) if (e.name().equals(name)) return e;
        List<String> names = new ArrayList<>();
        for (Entry e : ENTRIES) names.add(e.name());
        throw new IllegalArgumentException("unknown objective '" + name + "' (known: " + String.join(", ", names) + ")");
    }

    /** Builds an objective: {@code create("dpo", Map.of("beta", 0.2))}. */
    public static Objective create(String name, Map<String, Double> params) {
        return entry(name).create(params);
    }

    /** Parses {@code "beta=0.2,gamma=1"} into parameters. */
    public static Map<String, Double> parseParams(String spec) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) return out;
        for (String part : spec.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2) throw new IllegalArgumentException("expected key=value, got '" + part + "'");
            try {
                out.put(kv[0].strip(), Double.parseDouble(kv[1].strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("parameter " + kv[0].strip() + ": not a number: '" + kv[1].strip() + "'");
            }
        }
        return out;
    }

    /** The methods table in Markdown (docs/objectives.md holds exactly this). */
    public static String markdownTable() {
        StringBuilder b = new StringBuilder();
        b.append("| name | what | loss per group | reference model | data | paper |\n");
        b.append("|---|---|---|---|---|---|\n");
        for (Entry e : ENTRIES) {
            Requirements r = e.create(defaultsFor(e)).requirements();
            b.append("| `").append(e.name()).append("` | ").append(e.summary()).append(" | ").append(e.formula().replace("|", "\\|"))
                    .append(" | ").append(r.reference() ? "yes" : "no (reference-free)").append(" | ")
                    .append(r.layout().name().toLowerCase(Locale.ROOT)).append(" | ").append(e.paper()).append(" |\n");
        }
        return b.toString();
    }

    /** Plain-text listing, one line per objective, for the CLI. */
    public static String textTable() {
        int w = 0;
        for (Entry e : ENTRIES) w = Math.max(w, e.name().length());
        StringBuilder b = new StringBuilder();
        for (Entry e : ENTRIES) {
            Requirements r = e.create(defaultsFor(e)).requirements();
            b.append(String.format(Locale.ROOT, "%-" + w + "s  %-8s %s%s — %s%n", e.name(), r.layout().name().toLowerCase(Locale.ROOT),
                    e.summary(), r.reference() ? "" : " [reference-free]", e.paper()));
        }
        return b.toString();
    }

    /** Parameters that make an entry constructible with its defaults (MODPO needs one score weight). */
    static Map<String, Double> defaultsFor(Entry e) {
        return e.name().equals("modpo") ? Map.of("w-score", 0.5) : Map.of();
    }
}
