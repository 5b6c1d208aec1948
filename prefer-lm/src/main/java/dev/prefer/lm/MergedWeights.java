package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.regex.Pattern;

/**
 * The weights a scripted decoding step ({@link DecodeScript}) reads from a model with low-rank deltas (LoRA) attached:
 * for each adapted module a copy W + s·B·A (Llama layout, Linear's (out, in)) or W + s·(B·A)^T (GPT-2's Conv1D,
 * (in, out); PEFT's {@code fan_in_fan_out}), one {@code addmm} on the engine; every other weight is the model's own
 * tensor. x·(W + sBA)^T differs from the composite path's x·W^T + s·(x·A^T)·B^T by float rounding only. This is
 * what TRL does before sampling with vLLM (trl/trainer/grpo_trainer.py at d2b69d7, {@code _move_model_to_vllm}, lines
 * 1182-1230: {@code self.model.merge_adapter()} at 1198, the merged weights sent, {@code unmerge_adapter()} at 1230;
 * later TRL moved it to trl/generation/vllm_generation.py {@code sync_weights}, lines 444-485), without touching the
 * model's weights: the training pass keeps x·W^T + s·(x·A^T)·B^T through {@link Transformer.LinearDelta#apply}.
 *
 * <p>Made when a wave opens and kept per model while the same W, A and B arrays keep their version counters
 * ({@code torch._version}: an optimizer step's in-place update of an adapter makes the next wave merge again); a
 * generation call frees it when it ends ({@link #drop}, from {@link BatchGeneration#run}), so the copies live for one
 * generation call (the waves of a GRPO generation batch merge once) and a training pass holds none.
 */
final class MergedWeights {
    /** {@code -Dprefer.decodeScriptLora=false}: models with LoRA deltas keep the composite path (as before). */
    static volatile boolean enabled = !"false".equalsIgnoreCase(System.getProperty("prefer.decodeScriptLora", "true"));

    private static final Map<Transformer, MergedWeights> BY_MODEL = Collections.synchronizedMap(new WeakHashMap<>());
    /** Merges made so far (tests: reused while nothing changed, redone after an in-place update). */
    static final java.util.concurrent.atomic.AtomicInteger MERGES = new java.util.concurrent.atomic.AtomicInteger();

    private static final Pattern GPT2_PRODUCTS = Pattern.compile("transformer\\.h\\.\\d+\\.(attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp\\.c_proj)");
    private static final Pattern LLAMA_PRODUCTS = Pattern.compile("model\\.layers\\.\\d+\\.(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)");

    private final NDArray[] sources;   // per module: W, A, B
    private final Transformer.LinearDelta[] deltas;
    private final long[] versions;
    private final NDManager owner;
    private final Map<String, NDArray> merged; // by weight name ("<module>.weight")
    private int users;      // waves using it (guarded by BY_MODEL)
    private boolean stale;  // replaced or dropped: freed when the last wave using it is done

    private MergedWeights(NDArray[] sources, Transformer.LinearDelta[] deltas, long[] versions, NDManager owner, Map<String, NDArray> merged) {
        this.sources = sources;
        this.deltas = deltas;
        this.versions = versions;
        this.owner = owner;
        this.merged = merged;
    }

    /**
     * Whether the scripted step can serve this model's deltas by merging: every delta low-rank, linear now (no
     * dropout), float32 factors, on a product the step reads (GPT-2: c_attn, c_proj, c_fc, mlp c_proj; Llama layout:
     * q, k, v, o, gate, up, down). True without deltas.
     */
    static boolean serves(Transformer model) {
        Map<String, Transformer.LinearDelta> d = model.linearDeltas();
        if (d.isEmpty()) return true;
        if (!enabled) return false;
        Pattern products = model.config().architecture() == Architecture.GPT2 ? GPT2_PRODUCTS : LLAMA_PRODUCTS;
        for (Map.Entry<String, Transformer.LinearDelta> e : d.entrySet()) {
            if (!(e.getValue() instanceof Transformer.LowRankDelta l) || !l.linearNow()) return false;
            if (l.a().getDataType() != DataType.FLOAT32 || l.b().getDataType() != DataType.FLOAT32) return false;
            if (!products.matcher(e.getKey()).matches()) return false;
        }
        return true;
    }

    /** The weight the step reads under this Hugging Face name: the merged copy of an adapted module, else the model's. */
    NDArray weight(Transformer model, String name) {
        NDArray m = merged.get(name);
        return m != null ? m : model.p(name);
    }

