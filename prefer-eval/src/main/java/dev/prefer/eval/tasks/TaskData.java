package dev.prefer.eval.tasks;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Hashes;
import dev.prefer.data.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The data a task gives a run: training problems (whose references are the SFT data and whose prompts are sampled
 * for on-policy pairs) and held-out problems for evaluation.
 *
 * <p><b>Disjoint by construction, for every seed:</b> a problem belongs to the held-out side iff
 * {@code SHA-256(task name + NUL + prompt)}, read as a number in [0, 1), is below {@code heldOutFraction}. The
 * seed only decides which problems are drawn, never which side a prompt is on, so no seed's training set can contain
 * another seed's held-out prompt. Prompts are unique within each side.
 *
 * @param task    the task
 * @param train   training problems, in draw order
 * @param heldOut held-out problems, in draw order
 */
public record TaskData<P extends Problem>(VerifiableTask<P> task, List<P> train, List<P> heldOut) {

    public TaskData {
        train = List.copyOf(train);
        heldOut = List.copyOf(heldOut);
    }

    /**
     * How much to draw.
     *
     * @param trainCount      training problems wanted, >= 0
     * @param heldOutCount    held-out problems wanted, >= 0
     * @param heldOutFraction share of the problem space reserved for evaluation, in (0, 1) (default 0.2)
     * @param seed            seed of the draw
     */
    public record Config(int trainCount, int heldOutCount, double heldOutFraction, long seed) {
        public Config {
            if (trainCount < 0) throw new IllegalArgumentException("trainCount must be >= 0: " + trainCount);
            if (heldOutCount < 0) throw new IllegalArgumentException("heldOutCount must be >= 0: " + heldOutCount);
            if (!(heldOutFraction > 0 && heldOutFraction < 1)) throw new IllegalArgumentException("heldOutFraction must be in (0, 1): " + heldOutFraction);
        }

        public Config(int trainCount, int heldOutCount, long seed) {
            this(trainCount, heldOutCount, 0.2, seed);
        }
    }

    /** Draws unique problems until both sides are full; fails with a clear message when the problem space is too small. */
    public static <P extends Problem> TaskData<P> generate(VerifiableTask<P> task, Config config) {
        SplittableRandom rng = new SplittableRandom(config.seed());
        List<P> train = new ArrayList<>();
        List<P> held = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long budget = 50L * (config.trainCount() + config.heldOutCount()) + 1000;
        for (long draws = 0; train.size() < config.trainCount() || held.size() < config.heldOutCount(); draws++) {
            if (draws >= budget) {
                throw new IllegalArgumentException("task " + task.name() + ": found only " + train.size() + " training and "
                        + held.size() + " held-out unique problems in " + budget + " draws; ask for fewer or widen the task");
            }
            P p = task.draw(rng);
            if (!seen.add(p.prompt())) continue;
            if (isHeldOut(task.name(), p.prompt(), config.heldOutFraction())) {
                if (held.size() < config.heldOutCount()) held.add(p);
            } else if (train.size() < config.trainCount()) {
                train.add(p);
            }
        }
        return new TaskData<>(task, train, held);
    }

    /**
     * Task data from a user's prompts file: JSONL rows with a string field {@code prompt} (other fields ignored),
     * each parsed by the task's verifier (a prompt it cannot read fails with its file, line and field). Repeated
     * prompts count once; each prompt goes to the side the hash rule of the class comment gives it, in file order, up
     * to {@code trainMax} training and {@code heldOutMax} held-out problems. Fails when either side ends up empty.
     */
    public static <P extends Problem> TaskData<P> fromPrompts(VerifiableTask<P> task, Path file, int trainMax, int heldOutMax, double heldOutFraction) {
        List<P> train = new ArrayList<>();
        List<P> held = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        dev.prefer.data.Jsonl.read(file, false, (line, row) -> {
            String prompt = dev.prefer.data.Jsonl.requireString(file, line, row, "prompt");
            P p;
            try {
                p = task.parse(prompt);
            } catch (IllegalArgumentException e) {
                throw new dev.prefer.data.DataException(file, line, "prompt", "task " + task.name() + " cannot read it: " + e.getMessage());
            }
            if (!seen.add(p.prompt())) return;
            if (isHeldOut(task.name(), p.prompt(), heldOutFraction)) {
                if (held.size() < heldOutMax) held.add(p);
            } else if (train.size() < trainMax) {
                train.add(p);
            }
        });
        if (train.isEmpty() || held.isEmpty()) {
            throw dev.prefer.data.DataException.ofFile(file, train.size() + " training and " + held.size() + " held-out prompts after the "
                    + "hash split (held-out share " + heldOutFraction + "); both sides need at least one, give more prompts");
        }
        return new TaskData<>(task, train, held);
    }

    /** Whether a prompt is on the held-out side (see the class comment). */
    public static boolean isHeldOut(String taskName, String prompt, double heldOutFraction) {
        String hex = Hashes.sha256(taskName + "\u0000" + prompt).substring(0, 13); // 52 bits
        double u = Long.parseLong(hex, 16) / (double) (1L << 52);
        return u < heldOutFraction;
    }

    /** The SFT rows {@code {"prompt", "completion"}} (TRL's prompt-completion format), one per training problem. */
    public List<Map<String, Object>> sftRows() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (P p : train) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("prompt", p.prompt());
            r.put("completion", p.reference());
            rows.add(r);
        }
        return rows;
    }

    /** Writes the SFT rows as JSONL, atomically. */
    public Path writeSft(Path file) {
        return writeJsonl(file, sftRows());
    }

    /** Writes prompts as JSONL rows {@code {"task", "prompt", "reference"}}, atomically. */
    public static Path writePrompts(Path file, String taskName, List<? extends Problem> problems) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Problem p : problems) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("task", taskName);
            r.put("prompt", p.prompt());
            r.put("reference", p.reference());
            rows.add(r);
        }
        return writeJsonl(file, rows);
    }

    public static Path writeJsonl(Path file, List<? extends Map<String, ?>> rows) {
        StringBuilder b = new StringBuilder();
        for (Map<String, ?> r : rows) b.append(Json.line(new LinkedHashMap<>(r))).append('\n');
        AtomicFiles.writeString(file, b.toString());
        return file;
    }
}
