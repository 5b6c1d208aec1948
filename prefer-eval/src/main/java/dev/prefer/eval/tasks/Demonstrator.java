package dev.prefer.eval.tasks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Who wrote the SFT demonstrations: an exact demonstrator (every completion is the task's reference) or a weak one
 * that makes the task's systematic mistake ({@link VerifiableTask#slip}) on a share of the problems where it applies.
 *
 * <p>This is the setting in which preference learning from a verifier has something to add: supervised fine-tuning
 * imitates the demonstrator, mistakes included, while the verifier scores the policy's own samples against the truth,
 * so on-policy pairs can move the policy past its teacher (the motivation of RLHF over pure imitation; with exact
 * demonstrations of every training problem the verifier only restates what SFT already saw — measured in
 * docs/quickstart.md). Which problems slip is fixed by the seed: the same seed gives the same SFT file.
 *
 * @param slipRate probability, in [0, 1], that the demonstrator makes its slip on a problem where one applies (0: exact)
 * @param seed     seed of the choice of problems
 */
public record Demonstrator(double slipRate, long seed) {

    public Demonstrator {
        if (!(slipRate >= 0 && slipRate <= 1)) throw new IllegalArgumentException("slip rate must be in [0, 1]: " + slipRate);
    }

    /** The exact demonstrator: every completion is the reference. */
    public static Demonstrator exact() {
        return new Demonstrator(0, 0);
    }

    /** What the demonstrator wrote: TRL prompt-completion rows, and how many slipped out of how many could. */
    public record Demonstrations(List<Map<String, Object>> rows, int slipped, int slippable) {
        public Demonstrations {
            rows = List.copyOf(rows);
        }

        /** Share of rows whose completion is correct (1 for the exact demonstrator). */
        public double accuracy() {
            return rows.isEmpty() ? 1 : 1 - slipped / (double) rows.size();
        }
    }

    /**
     * One row {@code {"prompt", "completion"}} per problem, in order. Every problem consumes one draw of the seeded
     * generator whether or not a slip applies to it, so the choice for a problem depends on its position only.
     */
    public <P extends Problem> Demonstrations demonstrate(VerifiableTask<P> task, List<P> problems) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Map<String, Object>> rows = new ArrayList<>(problems.size());
        int slipped = 0, slippable = 0;
        for (P p : problems) {
            double u = rng.nextDouble();
            String slip = task.slip(p);
            String completion = p.reference();
            if (slip != null) {
                slippable++;
                if (u < slipRate) {
                    if (task.verify(p, slip).pass()) {
                        throw new IllegalStateException("task " + task.name() + ": its slip " + slip + " passes the verifier for " + p.prompt());
                    }
                    completion = slip;
                    slipped++;
                }
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("prompt", p.prompt());
            r.put("completion", completion);
            rows.add(r);
        }
        return new Demonstrations(rows, slipped, slippable);
    }

    /** For manifests. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("slip_rate", slipRate);
        m.put("seed", seed);
        return m;
    }
}
