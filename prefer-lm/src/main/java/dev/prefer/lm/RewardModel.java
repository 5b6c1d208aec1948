package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import dev.prefer.data.DataException;
import dev.prefer.lm.io.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A sequence-classification checkpoint ({@code *ForSequenceClassification}, num_labels = 1 for a reward model):
 * the same backbone as {@link CausalLM} with a bias-free {@code score} head read at the last real position of each
 * sequence. Text convention: ids = encode(prompt) + encode(response) + [eos]; the reward is the score at the eos.
 */
public final class RewardModel implements AutoCloseable, HfModel {
    private final Path source;
    private final ModelConfig config;
    private final Transformer model;
    private final LmTokenizer tokenizer;

    private RewardModel(Path source, Checkpoint.Loaded loaded) {
        this.source = source;
        this.config = loaded.config();
        this.model = loaded.model();
        this.tokenizer = loaded.tokenizer();
    }

    public static RewardModel load(Path dir) {
        return load(dir, Precision.F32);
    }

    public static RewardModel load(Path dir, Precision precision) {
        Checkpoint.Loaded loaded = Checkpoint.load(dir, precision);
        if (loaded.config().head() != ModelConfig.Head.SEQUENCE_CLASSIFICATION) {
            loaded.model().close();
            loaded.tokenizer().close();
            throw DataException.ofFile(dir.resolve("config.json"), "is not a sequence-classification checkpoint ("
                    + loaded.config().architecture().className(loaded.config().head()) + ")");
        }
        return new RewardModel(dir, loaded);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    public LmTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public Transformer model() {
        return model;
    }

    /** The folder it was loaded from. */
    @Override
    public Path source() {
        return source;
    }

    /**
     * Prompt and response tokenized separately, eos appended to the response (an empty prompt becomes [bos], as in
     * {@link CausalLM#tokenize}); {@code ids()} of the result is what {@link #ids} returns.
     */
    @Override
    public TokenizedSequence tokenize(PromptResponse pr) {
        long[] p = tokenizer.encode(pr.prompt());
        if (p.length == 0) {
            int bos = tokenizer.specialTokens().bosId();
            if (bos < 0) throw new IllegalArgumentException("empty prompt and the checkpoint has no bos token to start from");
            p = new long[] {bos};
        }
        long[] r = tokenizer.encode(pr.response());
        int eos = tokenizer.specialTokens().eosId();
        if (eos < 0) throw new IllegalArgumentException("the checkpoint names no eos token");
        long[] withEos = Arrays.copyOf(r, r.length + 1);
        withEos[r.length] = eos;
        return new TokenizedSequence(p, withEos);
    }

    /** ids = encode(prompt) + encode(response) + [eos]; the reward is read at the eos. */
    public long[] ids(PromptResponse pr) {
        return tokenize(pr).ids();
    }

    /** Rewards (label 0 of the score head) of text pairs. */
    public double[] rewards(List<PromptResponse> pairs) {
        List<long[]> ids = new ArrayList<>(pairs.size());
        for (PromptResponse pr : pairs) ids.add(ids(pr));
        return rewardsOfIds(ids);
    }

    /**
     * Rewards of many token sequences without gradients, in batches of at most {@code batchSize} sequences of
     * similar length (sorted by length, so little padding); results in input order. Padding is masked, so this
     * equals one batch of all up to float rounding (other batch shapes, other summation order: ~1e-7 here).
     */
    public double[] rewardsOfIds(List<long[]> seqs, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1");
        Integer[] order = new Integer[seqs.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Integer.compare(seqs.get(a).length, seqs.get(b).length));
        double[] out = new double[seqs.size()];
        for (int from = 0; from < order.length; from += batchSize) {
            int to = Math.min(order.length, from + batchSize);
            List<long[]> chunk = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) chunk.add(seqs.get(order[i]));
            double[] r = rewardsOfIds(chunk);
            for (int i = from; i < to; i++) out[order[i]] = r[i - from];
        }
        return out;
    }

    /** Rewards (label 0) of token sequences, no gradients, one right-padded batch. */
    public double[] rewardsOfIds(List<long[]> seqs) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager step = model.manager().newSubManager()) {
            NDArray s = scores(step, seqs); // (B, L)
            double[] all = s.toType(DataType.FLOAT64, false).toDoubleArray();
            double[] out = new double[seqs.size()];
            for (int b = 0; b < out.length; b++) out[b] = all[b * config.numLabels()];
            return out;
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /**
     * Scores (B, numLabels) at the last real position of each sequence, differentiable when trainable. Sequences
     * are right-padded, so padding changes no number.
     */
    public NDArray scores(NDManager step, List<long[]> seqs) {
        int b = seqs.size();
        if (b == 0) throw new IllegalArgumentException("empty batch");
        int t = 0;
        for (long[] s : seqs) {
            if (s.length == 0) throw new IllegalArgumentException("empty sequence");
            t = Math.max(t, s.length);
        }
        if (t > config.maxPositions()) throw new IllegalArgumentException("sequence of " + t + " tokens exceeds the model's " + config.maxPositions() + " positions");
        long pad = Math.max(0, tokenizer.specialTokens().padId());
        long[] ids = new long[b * t], pos = new long[b * t], rows = new long[b];
        boolean[] valid = new boolean[b * t];
        for (int r = 0; r < b; r++) {
            long[] s = seqs.get(r);
            for (int j = 0; j < t; j++) {
                ids[r * t + j] = j < s.length ? s[j] : pad;
                pos[r * t + j] = Math.min(j, s.length - 1);
                valid[r * t + j] = j < s.length;
            }
            rows[r] = (long) r * t + s.length - 1;
        }
        NDArray hidden = model.forward(step, ids, pos, valid, b, null); // (B, T, D)
        NDArray last = hidden.reshape(b * (long) t, config.hiddenSize()).get(step.create(rows)); // (B, D)
        return model.score(last); // (B, numLabels)
    }

    @Override
    public void setTrainable(boolean trainable) {
        model.setTrainable(trainable);
    }

    @Override
    public Map<String, NDArray> parameters() {
        return model.parameters();
    }

    /**
     * Saves the sequence-classification folder (config.json with num_labels, model.safetensors with score.weight, tokenizer
     * files) in the checkpoint's own dtype (float32, float16 or bfloat16; else float32), as {@link CausalLM#save(Path)}.
     */
    @Override
    public void save(Path dir) {
        DType own = model.sourceType();
        save(dir, own == DType.F16 || own == DType.BF16 ? own : DType.F32);
    }

    /** Saves as a Hugging Face folder; {@code storeAs} is F32, F16 or BF16. */
    public void save(Path dir, DType storeAs) {
        Checkpoint.save(model, source, dir, storeAs);
    }

    @Override
    public void close() {
        try {
            tokenizer.close();
        } finally {
            model.close();
        }
    }
}
