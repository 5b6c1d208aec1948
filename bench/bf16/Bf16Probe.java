import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;

/**
 * Where bfloat16 breaks under DJL 0.36 / libtorch 2.7.1 (docs/results/lm-families.md, "Half precision"), and what the
 * working path (prefer-lm's dev.prefer.lm.Bf16) relies on: DJL holds and passes back a bfloat16 tensor that TorchScript
 * made, as long as no call hands DJL its dtype (case "script"). One case per JVM,
 * since the failing ones abort the process:
 *   /usr/bin/python3 bench/bf16/make_modules.py /tmp/bf16
 *   cp=prefer-cli/target/prefer-cli.jar:prefer-cli/target/lib/*
 *   for c in zeros toType script logSoftmax toFloat; do java -cp "$cp" bench/bf16/Bf16Probe.java /tmp/bf16 $c; echo "rc=$?"; done
 * zeros / toType: DJL asked for a bfloat16 tensor; script: a bfloat16 product inside TorchScript, then DJL's matMul on
 * the bfloat16 result and a TorchScript cast back to float32; logSoftmax / toFloat: a DJL op on the bfloat16 result that
 * passes the tensor's own dtype (logSoftmax) or a float32 target (toType).
 */
public class Bf16Probe {
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]);
        String c = a[1];
        NDManager m = NDManager.newBaseManager("PyTorch");
        NDArray x = m.randomNormal(new Shape(4, 8)), w = m.randomNormal(new Shape(6, 8));
        System.out.println("case " + c);
        if (c.equals("zeros")) { m.zeros(new Shape(2), DataType.BFLOAT16); return; }
        if (c.equals("toType")) { x.toType(DataType.BFLOAT16, false); return; }
        PtSymbolBlock mm = JniUtils.loadModule((PtNDManager) m, dir.resolve("bf16mm.pt"), false, new String[0], new String[0], false);
        PtSymbolBlock tf = JniUtils.loadModule((PtNDManager) m, dir.resolve("tofloat.pt"), false, new String[0], new String[0], false);
        NDArray y = IValueUtils.forward(mm, new NDList(x, w), false).singletonOrThrow();
        System.out.println("TorchScript bfloat16 product: ok, shape " + y.getShape() + ", DJL reads its dtype as " + y.getDataType());
        NDArray z = y.matMul(y.transpose());
        System.out.println("DJL matMul on the bfloat16 tensor: ok, shape " + z.getShape());
        NDArray f = IValueUtils.forward(tf, new NDList(z), false).singletonOrThrow();
        System.out.println("TorchScript cast back: " + f.getDataType());
        if (c.equals("logSoftmax")) System.out.println("logSoftmax: " + y.logSoftmax(-1).getShape());
        if (c.equals("toFloat")) System.out.println("toType(FLOAT32): " + y.toType(DataType.FLOAT32, false).getDataType());
    }
}
