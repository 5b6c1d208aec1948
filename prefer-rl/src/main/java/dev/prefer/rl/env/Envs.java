package dev.prefer.rl.env;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The catalogue of built-in environments: the one place names are looked up. */
public final class Envs {
    private static final Map<String, Supplier<Env>> ENVS = new LinkedHashMap<>();
    private static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

    static {
        add("delivery", DeliveryWorld::new, "Knox et al. delivery gridworld, 10x10, 6 linear reward features, regret known exactly");
        add("dst", () -> new DeepSeaTreasure(DeepSeaTreasure.Map.CONVEX), "Deep Sea Treasure, convex front (Yang et al.), 2 objectives");
        add("dst-concave", () -> new DeepSeaTreasure(DeepSeaTreasure.Map.CONCAVE), "Deep Sea Treasure, concave front (Vamplew et al.), 2 objectives");
        add("reacher", () -> new PointMassReacher(false), "point-mass reacher, continuous state and action, closed-form optimum");
        add("reacher-discrete", () -> new PointMassReacher(true), "point-mass reacher, continuous state, 9 discrete actions");
        add("offload", () -> new EdgeOffloading(2), "mobile-edge offloading, 2 servers, objectives latency and energy");
    }

    private Envs() {
    }

    private static void add(String name, Supplier<Env> f, String d) {
        ENVS.put(name, f);
        DESCRIPTIONS.put(name, d);
    }

    public static Env make(String name) {
        Supplier<Env> f = ENVS.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown environment '" + name + "' (known: " + String.join(", ", ENVS.keySet()) + ")");
        }
        return f.get();
    }

    public static Map<String, String> descriptions() {
        return Map.copyOf(DESCRIPTIONS);
    }

    public static java.util.List<String> names() {
        return java.util.List.copyOf(ENVS.keySet());
    }
}
