package dev.prefer.rl.reward;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the reward ensemble's minibatch loss and gradient run: "java" (the hand-written loop, no natives) or a
 * {@link RewardEnsemble.Backend} found on the class path by {@link ServiceLoader} under its name ("torch": the
 * PyTorch engine, in the prefer-rl-torch module). One instance per name and process.
 */
public final class RewardBackends {
    public static final List<String> NAMES = List.of("java", "torch");
    private static final Map<String, RewardEnsemble.Backend> LOADED = new ConcurrentHashMap<>();

    private RewardBackends() {}

    /** null for "java" (the ensemble's own loop); otherwise the registered backend of that name. */
    public static RewardEnsemble.Backend named(String name) {
        if (name.equals("java")) {
            return null;
        }
        return LOADED.computeIfAbsent(name, n -> ServiceLoader.load(RewardEnsemble.Backend.class).stream()
                .map(ServiceLoader.Provider::get).filter(b -> b.name().equals(n)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("reward backend '" + n + "' is not on the class path"
                        + (n.equals("torch") ? " (it lives in the prefer-rl-torch module)" : "") + "; available: java")));
    }
}
