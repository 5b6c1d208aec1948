package dev.prefer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.lm.Torch;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an optimizer step that every training loop shares ({@link Trainer} for SFT and preference objectives,
 * {@link RewardTrainer} for reward models): zeroing gradients, the global-norm clip and AdamW update on one flat
 * copy of the gradients, the NaN/infinity stop message, and restoring weights and optimizer state from the last
 * checkpoint.
 */
public final class StepMechanics {
    private StepMechanics() {}

    /** Zeroes the accumulated gradients (DJL's collector does not). */
    public static void zeroGradients(Map<String, NDArray> trainable) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            // one native zero_() per gradient, without wrapping each gradient in a Java NDArray first
            for (NDArray a : trainable.values()) {
                if (a.hasGradient()) JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) a);
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /** The message of a run stopped by a non-finite {@code what} at 0-based {@code step}, naming the last good checkpoint. */
    public static String stopped(Path out, String what, double value, int step) {
        Checkpoints.State last = Checkpoints.latest(out);
        return what + " is " + value + " at step " + (step + 1) + "; stopped without updating"
                + (last == null ? " (no checkpoint was written yet)" : "; last good checkpoint: " + last.dir());
    }

    /**
     * Global L2 norm of the gradients (before clipping), clipping to {@code maxGradNorm} (0 = off) as
     * {@code clip_grad_norm_} does (coefficient maxNorm / (norm + 1e-6) when below 1), then one AdamW step, on the gradients in place
     * (no flat copy). A non-finite norm stops the run before any update.
     *
     * @return the gradient norm before clipping
     */
    public static double clipAndUpdate(Map<String, NDArray> trainable, AdamW opt, double maxGradNorm, double lr, DataType type,
                                Path out, int step) {
        try (NDManager s = Torch.newManager()) {
            Map<String, NDArray> grads = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
                if (!e.getValue().hasGradient()) continue;
                NDArray g0 = e.getValue().getGradient();
                g0.attach(s);
                grads.put(e.getKey(), g0);
            }
            // norm, clipping and update on the gradients themselves: no flat copy of them (one model-sized buffer
            // less at the step's memory peak: 475 MiB on GPT-2 small, prefer bench memory); Σ g² summed per
            // tensor in double
            List<String> names = new ArrayList<>(grads.keySet());
            List<NDArray> gs = new ArrayList<>(grads.values());
            double sq = 0;
            for (NDArray g : gs) {
                NDArray flat = g.reshape(-1);
                NDArray d = flat.dot(flat);
                sq += d.toType(DataType.FLOAT64, false).getDouble();
                d.close();
                flat.close();
            }
            double gradNorm = Math.sqrt(sq);
            if (!Double.isFinite(gradNorm)) throw new TrainingException(stopped(out, "gradient norm", gradNorm, step));
            if (maxGradNorm > 0) {
                double coef = maxGradNorm / (gradNorm + 1e-6);
                if (coef < 1) for (NDArray g : gs) g.muli(coef);
            }
            opt.step(trainable, names, gs, lr);
            return gradNorm;
        }
    }

    /**
     * Restores the trainable weights and the optimizer from the latest checkpoint in {@code out}, after checking that
     * it was made with the same config.
     *
     * @return the checkpoint restored, or null when there is none (start from step 0)
     */
    public static Checkpoints.State restore(Path out, Map<String, Object> configMap, Map<String, NDArray> trainable, AdamW opt) {
        Checkpoints.State s = Checkpoints.latest(out);
        if (s == null) return null;
        JsonNode now;
        try {
            now = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(configMap)); // the same number types as read back
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonNode then = Checkpoints.config(s);
        for (String memoryOnly : List.of("gradient_checkpointing")) { // changes memory, not numbers
            if (then instanceof com.fasterxml.jackson.databind.node.ObjectNode o) o.remove(memoryOnly);
            if (now instanceof com.fasterxml.jackson.databind.node.ObjectNode o) o.remove(memoryOnly);
        }
        if (!then.equals(now)) {
            throw new TrainingException("cannot resume from " + s.dir() + ": it was made with a different config (" + difference(then, now) + ")");
        }
        Map<String, HostTensor> w = SafeTensors.read(s.dir().resolve("trainable.safetensors"));
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager tmp = Torch.newManager()) {
            for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
                HostTensor h = w.get(e.getKey());
                if (h == null) throw new TrainingException("checkpoint " + s.dir() + " lacks " + e.getKey());
                NDArray src = Lora.engineOwned(tmp, h.data(), e.getValue().getShape(), e.getValue().getDataType());
                e.getValue().muli(0).addi(src); // exact copy: 0 + x == x bitwise
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        Map<String, float[]> m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : SafeTensors.read(s.dir().resolve("optimizer.safetensors")).entrySet()) {
            (e.getKey().startsWith("m.") ? m : v).put(e.getKey().substring(2), e.getValue().data());
        }
        opt.restore(s.optimizerStep(), m, v, trainable);
        return s;
    }

    /** The first option that differs between a checkpoint's config and this run's, e.g. {@code learning_rate: 0.001 then, 0.002 now}. */
    static String difference(JsonNode then, JsonNode now) {
        java.util.Set<String> keys = new java.util.LinkedHashSet<>();
        then.fieldNames().forEachRemaining(keys::add);
        now.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            JsonNode a = then.get(k), b = now.get(k);
            if (a == null ? b != null : !a.equals(b)) {
                return k + ": " + (a == null ? "absent" : a.toString()) + " then, " + (b == null ? "absent" : b.toString()) + " now";
            }
        }
        return "no option differs";
    }

    /** One run's steps as the shared loop drives them. */
    public interface Steps {
        /** Trains optimizer step {@code step} (0-based) at learning rate {@code lr}; returns its metrics row (mutable). */
        Map<String, Object> train(int step, double lr);

        /** Metrics on the evaluation split. */
        Map<String, Object> evaluate();

        /** Writes a checkpoint after {@code stepsDone} steps. */
        void checkpoint(int stepsDone);

        /**
         * With early stopping ({@code loop.patience > 0}): the evaluation after {@code stepsDone} steps has the lowest
         * {@code eval/loss} so far; a model that restores its best weights at the end copies them now.
         */
        default void improved(int stepsDone) {}
    }

    /**
     * The last metrics row, the final evaluation and every logged row of a loop; with early stopping, the steps
     * done when the lowest {@code eval/loss} was measured ({@code bestStep}, 0 when there was no evaluation) and
     * whether the loop stopped before {@code total}.
     */
    public record LoopResult(Map<String, Object> last, Map<String, Object> evalMetrics, java.util.List<Map<String, Object>> history,
                             int bestStep, boolean stoppedEarly) {}

    /**
     * Steps {@code start..total-1}: the metrics row to {@code metrics.jsonl} and the console every {@code logEvery}
     * steps (and at the first and last), evaluation every {@code evalEvery} steps and at the end when there is an
     * evaluation split, a checkpoint every {@code saveEvery} steps. With {@code loop.patience} p &gt; 0 the loop stops
     * after p evaluations in a row whose {@code eval/loss} is not below the best so far by more than 1e-9 (the
     * stopping evaluation's row is logged; the caller decides whether to restore the best weights, see
     * {@link Steps#improved}).
     */
    public static LoopResult loop(TrainConfig c, java.io.PrintStream console, int start, int total, boolean hasEval, Steps steps) {
        TrainConfig.Optimizer o = c.optimizer();
        TrainConfig.Loop l = c.loop();
        LrSchedule schedule = new LrSchedule(o.schedule(), o.learningRate(), o.warmupSteps(), total);
        Map<String, Object> last = Map.of();
        Map<String, Object> evalMetrics = Map.of();
        java.util.List<Map<String, Object>> history = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        int bestStep = 0, since = 0;
        boolean early = false;
        try (MetricsLog log = new MetricsLog(c.out() == null ? null : c.out().resolve("metrics.jsonl"), console, l.resume() ? start : -1)) {
            for (int step = start; step < total; step++) {
                Map<String, Object> row = steps.train(step, schedule.at(step));
                boolean logNow = (step + 1) % l.logEvery() == 0 || step + 1 == total || step == start;
                Map<String, Object> evaluated = null;
                if (l.evalEvery() > 0 && (step + 1) % l.evalEvery() == 0 && step + 1 < total && hasEval) {
                    evaluated = steps.evaluate();
                    row.putAll(evaluated);
                    logNow = true;
                }
                if (step + 1 == total && hasEval) {
                    evalMetrics = steps.evaluate();
                    evaluated = evalMetrics;
                    row.putAll(evalMetrics);
                }
                if (evaluated != null && l.patience() > 0) {
                    Object v = evaluated.get("eval/loss");
                    double loss = v instanceof Number n ? n.doubleValue() : Double.NaN;
                    if (loss < best - 1e-9) {
                        best = loss;
                        bestStep = step + 1;
                        since = 0;
                        steps.improved(step + 1);
                    } else if (++since >= l.patience() && step + 1 < total) {
                        early = true;
                        evalMetrics = evaluated;
                        logNow = true;
                    }
                }
                if (logNow) {
                    log.write(row);
                    log.progress(step + 1, total, row);
                    history.add(row);
                }
                last = row;
                if (l.saveEvery() > 0 && (step + 1) % l.saveEvery() == 0) steps.checkpoint(step + 1);
                if (early) break;
            }
        }
        return new LoopResult(last, evalMetrics, history, bestStep, early);
    }

    /**
     * Writes a finished run: the model folder (full fine-tuning) or the PEFT adapter with the base's tokenizer files
     * beside it (as PEFT's trainers save the processing class) and, when asked, the merged model in {@code out/merged};
     * then the manifest (config, inputs and hashes, seed, versions, step and row counts) in each folder written.
     */
    static void writeOutput(String kind, TrainConfig c, Map<String, Object> configMap, java.util.List<TrainExample> train,
                            java.util.List<TrainExample> eval, TrainData.Loaded loaded, int total, Lora lora, dev.prefer.lm.HfModel model,
                            Path ref) {
        dev.prefer.data.Manifest manifest = dev.prefer.data.Manifest.of(kind, configMap, c.seed());
        Path modelDir = c.models().model() != null ? c.models().model() : model.source();
        if (modelDir != null) manifest = manifest.withInput("model", modelDir);
        if (c.data().train() != null) manifest = manifest.withInput("data", c.data().train());
        manifest = manifest.withInputHash("train_groups", TrainData.hash(train));
        if (c.data().eval() != null) manifest = manifest.withInput("eval_data", c.data().eval());
        if (!eval.isEmpty()) manifest = manifest.withInputHash("eval_groups", TrainData.hash(eval));
        if (ref != null) manifest = manifest.withInput("ref", ref);
        Map<String, Object> extra = new LinkedHashMap<>(configMap);
        extra.put("steps", total);
        extra.put("train_groups", train.size());
        extra.put("eval_groups", eval.size());
        extra.put("rows", loaded.rows());
        extra.put("skipped_rows", loaded.skipped());
        extra.put("dropped_by_length", loaded.dropped());
        extra.put("truncated", loaded.truncated());
        manifest = new dev.prefer.data.Manifest(manifest.kind(), extra, manifest.inputs(), manifest.seed(), manifest.versions(), manifest.created());
        saveModel(c, manifest, lora, model, modelDir);
    }

    /**
     * Writes the trained model to {@code c.out()}: the PEFT adapter (with the base's tokenizer files, and the merged
     * model in {@code out/merged} when asked) or the full model, then {@code manifest} in each folder written.
     */
    public static void saveModel(TrainConfig c, dev.prefer.data.Manifest manifest, Lora lora, dev.prefer.lm.HfModel model, Path modelDir) {
        if (lora != null) {
            lora.save(c.out(), modelDir == null ? null : modelDir.toAbsolutePath().normalize()); // absolute: the adapter resolves its base from anywhere
            if (modelDir != null) copySideFiles(modelDir, c.out());
            if (c.lora().merge()) {
                lora.mergeInto(model);
                Path merged = c.out().resolve("merged");
                model.save(merged);
                manifest.writeTo(merged);
            }
        } else {
            model.save(c.out());
        }
        manifest.writeTo(c.out());
    }

    private static void copySideFiles(Path from, Path to) {
        for (String f : java.util.List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja", "vocab.json", "merges.txt")) {
            Path src = from.resolve(f);
            if (!java.nio.file.Files.isRegularFile(src)) continue;
            try {
                dev.prefer.data.AtomicFiles.write(to.resolve(f), java.nio.file.Files.readAllBytes(src));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy " + src + ": " + e.getMessage(), e);
            }
        }
    }
}