    /** The model's merged weights for a wave (merging them when missing or stale); release it when the wave is done. */
    static MergedWeights of(Transformer model) {
        Map<String, Transformer.LinearDelta> d = new java.util.TreeMap<>(model.linearDeltas());
        List<String> modules = new ArrayList<>(d.keySet());
        NDArray[] src = new NDArray[3 * modules.size()];
        Transformer.LinearDelta[] ds = new Transformer.LinearDelta[modules.size()];
        double[] scales = new double[modules.size()];
        for (int i = 0; i < modules.size(); i++) {
            Transformer.LowRankDelta l = (Transformer.LowRankDelta) d.get(modules.get(i));
            ds[i] = l;
            src[3 * i] = model.p(modules.get(i) + ".weight");
            src[3 * i + 1] = l.a();
            src[3 * i + 2] = l.b();
            scales[i] = l.scale();
        }
        synchronized (BY_MODEL) {
            long[] versions = DecodeScript.versions(src);
            MergedWeights old = BY_MODEL.get(model);
            if (old != null && Arrays.equals(old.versions, versions) && Arrays.equals(old.deltas, ds) && same(old.sources, src)) {
                old.users++;
                return old;
            }
            if (old != null) {
                BY_MODEL.remove(model);
                old.stale = true;
                old.freeIfUnused();
            }
            NDManager owner = model.manager().newSubManager();
            Map<String, NDArray> merged = new HashMap<>();
            boolean conv = model.config().architecture().fanInFanOut();
            try (IValue in = IValue.listFrom(Arrays.copyOf(src, src.length, PtNDArray[].class)); IValue s = IValue.listFrom(scales);
                 IValue c = IValue.from(conv ? 1L : 0L);
                 IValue out = IValueUtils.forward(DecodeScript.script(MERGE_CLS, MERGE_SOURCE), new IValue[] {in, s, c})) {
                PtNDArray[] t = out.toTensorArray((PtNDManager) owner);
                for (int i = 0; i < modules.size(); i++) merged.put(modules.get(i) + ".weight", t[i]);
            } catch (RuntimeException e) {
                owner.close();
                throw e;
            }
            MergedWeights m = new MergedWeights(src, ds, versions, owner, merged);
            MERGES.incrementAndGet();
            BY_MODEL.put(model, m);
            m.users++;
            return m;
        }
    }

    /** A generation call (or the model) is done: the copies go once no wave uses them. */
    static void drop(Transformer model) {
        forget(model);
    }

    static void forget(Transformer model) {
        synchronized (BY_MODEL) {
            MergedWeights m = BY_MODEL.remove(model);
            if (m != null) {
                m.stale = true;
                m.freeIfUnused();
            }
        }
    }

    /** Whether the model holds merged copies now (tests: freed after a generation call). */
    static boolean held(Transformer model) {
        return BY_MODEL.containsKey(model);
    }

    /** A wave is done with these weights. */
    void release() {
        synchronized (BY_MODEL) {
            users--;
            freeIfUnused();
        }
    }

    private void freeIfUnused() {
        if (stale && users == 0) owner.close();
    }

    private static boolean same(NDArray[] a, NDArray[] b) {
        if (a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) if (a[i] != b[i] || a[i].isReleased()) return false;
        return true;
    }

    private static final String MERGE_CLS = "MergeLowRank";
    private static final String MERGE_SOURCE = ""
            + "ws: List[Tensor], s: List[float], conv: int) -> List[Tensor]:\n"
            + "    # ws: W, A (r, in), B (out, r) of each module; W + s B A (Linear's (out, in)) or W + s (B A)^T = W + s A^T B^T\n"
            + "    # (Conv1D's (in, out)); detached: the factors require gradients, the copies are read by decoding only\n"
            + "    out: List[Tensor] = []\n"
            + "    for i in range(len(s)):\n"
            + "        w = ws[3 * i].detach()\n"
            + "        a = ws[3 * i + 1].detach()\n"
            + "        b = ws[3 * i + 2].detach()\n"
            + "        if conv == 1:\n"
            + "            out.append(torch.addmm(w, a.t(), b.t(), beta=1.0, alpha=s[i]))\n"
            + "        else:\n"
            + "            out.append(torch.addmm(w, b, a, beta=1.0, alpha=s[i]))\n"
            + "    return out\n";
}
