package dev.prefer.rl.experiments;

import dev.prefer.rl.embed.Sirl;
import dev.prefer.rl.policy.LoopCheckpoint;
import dev.prefer.rl.policy.LoopState;
import dev.prefer.rl.policy.SegmentData;
import dev.prefer.rl.reward.RewardEnsemble;
import dev.prefer.rl.teacher.Label;
import dev.prefer.rl.teacher.Teacher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * SIRL (Bobu et al. 2023) on a control task: 10-step segments of the 9-action reacher's offline dataset
 * ({@link ControlStudy#dataset}). A simulated person answers similarity queries (three segments; the two whose true
 * returns are closest are "alike", the third is the odd one out) and, separately, preferences ({@code mistake:0.1} on
 * partial returns). The representation phi is learned from the similarity queries only ({@link Sirl}, mean-pooled
 * encoder, 4 dimensions); then a linear reward w . phi is fitted to K preferences. Against, on the same K
 * preferences: a linear reward on the raw pooled inputs (mean of (s, onehot a)), and B-Pref's neural reward ensemble
 * (3 members, 32-32). Metric: agreement with the true return on 1000 held-out segment pairs (dataset of another seed).
 */
public final class SirlStudy {
    private SirlStudy() {
    }

    static double ret(SegmentData s) {
        double r = 0;
        for (double x : s.reward(0)) {
            r += x;
        }
        return r;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Held-out agreement of phi-reward, raw-linear reward and reward ensemble for K = labels, over one seed. */
    public static double[][] run(long seed, int similarityQueries, int[] labels) {
        return run(seed, similarityQueries, labels, LoopCheckpoint.NONE);
    }

    /**
     * As above, checkpointing a {@link LoopState} (random stream, representation, its Adam, the rows so far) every
     * tenth of the representation's 1500 steps and after each K but the last (hook: steps done, then 1500 + the Ks
     * done); the datasets and similarity queries are rebuilt from the seed on a resume.
     */
    public static double[][] run(long seed, int similarityQueries, int[] labels, LoopCheckpoint ck) {
        String key = "sirl seed " + seed + " " + similarityQueries + " " + java.util.Arrays.toString(labels);
        Random fresh = new Random(seed);
        List<SegmentData> data = ControlStudy.dataset(100, 10, seed);
        List<SegmentData> test = ControlStudy.dataset(100, 10, seed + 1_000);
        List<Sirl.Triplet> ts = new ArrayList<>();
        for (int i = 0; i < similarityQueries; i++) {
            SegmentData[] x = {data.get(fresh.nextInt(data.size())), data.get(fresh.nextInt(data.size())), data.get(fresh.nextInt(data.size()))};
            double[] r = {ret(x[0]), ret(x[1]), ret(x[2])};
            double[] gap = {Math.abs(r[1] - r[2]), Math.abs(r[0] - r[2]), Math.abs(r[0] - r[1])};   // pair k leaves out item k
            int odd = gap[0] <= gap[1] && gap[0] <= gap[2] ? 0 : gap[1] <= gap[2] ? 1 : 2;
            ts.add(new Sirl.Triplet(x[0], x[1], x[2], odd));
        }
        LoopState<Sirl> st = LoopState.resume(ck, key, () -> {
            Sirl s = new Sirl(fresh, 4, 9, 32, 4);
            return new LoopState<>(fresh, s, s.optimiser(3e-3));
        });
        int steps = 1500;
        st.runPhase(ck, key, steps, steps / 10, (s, n) -> s.model.train(ts, n, 16, s.adams[0], s.rng), null);
        st.run(ck, key, steps + labels.length, 1, (s, n) -> s.point(labels[s.done - steps], row(s.model, data, test, labels[s.done - steps], seed, s.rng)), null);
        double[][] out = new double[labels.length][];
        for (int li = 0; li < labels.length; li++) {
            out[li] = new double[] {st.column(1)[li], st.column(2)[li], st.column(3)[li]};
        }
        return out;
    }

    /** One K: the three rewards fitted to K fresh preferences, their agreement on 1000 held-out pairs. */
    static double[] row(Sirl sirl, List<SegmentData> data, List<SegmentData> test, int k, long seed, Random rng) {
        Teacher teacher = Teacher.parse("mistake:0.1");
        double[] out = new double[3];
        List<double[][]> phi = new ArrayList<>();
        List<double[][]> raw = new ArrayList<>();
        List<RewardEnsemble.Pair> pairs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            SegmentData a = data.get(rng.nextInt(data.size()));
            SegmentData b = data.get(rng.nextInt(data.size()));
            Label l = teacher.label(a.reward(0), b.reward(0), rng);
            phi.add(new double[][] {sirl.representation().encode(a), sirl.representation().encode(b)});
            raw.add(new double[][] {sirl.representation().pooled(a), sirl.representation().pooled(b)});
            pairs.add(new RewardEnsemble.Pair(a, b, l.firstProbability()));
            ys.add(l.firstProbability());
        }
        double[] y = ys.stream().mapToDouble(Double::doubleValue).toArray();
        double[] wPhi = Sirl.fitReward(phi, y, 500, 0.05, 1e-3);
        double[] wRaw = Sirl.fitReward(raw, y, 500, 0.05, 1e-3);
        RewardEnsemble ens = new RewardEnsemble(3, 4, 9, 32, 3e-3, rng);
        ens.train(pairs, 50, 32, rng);
        Random tr = new Random(seed + 77);
        int n = 1000;
        for (int i = 0; i < n; i++) {
            SegmentData a = test.get(tr.nextInt(test.size()));
            SegmentData b = test.get(tr.nextInt(test.size()));
            boolean truth = ret(a) > ret(b);
            out[0] += (dot(wPhi, sirl.representation().encode(a)) > dot(wPhi, sirl.representation().encode(b))) == truth ? 1.0 / n : 0;
            out[1] += (dot(wRaw, sirl.representation().pooled(a)) > dot(wRaw, sirl.representation().pooled(b))) == truth ? 1.0 / n : 0;
            double pa = 0;
            double pb = 0;
            for (int t = 0; t < 10; t++) {
                pa += ens.reward(a.obs()[t], a.actions()[t]);
                pb += ens.reward(b.obs()[t], b.actions()[t]);
            }
            out[2] += (pa > pb) == truth ? 1.0 / n : 0;
        }
        return out;
    }

    /** Usage: SirlStudy SEEDS [SIMILARITY_QUERIES] [LABELS,...]. */
    public static void main(String[] args) {
        int seeds = Integer.parseInt(args[0]);
        int sim = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int[] labels = java.util.Arrays.stream((args.length > 2 ? args[2] : "10,30,100").split(",")).mapToInt(Integer::parseInt).toArray();
        double[][][] all = new double[seeds][][];
        for (int s = 0; s < seeds; s++) {
            long t0 = System.nanoTime();
            all[s] = run(s, sim, labels);
            for (int li = 0; li < labels.length; li++) {
                System.out.printf(Locale.ROOT, "seed %d, %d labels: SIRL %.3f, raw linear %.3f, reward ensemble %.3f%n", s, labels[li],
                        all[s][li][0], all[s][li][1], all[s][li][2]);
            }
            System.out.printf(Locale.ROOT, "# seed %d: %.0f s%n", s, (System.nanoTime() - t0) / 1e9);
        }
        for (int li = 0; li < labels.length; li++) {
            double[][] cols = new double[3][seeds];
            for (int s = 0; s < seeds; s++) {
                for (int m = 0; m < 3; m++) {
                    cols[m][s] = all[s][li][m];
                }
            }
            System.out.println(labels[li] + " labels: SIRL (" + sim + " similarity queries) " + Stats.of(cols[0]) + ", raw linear "
                    + Stats.of(cols[1]) + ", reward ensemble " + Stats.of(cols[2]));
        }
    }
}
