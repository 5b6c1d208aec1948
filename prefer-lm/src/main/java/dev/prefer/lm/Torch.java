package dev.prefer.lm;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * The PyTorch engine, started once with a sensible thread count. DJL's tokenizers jar also registers a Rust
 * engine, so Prefer always asks for PyTorch by name.
 *
 * <p>Threads: system property {@code prefer.threads}, else {@code ai.djl.pytorch.num_threads}, else the number of
 * available processors; inter-op threads default to 1 (a decoder's ops run one after another).
 */
public final class Torch {
    public static final String ENGINE = "PyTorch";
    private static volatile Engine engine;

    private Torch() {}

    /** Starts the engine (idempotent) and returns it. */
    public static synchronized Engine init() {
        if (engine == null) {
            // DJL probes for CUDA on every start and warns on CPU-only machines with a stale driver; Prefer runs on CPU.
            String quiet = "org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils";
            if (System.getProperty(quiet) == null) System.setProperty(quiet, "error");
            String threads = System.getProperty("prefer.threads");
            if (threads != null) System.setProperty("ai.djl.pytorch.num_threads", threads);
            if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
                System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
            }
            if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
                System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            }
            engine = Engine.getEngine(ENGINE);
        }
        return engine;
    }

    /** Whether the engine sees a CUDA device (a CUDA build of libtorch and a GPU). */
    public static boolean gpuAvailable() {
        return init().getGpuCount() > 0;
    }

    /** Why {@link #gpuAvailable()} is false, in a few words for a one-line error. */
    public static String gpuMissingReason() {
        return "the PyTorch engine sees no CUDA device: Prefer ships the CPU build of libtorch (pytorch-native-cpu); "
                + "a GPU needs a CUDA build (pytorch-native-cu*) and a driver";
    }

    /** A new root manager on the PyTorch engine (CPU). */
    public static NDManager newManager() {
        return init().newBaseManager();
    }
}
