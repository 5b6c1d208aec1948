package dev.prefer.rl.embed;

import dev.prefer.rl.nn.Adam;
import dev.prefer.rl.nn.Mlp;
import dev.prefer.rl.policy.Cpl;
import dev.prefer.rl.policy.SegmentData;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * OPPO, offline preference-guided policy optimisation (Kang et al. 2023, "Beyond Reward", ICML 2023, arXiv
 * 2305.16217), as we read its Sec. 4: no reward model. (1) Hindsight information matching: an encoder E and a
 * contextual policy pi(a | s, z) are trained so that pi conditioned on z = E(tau) reproduces tau's actions
 * ({@link ConditionedImitation}'s loss with each trajectory as its own context). (2) Preference modelling: a free
 * context z* and E are trained with the triplet loss max(0, |z* - E(tau+)| - |z* - E(tau-)| + margin) (Euclidean
 * distances, as PyTorch's {@code TripletMarginLoss}; with squared distances the loss is linear in z* and z* runs off
 * past every embedding, where the policy extrapolates) over
 * labelled pairs tau+ preferred to tau-, pulling z* towards preferred trajectories' embeddings and away from the
 * others. The two objectives alternate every step; the policy is pi(a | s, z*). Pairs labelled "equal" (y = 0.5)
 * carry no direction and are skipped. Our encoder is a mean-pooled MLP, not the paper's transformer.
 */
public final class Oppo implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Hyper-parameters; prefWeight scales the triplet loss in the encoder's update. */
    public record Config(int zdim, int hidden, double margin, double prefWeight, int steps, int batch, double lr) {
    }

    private final ConditionedImitation him;
    private final double[] zStar;

    public Oppo(Random rng, int obsSize, int actions, Config c) {
        him = new ConditionedImitation(rng, obsSize, actions, new ConditionedImitation.Config(c.zdim(), c.hidden(), c.steps(), c.batch(), c.lr()));
        zStar = new double[c.zdim()];
        for (int i = 0; i < zStar.length; i++) {
            zStar[i] = 0.1 * rng.nextGaussian();
        }
    }

    public ConditionedImitation contextual() { return him; }
    public double[] zStar() { return zStar; }

    /** The preference-guided policy's greedy action: pi(. | obs, z*). */
    public int act(double[] obs) {
        return him.act(obs, zStar);
    }

    static double sq(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return s;
    }

    /** Mean triplet loss over the pairs; adds gradients for E (gEnc) and z* (gZ); either may be null. */
    public double preferenceLossAndGradient(List<Cpl.Pair> pairs, double margin, double[] gEnc, double[] gZ) {
        double loss = 0;
        int n = pairs.size();
        TrajectoryEncoder enc = him.encoder();
        for (Cpl.Pair p : pairs) {
            if (p.y() == 0.5) {
                continue;
            }
            SegmentData pos = p.y() > 0.5 ? p.first() : p.second();
            SegmentData neg = p.y() > 0.5 ? p.second() : p.first();
            Mlp.Trace tp = enc.forward(pos);
            Mlp.Trace tn = enc.forward(neg);
            double lp = Math.sqrt(sq(zStar, tp.output()) + 1e-12);
            double ln = Math.sqrt(sq(zStar, tn.output()) + 1e-12);
            double d = lp - ln + margin;
            if (d <= 0) {
                continue;
            }
            loss += d / n;
            double[] dzp = new double[zStar.length];
            double[] dzn = new double[zStar.length];
            for (int j = 0; j < zStar.length; j++) {
                double ep = zStar[j] - tp.output()[j];
                double en = zStar[j] - tn.output()[j];
                if (gZ != null) {
                    gZ[j] += (ep / lp - en / ln) / n;
                }
                dzp[j] = -ep / lp / n;
                dzn[j] = en / ln / n;
            }
            if (gEnc != null) {
                enc.backward(tp, dzp, gEnc);
                enc.backward(tn, dzn, gEnc);
            }
        }
        return loss;
    }

    /** Alternates a hindsight-matching step over the trajectories and a preference step over the pairs. */
    public void train(List<SegmentData> trajectories, List<Cpl.Pair> pairs, Config c, Random rng) {
        ConditionedImitation.Config hc = new ConditionedImitation.Config(c.zdim(), c.hidden(), c.steps(), c.batch(), c.lr());
        Mlp pol = him.policy().net();
        Mlp enc = him.encoder().net();
        Adam ap = new Adam(pol.params().length, hc.lr());
        Adam ae = new Adam(enc.params().length, hc.lr());
        Adam az = new Adam(zStar.length, hc.lr());
        for (int step = 0; step < c.steps(); step++) {
            List<SegmentData> tg = new ArrayList<>();
            for (int b = 0; b < c.batch(); b++) {
                tg.add(trajectories.get(rng.nextInt(trajectories.size())));
            }
            double[] gp = new double[pol.params().length];
            double[] ge = new double[enc.params().length];
            him.lossAndGradient(tg, tg, gp, ge);
            List<Cpl.Pair> pb = new ArrayList<>();
            for (int b = 0; b < c.batch() && !pairs.isEmpty(); b++) {
                pb.add(pairs.get(rng.nextInt(pairs.size())));
            }
            double[] gz = new double[zStar.length];
            double[] gpref = new double[enc.params().length];
            preferenceLossAndGradient(pb, c.margin(), gpref, gz);
            for (int i = 0; i < ge.length; i++) {
                ge[i] += c.prefWeight() * gpref[i];
            }
            ap.step(pol.params(), gp);
            ae.step(enc.params(), ge);
            az.step(zStar, gz);
        }
    }
}
