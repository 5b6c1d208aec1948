package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Shared test helpers: fixture paths, JSON and a PyTorch NDManager. */
final class Fixtures {
    private Fixtures() {}

    static final Path SHARED = Path.of(System.getProperty("prefer.shared", "../../shared"));

    static JsonNode json(Path p) throws Exception {
        if (!Files.isRegularFile(p)) throw new AssertionError("missing fixture " + p);
        return Json.MAPPER.readTree(Files.readString(p));
    }

    static JsonNode resource(String name) throws Exception {
        try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
            if (in == null) throw new AssertionError("missing test resource " + name);
            return Json.MAPPER.readTree(in);
        }
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asDouble();
        return out;
    }

    static double[] flat(JsonNode rows) {
        int n = 0;
        for (JsonNode r : rows) n += r.size();
        double[] out = new double[n];
        int i = 0;
        for (JsonNode r : rows) for (JsonNode v : r) out[i++] = v.asDouble();
        return out;
    }

    static NDManager manager() {
        return NDManager.newBaseManager("PyTorch");
    }

    /** Tensor loss value in double. */
    static double tensorLoss(NDManager m, Objective o, Batch b, DataType type) {
        try (NDManager step = m.newSubManager()) {
            NDArray l = o.loss(TensorBatch.of(step, b, type)).loss();
            return l.toType(DataType.FLOAT64, false).getDouble();
        }
    }
}
