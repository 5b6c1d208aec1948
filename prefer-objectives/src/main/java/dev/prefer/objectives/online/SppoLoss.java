package dev.prefer.objectives.online;

import ai.djl.ndarray.NDArray;
import dev.prefer.objectives.Num;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SPPO's loss. Wu et al. 2024, "Self-Play Preference Optimization for Language Model Alignment", arXiv 2405.00675,
 * (the SPPO update approximated by a square loss; the paper's equation number was not re-checked here), as the authors' code
 * computes it (uclaml/SPPO @5e61c4e {@code sppo/trainer.py} L876-879, {@code loss_type="sppo"}):
 * <pre>
 *   L = mean_i ( log π_θ(y_i|x)/π_t(y_i|x) − η (P̂(y_i ≻ π_t | x) − ½) )²,   η = 1/β
 * </pre>
 * where π_t is the policy of the previous round (the batch's {@code refLogps}), P̂ the estimated win rate of y_i
 * against π_t's samples (the batch's {@code scores}; {@link WinRates#sppo}), and log-probs are sums over the mask.
 * The authors' code averages the winner and loser of each pair, (L_w + L_l)/2, which is this mean over all 2B rows.
 * TRL's {@code sppo_hard} (P̂ ∈ {1, 0}) is the catalog's offline {@code SppoHard}. At P̂ = ½ the target log-ratio
 * is 0. Metrics: {@code logratio/mean}, {@code win_rate/mean}.
 *
 * @param eta η = 1/β &gt; 0 (the paper's β = 0.001, i.e. η = 1000)
 */
public record SppoLoss(double eta) implements OnlineLoss {

    public SppoLoss {
        if (!(eta > 0) || Double.isInfinite(eta)) throw new IllegalArgumentException("eta must be finite and > 0, got " + eta);
    }

    @Override public String name() { return "sppo"; }
    @Override public boolean needsReference() { return true; }

    @Override
    public Value loss(OnlineBatch h) {
        double sum = 0, rhoSum = 0, winSum = 0;
        for (int i = 0; i < h.b(); i++) {
            double rho = 0;
            for (int j = 0; j < h.t(); j++) rho += h.m(i, j) * (h.logp(i, j) - h.ref(i, j));
            double e = rho - eta * (h.score(i) - 0.5);
            sum += e * e;
            rhoSum += rho;
            winSum += h.score(i);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("logratio/mean", rhoSum / h.b());
        m.put("win_rate/mean", winSum / h.b());
        return new Value(sum / h.b(), m);
    }

    @Override
    public Tensor loss(OnlineTensorBatch tb) {
        NDArray mask = tb.mask();
        NDArray rho = tb.logps().sub(tb.requireRef()).mul(mask).sum(new int[] {1});            // (B)
        NDArray target = tb.requireScores().sub(Num.scalar(rho, 0.5)).mul(Num.scalar(rho, eta)); // (B)
        NDArray e = rho.sub(target);
        NDArray loss = e.mul(e).mean();
        return new Tensor(loss, () -> loss(tb.host()).metrics());
    }
}
