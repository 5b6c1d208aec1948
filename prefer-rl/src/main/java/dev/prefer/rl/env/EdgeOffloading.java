package dev.prefer.rl.env;

import java.util.Random;

/**
 * A small mobile-edge offloading task with two objectives (latency, energy), after the Pareto-optimal offloading
 * setting: each step a task of b Mbit needing c = CYCLES_PER_MBIT * b Gcycles arrives at a device; the device
 * computes it locally (action 0) or sends it to one of {@code servers} edge servers over a wireless channel of
 * random gain. Local: latency c / F_LOCAL, energy KAPPA * F_LOCAL^2 * c. Offloaded to k: rate
 * BANDWIDTH * log2(1 + P_TX * gain / NOISE), transmission b / rate, latency = transmission + (queue_k + c) / F_EDGE,
 * energy = P_TX * transmission; queue_k grows by c and drains F_EDGE * SLOT per step. Reward [-latency, -energy];
 * observation (b, gain, queue_1..K); 50 tasks per episode.
 */
public final class EdgeOffloading implements Env, java.io.Serializable {
    public static final double CYCLES_PER_MBIT = 0.5;   // Gcycles per Mbit
    public static final double F_LOCAL = 1.0;           // GHz
    public static final double F_EDGE = 4.0;            // GHz per server
    public static final double KAPPA = 1.0;             // J per Gcycle per GHz^2 (scaled)
    public static final double P_TX = 0.5;              // W
    public static final double BANDWIDTH = 2.0;         // Mbit/s per unit spectral efficiency
    public static final double NOISE = 0.1;
    public static final double SLOT = 0.5;              // seconds between arrivals
    public static final int EPISODE = 50;

    private final int servers;
    private final double[] queue;
    private double size;
    private double gain;
    private Random rng = new Random(0);
    private int t;

    public EdgeOffloading(int servers) {
        if (servers < 1) {
            throw new IllegalArgumentException("EdgeOffloading: servers must be >= 1, got " + servers);
        }
        this.servers = servers;
        queue = new double[servers];
    }

    @Override public String name() { return "offload"; }
    @Override public int observationSize() { return 2 + servers; }
    @Override public int actionCount() { return servers + 1; }
    @Override public int rewardSize() { return 2; }
    @Override public int maxSteps() { return EPISODE; }

    @Override
    public double[] reset(long seed) {
        rng = new Random(seed);
        java.util.Arrays.fill(queue, 0);
        t = 0;
        draw();
        return obs();
    }

    private void draw() {
        size = 0.5 + 1.5 * rng.nextDouble();
        gain = -Math.log(1 - rng.nextDouble());         // Rayleigh fading: exponential power gain, mean 1
    }

    /** The current observation (b, gain, queues). */
    public double[] observation() {
        return obs();
    }

    private double[] obs() {
        double[] o = new double[2 + servers];
        o[0] = size;
        o[1] = gain;
        System.arraycopy(queue, 0, o, 2, servers);
        return o;
    }

    /** Latency and energy of an action in the current state, without applying it. */
    public double[] cost(int a) {
        double c = CYCLES_PER_MBIT * size;
        if (a == 0) {
            return new double[] {c / F_LOCAL, KAPPA * F_LOCAL * F_LOCAL * c};
        }
        double rate = BANDWIDTH * Math.log(1 + P_TX * gain / NOISE) / Math.log(2);
        double tx = size / Math.max(rate, 1e-6);
        return new double[] {tx + (queue[a - 1] + c) / F_EDGE, P_TX * tx};
    }

    @Override
    public Step step(double[] action) {
        int a = (int) action[0];
        if (a < 0 || a > servers) {
            throw new IllegalArgumentException("EdgeOffloading: action " + a + " outside 0.." + servers);
        }
        double[] cost = cost(a);
        if (a > 0) {
            queue[a - 1] += CYCLES_PER_MBIT * size;
        }
        for (int k = 0; k < servers; k++) {
            queue[k] = Math.max(0, queue[k] - F_EDGE * SLOT);
        }
        t++;
        draw();
        return new Step(obs(), new double[] {-cost[0], -cost[1]}, false, t >= EPISODE, null);
    }
}
