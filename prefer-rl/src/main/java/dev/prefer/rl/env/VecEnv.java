package dev.prefer.rl.env;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * n copies of one environment stepped together; a copy that finishes is reset with the next seed of its own
 * stream (copy i uses seeds seed + i, seed + i + n, ...), so runs are reproducible for any n.
 */
public final class VecEnv {
    private final List<Env> envs = new ArrayList<>();
    private final long[] nextSeed;
    private final double[][] obs;
    private final int n;

    public VecEnv(Supplier<Env> factory, int n, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("VecEnv: n must be >= 1, got " + n);
        }
        this.n = n;
        nextSeed = new long[n];
        obs = new double[n][];
        for (int i = 0; i < n; i++) {
            Env e = factory.get();
            envs.add(e);
            obs[i] = e.reset(seed + i);
            nextSeed[i] = seed + i + n;
        }
    }

    public int size() {
        return n;
    }

    public Env env(int i) {
        return envs.get(i);
    }

    /** Current observation of each copy (after auto-reset). */
    public double[][] observations() {
        return obs.clone();
    }

    /** Steps every copy; finished copies are reset and their returned step keeps the final observation. */
    public Env.Step[] step(double[][] actions) {
        Env.Step[] out = new Env.Step[n];
        for (int i = 0; i < n; i++) {
            Env.Step s = envs.get(i).step(actions[i]);
            out[i] = s;
            if (s.done()) {
                obs[i] = envs.get(i).reset(nextSeed[i]);
                nextSeed[i] += n;
            } else {
                obs[i] = s.observation();
            }
        }
        return out;
    }
}
