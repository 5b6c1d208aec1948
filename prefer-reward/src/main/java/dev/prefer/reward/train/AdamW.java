package dev.prefer.reward.train;

/**
 * AdamW (Loshchilov &amp; Hutter 2019, Algorithm 2) over a flat parameter vector, in double precision:
 * <pre>
 *   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  m̂ = m/(1−β₁ᵗ),  v̂ = v/(1−β₂ᵗ)
 *   θ ← θ − lr·( m̂/(√v̂ + ε) + λθ )
 * </pre>
 * with β₁ = 0.9, β₂ = 0.999, ε = 1e-8. Parameters whose mask entry is false are left untouched.
 */
public final class AdamW {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final double lr;
    private final double weightDecay;
    private final double[] m;
    private final double[] v;
    private long t;

    public AdamW(int size, double lr, double weightDecay) {
        this.lr = lr;
        this.weightDecay = weightDecay;
        this.m = new double[size];
        this.v = new double[size];
    }

    public void step(double[] theta, double[] grad, boolean[] mask) {
        t++;
        double c1 = 1 - Math.pow(BETA1, t);
        double c2 = 1 - Math.pow(BETA2, t);
        for (int i = 0; i < theta.length; i++) {
            if (mask != null && !mask[i]) continue;
            double g = grad[i];
            m[i] = BETA1 * m[i] + (1 - BETA1) * g;
            v[i] = BETA2 * v[i] + (1 - BETA2) * g * g;
            double mh = m[i] / c1;
            double vh = v[i] / c2;
            theta[i] -= lr * (mh / (Math.sqrt(vh) + EPS) + weightDecay * theta[i]);
        }
    }
}
