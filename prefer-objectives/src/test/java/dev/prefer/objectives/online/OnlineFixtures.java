package dev.prefer.objectives.online;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import java.io.InputStream;

/** Test helpers: the reference JSON, array conversion, tensor losses and autograd gradients. */
final class OnlineFixtures {
    private OnlineFixtures() {}

    static JsonNode reference() throws Exception {
        String name = "online-reference-numbers.json";
        try (InputStream in = OnlineFixtures.class.getResourceAsStream(name)) {
            if (in == null) throw new AssertionError("missing test resource " + name);
            return Json.MAPPER.readTree(in);
        }
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).isNull() ? Double.NaN : a.get(i).asDouble();
        return out;
    }

    static NDManager manager() {
        return NDManager.newBaseManager("PyTorch");
    }

    /** Tensor loss value, as a double. */
    static double tensorLoss(NDManager m, OnlineLoss loss, OnlineBatch b, DataType type) {
        try (NDManager step = m.newSubManager()) {
            return loss.loss(OnlineTensorBatch.of(step, b, type)).loss().toType(DataType.FLOAT64, false).getDouble();
        }
    }

    /** Autograd gradient of the tensor loss with respect to the policy log-probs, (B*T). */
    static double[] autograd(NDManager m, OnlineLoss loss, OnlineBatch b, DataType type) {
        try (NDManager step = m.newSubManager()) {
            OnlineTensorBatch tb = OnlineTensorBatch.of(step, b, type);
            NDArray p = tb.logps();
            p.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                gc.backward(loss.loss(tb.withLogps(p)).loss());
            }
            return p.getGradient().toType(DataType.FLOAT64, true).toDoubleArray();
        }
    }

    /** Central finite differences of the double twin in the live log-probs (stop-gradient values held fixed). */
    static double[] finiteDifferences(OnlineLoss loss, OnlineBatch b) {
        double[] p = b.logps();
        double[] g = new double[p.length];
        double h = 1e-6;
        for (int i = 0; i < p.length; i++) {
            double[] up = p.clone(), down = p.clone();
            up[i] += h;
            down[i] -= h;
            g[i] = (loss.loss(b.withLogps(up)).value() - loss.loss(b.withLogps(down)).value()) / (2 * h);
        }
        return g;
    }
}
