package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;

/**
 * The DPO sigmoid loss (Rafailov et al. 2023, eq. 7) written out for the runtime's Bar test only (the project's
 * objectives live in prefer-objectives): mean over pairs of -log sigmoid(beta ((pc - rc) - (pr - rr))) on summed
 * log-probs, with -log sigmoid(x) = softplus(-x).
 */
final class Dpo {
    private Dpo() {}

    static List<TokenizedSequence> chosenThenRejected(CausalLM lm) {
        List<TokenizedSequence> out = new ArrayList<>();
        for (PromptResponse pr : Fixtures.chosenThenRejected()) out.add(lm.tokenize(pr));
        return out;
    }

    /** Scalar loss in {@code step}; {@code seqs} holds n chosen then n rejected sequences. */
    static NDArray loss(NDManager step, CausalLM policy, List<TokenizedSequence> seqs, double[] refSums, double beta) {
        int n = seqs.size() / 2;
        NDArray sums = policy.logpsTensors(step, seqs, false).sums(); // (2n)
        NDArray ref = step.create(refSums).toType(sums.getDataType(), false); // (2n)
        NDArray ratio = sums.sub(ref); // (2n) policy - reference
        NDArray chosenLogRatio = ratio.get("0:" + n);
        NDArray rejectedLogRatio = ratio.get(n + ":");
        NDArray logits = chosenLogRatio.sub(rejectedLogRatio).mul(beta); // (n)
        return Activation.softPlus(logits.neg()).mean();
    }

    static double[] sums(List<SequenceLogps> lp) {
        double[] out = new double[lp.size()];
        for (int i = 0; i < out.length; i++) out[i] = lp.get(i).sum();
        return out;
    }
}
