package dev.prefer.rl.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Transitions in insertion order (a ring of fixed capacity), with episode boundaries kept for segment sampling.
 * Discrete actions are stored as indices; continuous actions ({@link #add(double[], double[], double[], double[],
 * boolean, int)}) as vectors, and their segments carry the pair (s, a) as the step's observation (see
 * {@link #segment}) so that a reward model over (s, a) reads it without one-hot actions.
 */
public final class ReplayBuffer implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final int capacity;
    private final List<double[]> obs = new ArrayList<>();
    private final List<double[]> next = new ArrayList<>();
    private final List<double[]> rewards = new ArrayList<>();
    private final List<Integer> actions = new ArrayList<>();
    private final List<Boolean> terminal = new ArrayList<>();
    private final List<Integer> episode = new ArrayList<>();
    private final List<double[]> actionVecs = new ArrayList<>();
    private int head;

    public ReplayBuffer(int capacity) {
        this.capacity = capacity;
    }

    public void add(double[] o, int a, double[] r, double[] n, boolean term, int ep) {
        if (obs.size() < capacity) {
            obs.add(o);
            actions.add(a);
            rewards.add(r);
            next.add(n);
            terminal.add(term);
            episode.add(ep);
        } else {
            obs.set(head, o);
            actions.set(head, a);
            rewards.set(head, r);
            next.set(head, n);
            terminal.set(head, term);
            episode.set(head, ep);
            head = (head + 1) % capacity;
        }
    }

    /** Adds a transition with a continuous action vector. */
    public void add(double[] o, double[] a, double[] r, double[] n, boolean term, int ep) {
        if (actionVecs.size() < capacity) {
            actionVecs.add(a);
        } else {
            actionVecs.set(head, a);
        }
        add(o, 0, r, n, term, ep);
    }

    /** True when the buffer holds continuous actions. */
    public boolean continuous() { return !actionVecs.isEmpty(); }
    public double[] actionVec(int k) { return actionVecs.get(k); }

    /** The concatenation (s, a) of observation k and its continuous action. */
    public double[] obsAction(int k) {
        double[] o = obs(k);
        double[] a = actionVec(k);
        double[] x = new double[o.length + a.length];
        System.arraycopy(o, 0, x, 0, o.length);
        System.arraycopy(a, 0, x, o.length, a.length);
        return x;
    }

    public int size() { return obs.size(); }
    public double[] obs(int k) { return obs.get(k); }
    public double[] next(int k) { return next.get(k); }
    public int action(int k) { return actions.get(k); }
    public double[] trueReward(int k) { return rewards.get(k); }
    public boolean terminal(int k) { return terminal.get(k); }
    public int episode(int k) { return episode.get(k); }

    /**
     * A segment of {@code len} consecutive transitions of one episode starting at a random index, or null. In a
     * continuous buffer each step's observation is (s, a) ({@link #obsAction}) and the action indices are 0.
     */
    public SegmentData segment(int len, java.util.Random rng) {
        for (int tries = 0; tries < 100; tries++) {
            int start = rng.nextInt(size());
            if (start + len > size()) {
                continue;
            }
            boolean ok = true;
            for (int t = 1; t < len && ok; t++) {
                ok = episode(start + t) == episode(start) && (start + t) != head;
            }
            if (!ok) {
                continue;
            }
            double[][] o = new double[len][];
            int[] a = new int[len];
            double[][] r = new double[len][];
            for (int t = 0; t < len; t++) {
                o[t] = continuous() ? obsAction(start + t) : obs(start + t);
                a[t] = action(start + t);
                r[t] = trueReward(start + t);
            }
            return new SegmentData(o, a, r);
        }
        return null;
    }
}
