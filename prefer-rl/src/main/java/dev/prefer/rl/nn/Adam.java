package dev.prefer.rl.nn;

/** Adam (Kingma and Ba 2015) over one flat parameter vector, in double precision. */
public final class Adam implements java.io.Serializable {
    private final double lr;
    private final double b1;
    private final double b2;
    private final double eps;
    private final double[] m;
    private final double[] v;
    private int t;

    public Adam(int size, double lr) {
        this(size, lr, 0.9, 0.999, 1e-8);
    }

    public Adam(int size, double lr, double b1, double b2, double eps) {
        this.lr = lr;
        this.b1 = b1;
        this.b2 = b2;
        this.eps = eps;
        m = new double[size];
        v = new double[size];
    }

    /** params -= lr * mhat / (sqrt(vhat) + eps). */
    public void step(double[] params, double[] grad) {
        t++;
        double c1 = 1 - Math.pow(b1, t);
        double c2 = 1 - Math.pow(b2, t);
        for (int i = 0; i < params.length; i++) {
            m[i] = b1 * m[i] + (1 - b1) * grad[i];
            v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i];
            params[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
        }
    }

    /** Optimiser state for checkpoints: [t, m..., v...]. */
    public double[] state() {
        double[] s = new double[1 + 2 * m.length];
        s[0] = t;
        System.arraycopy(m, 0, s, 1, m.length);
        System.arraycopy(v, 0, s, 1 + m.length, v.length);
        return s;
    }

    public void load(double[] s) {
        if (s.length != 1 + 2 * m.length) {
            throw new IllegalArgumentException("Adam state of length " + s.length + ", expected " + (1 + 2 * m.length));
        }
        t = (int) s[0];
        System.arraycopy(s, 1, m, 0, m.length);
        System.arraycopy(s, 1 + m.length, v, 0, v.length);
    }
}
