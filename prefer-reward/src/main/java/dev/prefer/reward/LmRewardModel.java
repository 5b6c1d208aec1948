package dev.prefer.reward;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.data.PreferencePair;
import dev.prefer.lm.Precision;
import dev.prefer.lm.PromptResponse;
import dev.prefer.lm.TokenizedSequence;
import dev.prefer.reward.eval.PairMetrics;
import dev.prefer.core.Scalars;
import dev.prefer.train.Lora;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Backbone (b): a Hugging Face causal LM with a linear {@code score} head on the last token's hidden state (TRL's
 * {@code RewardTrainer} setting), r(x, y) = w·h_T(encode(x) + encode(y) + [eos]), run by prefer-lm's
 * {@link dev.prefer.lm.RewardModel}. Loads a sequence-classification folder ({@code config.json} naming
 * {@code XxxForSequenceClassification}, {@code num_labels = 1}, {@code score.weight}), or a PEFT adapter folder
 * ({@code adapter_config.json}, task {@code SEQ_CLS}, the trained score head under {@code modules_to_save}) over
 * the base named in its {@code base_model_name_or_path}. P(a ≻ b) = σ(r(a) − r(b)) (Bradley–Terry).
 *
 * <p>Texts longer than the model's positions are cut from the left (the start of the prompt goes first), so the
 * reward is still read at the response's eos. There are no per-annotator parameters: an annotator is ignored.
 */
public final class LmRewardModel implements RewardScorer {
    /** Sequences per forward pass when scoring many texts. */
    public static final int BATCH = 16;

    private final Path folder;
    private final dev.prefer.lm.RewardModel model;
    private final Lora lora;

    private LmRewardModel(Path folder, dev.prefer.lm.RewardModel model, Lora lora) {
        this.folder = folder;
        this.model = model;
        this.lora = lora;
    }

    /** True when the folder is a sequence-classification checkpoint or a PEFT adapter (not a prefer-reward head folder). */
    public static boolean isLmFolder(Path folder) {
        if (Files.isRegularFile(folder.resolve("adapter_config.json"))) return true;
        Path cfg = folder.resolve("config.json");
        if (!Files.isRegularFile(cfg)) return false;
        try {
            JsonNode c = Json.readObject(cfg);
            for (JsonNode a : c.path("architectures")) if (a.asText().endsWith("ForSequenceClassification")) return true;
        } catch (RuntimeException e) {
            return false; // not JSON: let the other loader report it
        }
        return false;
    }

    /** The architecture name when the folder's config.json names a {@code XxxForCausalLM}, else null. */
    static String causalLmArchitecture(Path folder) {
        Path cfg = folder.resolve("config.json");
        if (!Files.isRegularFile(cfg)) return null;
        try {
            for (JsonNode a : Json.readObject(cfg).path("architectures")) if (a.asText().endsWith("ForCausalLM")) return a.asText();
        } catch (RuntimeException e) {
            return null;
        }
        return null;
    }

    public static LmRewardModel load(Path folder) {
        return load(folder, Precision.F32);
    }

    /** Loads a sequence-classification folder, or a PEFT adapter onto its base (the adapter stays a hook, not merged). */
    public static LmRewardModel load(Path folder, Precision precision) {
        Path adapterCfg = folder.resolve("adapter_config.json");
        if (!Files.isRegularFile(adapterCfg)) return new LmRewardModel(folder, dev.prefer.lm.RewardModel.load(folder, precision), null);
        Path base = dev.prefer.train.ModelLoader.resolveBase(folder);
        dev.prefer.lm.RewardModel rm = dev.prefer.lm.RewardModel.load(base, precision);
        try {
            return new LmRewardModel(folder, rm, Lora.load(rm, folder));
        } catch (RuntimeException e) {
            rm.close();
            throw e;
        }
    }

    /** The runtime model (for training, saving or raw token-id scoring). */
    public dev.prefer.lm.RewardModel model() {
        return model;
    }

    public Path folder() {
        return folder;
    }

    /** Token ids of prompt + response + eos, cut from the left to the model's positions. */
    public long[] ids(String prompt, String response) {
        TokenizedSequence t = model.tokenize(new PromptResponse(prompt, response));
        long[] all = t.ids();
        int max = model.config().maxPositions();
        return all.length <= max ? all : Arrays.copyOfRange(all, all.length - max, all.length);
    }

    /** Rewards of (prompt, response) texts, batched. */
    public double[] rewards(List<PromptResponse> texts) {
        List<long[]> ids = new ArrayList<>(texts.size());
        for (PromptResponse t : texts) ids.add(ids(t.prompt(), t.response()));
        return ids.isEmpty() ? new double[0] : model.rewardsOfIds(ids, BATCH);
    }

    @Override
    public double score(String prompt, String response, String annotator) {
        return rewards(List.of(new PromptResponse(prompt, response)))[0];
    }

    @Override
    public double preferenceProbability(String prompt, String a, String b, String annotator) {
        double[] r = rewards(List.of(new PromptResponse(prompt, a), new PromptResponse(prompt, b)));
        return Scalars.sigmoid(r[0] - r[1]);
    }

    @Override
    public List<RewardModel.Ranked> rerank(String prompt, List<String> candidates, String annotator) {
        if (candidates.isEmpty()) return List.of();
        List<PromptResponse> texts = new ArrayList<>();
        for (String c : candidates) texts.add(new PromptResponse(prompt, c));
        double[] r = rewards(texts);
        List<RewardModel.Ranked> out = new ArrayList<>();
        for (int i = 0; i < r.length; i++) out.add(new RewardModel.Ranked(i, candidates.get(i), r[i]));
        out.sort(Comparator.comparingDouble(RewardModel.Ranked::score).reversed().thenComparingInt(RewardModel.Ranked::index));
        return out;
    }

    /** Rewards of every pair's chosen and rejected response, in one batched pass. */
    @Override
    public List<PairScore> scorePairs(List<PreferencePair> pairs) {
        List<PromptResponse> texts = new ArrayList<>(2 * pairs.size());
        for (PreferencePair p : pairs) {
            texts.add(new PromptResponse(p.prompt(), p.chosen()));
            texts.add(new PromptResponse(p.prompt(), p.rejected()));
        }
        double[] r = rewards(texts);
        List<PairScore> out = new ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) out.add(new PairScore(r[2 * i], r[2 * i + 1], Scalars.sigmoid(r[2 * i] - r[2 * i + 1])));
        return out;
    }

    /** PairMetrics of the logits r(chosen) − r(rejected); the rows' annotators give per-annotator accuracy. */
    @Override
    public PairMetrics evaluate(List<PreferencePair> pairs) {
        List<PairScore> s = scorePairs(pairs);
        double[] logits = new double[s.size()];
        String[] annotators = new String[s.size()];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = s.get(i).rewardChosen() - s.get(i).rewardRejected();
            annotators[i] = pairs.get(i).annotator();
        }
        return PairMetrics.fromLogits(logits, annotators);
    }

    @Override
    public void close() {
        try {
            if (lora != null) lora.close();
        } finally {
            model.close();
        }
    }
}
