package dev.prefer.rl.policy;

import dev.prefer.rl.nn.Adam;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Random;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The state of a training loop that runs in chunks of steps and saves it through {@link LoopCheckpoint} between
 * chunks: its random stream, what it trains (any serialisable model), the optimisers that continue across chunks
 * (none when each chunk starts a fresh one), the steps done and the curve so far (points {x, y, ...}). The one shape
 * of the offline loops' checkpoints: discrete and continuous CPL, OPPO, SIRL, the style imitation and DST's
 * conditioned CPL, DQN and distillation. Whatever a loop rebuilds from its configuration and seed (datasets, labels)
 * stays out of it.
 */
public final class LoopState<M extends Serializable> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Trains {@code steps} more steps (from {@code st.done}; the loop adds them to done afterwards). */
    public interface Chunk<M extends Serializable> {
        void train(LoopState<M> st, int steps);
    }

    public final Random rng;
    public final M model;
    public final Adam[] adams;
    public int done;
    private final ArrayList<double[]> points = new ArrayList<>();

    public LoopState(Random rng, M model, Adam... adams) {
        this.rng = rng;
        this.model = model;
        this.adams = adams;
    }

    /**
     * The state saved under key, or a fresh one from start (which may run and checkpoint a first phase itself); a
     * checkpoint of another type (another phase of the same seed) counts as none.
     */
    @SuppressWarnings("unchecked")
    public static <M extends Serializable> LoopState<M> resume(LoopCheckpoint ck, String key, Supplier<LoopState<M>> start) {
        LoopState<M> st = ck.load(key, LoopState.class);
        return st != null ? st : start.get();
    }

    /**
     * Trains in chunks of at most {@code every} steps until {@code until} steps are done; after each chunk records
     * (done, eval(model)) when eval is not null, saves the state under key unless {@code until} is reached, and calls
     * the hook with the steps done.
     */
    public LoopState<M> run(LoopCheckpoint ck, String key, int until, int every, Chunk<M> train, ToDoubleFunction<M> eval) {
        return chunks(ck, key, until, every, train, eval, false);
    }

    /** As {@link #run}, for a phase that another one follows: the state is saved at its end too. */
    public LoopState<M> runPhase(LoopCheckpoint ck, String key, int until, int every, Chunk<M> train, ToDoubleFunction<M> eval) {
        return chunks(ck, key, until, every, train, eval, true);
    }

    private LoopState<M> chunks(LoopCheckpoint ck, String key, int until, int every, Chunk<M> train, ToDoubleFunction<M> eval,
                                boolean followed) {
        while (done < until) {
            int n = Math.min(every, until - done);
            train.train(this, n);
            done += n;
            if (eval != null) {
                point(done, eval.applyAsDouble(model));
            }
            if ((done < until || followed) && ck.path() != null) {
                ck.save(key, this);
            }
            ck.after(done);
        }
        return this;
    }

    /** Saves the state (with a path) and calls the hook with the steps done: the end of a phase another one follows. */
    public void checkpoint(LoopCheckpoint ck, String key) {
        if (ck.path() != null) {
            ck.save(key, this);
        }
        ck.after(done);
    }

    /** Appends a curve point {x, ys...}. */
    public void point(double x, double... ys) {
        double[] p = new double[1 + ys.length];
        p[0] = x;
        System.arraycopy(ys, 0, p, 1, ys.length);
        points.add(p);
    }

    /** Column j of the points (0: x). */
    public double[] column(int j) {
        return points.stream().mapToDouble(p -> p[j]).toArray();
    }

    /** The points as a learning curve: x as steps, the first value as returns. */
    public Pebble.Curve curve(int labels) {
        return new Pebble.Curve(points.stream().mapToInt(p -> (int) p[0]).toArray(), column(1), labels);
    }
}
