package dev.prefer.objectives.online;

import dev.prefer.objectives.Batch;
import java.util.Arrays;

/**
 * Turning K scored samples per prompt into preference data for the catalog's offline objectives: the math of online
 * DPO (Guo et al. 2024, "Direct Language Model Alignment from Online AI Feedback", arXiv 2402.04792) and of DNO's
 * batched on-policy rounds (Rosset et al. 2024, "Direct Nash Optimization", arXiv 2404.03715: pairs with a large
 * margin only, the previous round's policy as the reference). Completions are group-major (prompt p owns rows
 * p·K … p·K + K − 1); the trainer gathers its own per-sequence log-probs by the returned indices.
 */
public final class OnlinePreferences {
    private OnlinePreferences() {}

    /**
     * One (chosen, rejected) pair per kept prompt, as indices into the completions.
     *
     * @param prompts  the prompt of each pair
     * @param chosen   index of the chosen completion
     * @param rejected index of the rejected completion
     */
    public record Pairs(int[] prompts, int[] chosen, int[] rejected) {
        public Pairs {
            prompts = prompts.clone();
            chosen = chosen.clone();
            rejected = rejected.clone();
        }

        public int size() { return chosen.length; }
    }

    /**
     * Best against worst per prompt: chosen = highest reward (the first of ties), rejected = lowest (the last of ties).
     * For K = 2 this is TRL's online DPO rule ({@code first >= second}: ties make the first completion the chosen
     * one; trl/experimental/online_dpo/online_dpo_trainer.py @f2cd577 L1204-1209). Prompts whose spread
     * r_best − r_worst is below {@code minMargin} are dropped (DNO's large-margin filter; 0 keeps every prompt, all-tied
     * ones included as first-versus-last pairs, as TRL does; any positive margin drops ties). NaN rewards (unscorable) are never chosen or rejected; a prompt with fewer than two
     * scorable completions is dropped.
     */
    public static Pairs bestWorst(double[] rewards, int k, double minMargin) {
        Advantages.checkGroups(rewards.length, k);
        if (k < 2) throw new IllegalArgumentException("pairs need at least 2 completions per prompt, got " + k);
        int groups = rewards.length / k;
        int[] p = new int[groups], c = new int[groups], r = new int[groups];
        int n = 0;
        for (int g = 0; g < groups; g++) {
            int best = -1, worst = -1;
            for (int j = 0; j < k; j++) {
                int i = g * k + j;
                if (Double.isNaN(rewards[i])) continue;
                if (best < 0 || rewards[i] > rewards[best]) best = i;
                if (worst < 0 || rewards[i] <= rewards[worst]) worst = i;
            }
            if (best < 0 || best == worst) continue;
            if (minMargin > 0 && rewards[best] - rewards[worst] < minMargin) continue;
            p[n] = g;
            c[n] = best;
            r[n] = worst;
            n++;
        }
        return new Pairs(Arrays.copyOf(p, n), Arrays.copyOf(c, n), Arrays.copyOf(r, n));
    }

    /** The selected pairs as a catalog {@link Batch} of per-sequence log-probs (reference null: reference-free). */
    public static Batch pairBatch(double[] policy, double[] reference, Pairs pairs) {
        int n = pairs.size();
        if (n == 0) throw new IllegalArgumentException("no pairs were kept (every prompt tied or below the margin)");
        double[] pc = new double[n], pr = new double[n];
        double[] rc = reference == null ? null : new double[n], rr = reference == null ? null : new double[n];
        for (int i = 0; i < n; i++) {
            pc[i] = policy[pairs.chosen()[i]];
            pr[i] = policy[pairs.rejected()[i]];
            if (reference != null) {
                rc[i] = reference[pairs.chosen()[i]];
                rr[i] = reference[pairs.rejected()[i]];
            }
        }
        return Batch.pairs(pc, pr, rc, rr);
    }

    /**
     * All K completions of each prompt as a ranked list for the listwise objectives (labels = rewards, higher is
     * better). Unscorable (NaN) rewards are rejected: a list objective needs every label.
     */
    public static Batch listBatch(double[] policy, double[] reference, double[] rewards, int k) {
        Advantages.checkGroups(rewards.length, k);
        for (int i = 0; i < rewards.length; i++)
            if (!Double.isFinite(rewards[i])) throw new IllegalArgumentException("rewards[" + i + "] must be finite for a list, got " + rewards[i]);
        return Batch.lists(k, policy, reference, rewards);
    }

    /**
     * TRL's {@code missing_eos_penalty} (online DPO, Nash-MD, XPO): subtract {@code penalty} from the reward of every
     * completion that ended without its end-of-sequence token.
     */
    public static double[] penalizeMissingEos(double[] rewards, boolean[] truncated, double penalty) {
        if (truncated.length != rewards.length) throw new IllegalArgumentException("one truncation flag per reward, got " + truncated.length + " for " + rewards.length);
        double[] out = rewards.clone();
        for (int i = 0; i < out.length; i++) if (truncated[i]) out[i] -= penalty;
        return out;
    }
}
