package dev.prefer.reward.source;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How an LLM judge is asked ({@link JudgeSource}). Build with {@link #builder(URI, String)}; every setting has the
 * default named here.
 *
 * @param endpoint      an OpenAI-compatible base URL ({@code http://127.0.0.1:8000/v1}); requests go to
 *                      {@code endpoint/chat/completions} (or to the endpoint itself when it already ends so)
 * @param model         the judge model's name, sent as {@code model}
 * @param mode          {@link Mode#POINTWISE} (a score per completion) or {@link Mode#PAIRWISE} (an A/B choice per pair)
 * @param rubric        the user message template ({@link JudgeTemplates}); null: the built-in rubric of the mode
 * @param system        the system message; null: none
 * @param temperature   sampling temperature sent to the judge (default 0)
 * @param maxTokens     {@code max_tokens} of each answer (default 512)
 * @param timeout       per-request timeout, connection included (default 60 s)
 * @param retries       further tries after a timeout, a refused connection, HTTP 429 or 5xx (default 3)
 * @param backoff       wait before the first retry, doubled after each (default 1 s); a {@code Retry-After}
 *                      header of a 429/503 is honoured up to 60 s
 * @param concurrency   requests in flight at once (default 4)
 * @param cache         folder of the on-disk answer cache, or null for none (default: none; the CLI uses
 *                      {@code ~/.cache/prefer/judge})
 * @param apiKeyEnv     environment variable holding the API key, sent as a bearer token when set (default
 *                      {@code OPENAI_API_KEY}); a key is never written anywhere
 * @param onMalformed   what an answer that cannot be parsed gives (default {@link Malformed#NEUTRAL})
 * @param minScore      lowest score of the pointwise scale (default 1)
 * @param maxScore      highest score of the pointwise scale (default 10); rewards are (s − min) / (max − min)
 * @param bothOrders    pairwise: ask every pair in both orders and average, cancelling position bias (default true)
 */
public record JudgeConfig(URI endpoint, String model, Mode mode, String rubric, String system, double temperature, int maxTokens,
                          Duration timeout, int retries, Duration backoff, int concurrency, Path cache, String apiKeyEnv,
                          Malformed onMalformed, double minScore, double maxScore, boolean bothOrders) {

    /** Pointwise: one score per completion. Pairwise: one A/B choice per pair of completions. */
    public enum Mode { POINTWISE, PAIRWISE }

    /**
     * What an unparseable answer (no score in range, no single A/B choice, or a body without a message) gives:
     * NEUTRAL: the middle of the scale (pointwise reward 1/2) or a tie (pairwise); SKIP: NaN for pointwise (left
     * out of means and of weighted sums, as TRL's {@code nansum}), left out of the pair's average for pairwise (a
     * tie when both orders are malformed); FAIL: an error. Malformed answers are counted in every case.
     */
    public enum Malformed { NEUTRAL, SKIP, FAIL }

    public JudgeConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        String scheme = endpoint.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) throw new IllegalArgumentException("judge endpoint must be http(s)://...: " + endpoint);
        if (model == null || model.isBlank()) throw new IllegalArgumentException("judge needs a model name (model=...)");
        Objects.requireNonNull(mode, "mode");
        if (!(temperature >= 0)) throw new IllegalArgumentException("temperature must be >= 0: " + temperature);
        if (maxTokens < 1) throw new IllegalArgumentException("max-tokens must be >= 1: " + maxTokens);
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be > 0: " + timeout);
        if (retries < 0) throw new IllegalArgumentException("retries must be >= 0: " + retries);
        if (backoff.isNegative()) throw new IllegalArgumentException("backoff must be >= 0: " + backoff);
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1: " + concurrency);
        Objects.requireNonNull(onMalformed, "onMalformed");
        if (!(maxScore > minScore)) throw new IllegalArgumentException("score scale needs min < max: " + minScore + "-" + maxScore);
    }

    /** The URL requests are posted to. */
    public URI chatUrl() {
        String s = endpoint.toString();
        if (s.endsWith("/chat/completions")) return endpoint;
        return URI.create((s.endsWith("/") ? s.substring(0, s.length() - 1) : s) + "/chat/completions");
    }

    public static Builder builder(URI endpoint, String model) {
        return new Builder(endpoint, model);
    }

    public Builder toBuilder() {
        Builder b = new Builder(endpoint, model);
        b.mode = mode; b.rubric = rubric; b.system = system; b.temperature = temperature; b.maxTokens = maxTokens; b.timeout = timeout;
        b.retries = retries; b.backoff = backoff; b.concurrency = concurrency; b.cache = cache; b.apiKeyEnv = apiKeyEnv;
        b.onMalformed = onMalformed; b.minScore = minScore; b.maxScore = maxScore; b.bothOrders = bothOrders;
        return b;
    }

    /** Builder with the defaults documented on {@link JudgeConfig}. */
    public static final class Builder {
        private final URI endpoint;
        private final String model;
        private Mode mode = Mode.POINTWISE;
        private String rubric;
        private String system;
        private double temperature = 0;
        private int maxTokens = 512;
        private Duration timeout = Duration.ofSeconds(60);
        private int retries = 3;
        private Duration backoff = Duration.ofSeconds(1);
        private int concurrency = 4;
        private Path cache;
        private String apiKeyEnv = "OPENAI_API_KEY";
        private Malformed onMalformed = Malformed.NEUTRAL;
        private double minScore = 1;
        private double maxScore = 10;
        private boolean bothOrders = true;

        private Builder(URI endpoint, String model) {
            this.endpoint = endpoint;
            this.model = model;
        }

        public Builder mode(Mode v) { mode = v; return this; }
        public Builder rubric(String v) { rubric = v; return this; }
        public Builder system(String v) { system = v; return this; }
        public Builder temperature(double v) { temperature = v; return this; }
        public Builder maxTokens(int v) { maxTokens = v; return this; }
        public Builder timeout(Duration v) { timeout = v; return this; }
        public Builder retries(int v) { retries = v; return this; }
        public Builder backoff(Duration v) { backoff = v; return this; }
        public Builder concurrency(int v) { concurrency = v; return this; }
        public Builder cache(Path v) { cache = v; return this; }
        public Builder apiKeyEnv(String v) { apiKeyEnv = v; return this; }
        public Builder onMalformed(Malformed v) { onMalformed = v; return this; }
        public Builder scale(double min, double max) { minScore = min; maxScore = max; return this; }
        public Builder bothOrders(boolean v) { bothOrders = v; return this; }

        public JudgeConfig build() {
            return new JudgeConfig(endpoint, model, mode, rubric, system, temperature, maxTokens, timeout, retries, backoff, concurrency,
                    cache, apiKeyEnv, onMalformed, minScore, maxScore, bothOrders);
        }
    }
}
