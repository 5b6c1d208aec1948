package dev.prefer.reward.head;

import java.util.List;
import java.util.Random;

/** Builds a head from its config and the shapes of its inputs; the one place that maps a kind to a class. */
public final class Heads {
    private Heads() {}

    /**
     * @param dim        response vector length
     * @param ctxDim     context vector length (0 when there is none)
     * @param annotators annotators the head keeps parameters for (PAL, MiCRo)
     * @param seed       initialisation seed
     */
    public static PreferenceHead create(HeadConfig config, int dim, int ctxDim, List<String> annotators, long seed) {
        Random rnd = new Random(seed);
        return switch (config.kind()) {
            case "bt", "linear" -> new LinearBtHead(config, dim, rnd);
            case "mlp" -> new MlpBtHead(config, dim, rnd);
            case "pal" -> new PalHead(config, dim, annotators.isEmpty() ? List.of("<all>") : annotators, rnd);
            case "micro" -> new MicroHead(config, dim, ctxDim, annotators, rnd);
            case "gpm" -> new GpmHead(config, dim, ctxDim, rnd);
            case "classifier" -> new PairClassifierHead(config, dim, rnd);
            case "multi" -> new MultiAttributeHead(config, dim, rnd);
            default -> throw new IllegalArgumentException("unknown head " + config.kind());
        };
    }

    /** A head with the given parameters (as saved); the length must match. */
    public static PreferenceHead restore(HeadConfig config, int dim, int ctxDim, List<String> annotators, double[] params) {
        PreferenceHead h = create(config, dim, ctxDim, annotators, 0);
        if (h.parameters().length != params.length) {
            throw new IllegalArgumentException("saved head has " + params.length + " parameters, the config implies " + h.parameters().length);
        }
        System.arraycopy(params, 0, h.parameters(), 0, params.length);
        return h;
    }
}
