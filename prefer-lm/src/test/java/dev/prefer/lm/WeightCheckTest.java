package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.prefer.data.DataException;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue #16 item 1: integer-dtype and non-finite weights are refused at load, naming the file and the tensor. */
class WeightCheckTest {

    /**
     * Writes a safetensors file by hand (8-byte little-endian header length, JSON header, raw bytes), independently of
     * {@link SafeTensors#write}, storing {@code intTensor} as I32 (its values rounded) and the rest as F32.
     */
    static void writeRaw(Path file, Map<String, HostTensor> tensors, String intTensor) throws Exception {
        StringBuilder h = new StringBuilder("{");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            float[] v = e.getValue().data();
            boolean asInt = e.getKey().equals(intTensor);
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float x : v) {
                if (asInt) b.putInt(Math.round(x * 1000));
                else b.putFloat(x);
            }
            long begin = data.size();
            data.write(b.array());
            if (h.length() > 1) h.append(',');
            h.append('"').append(e.getKey()).append("\":{\"dtype\":\"").append(asInt ? "I32" : "F32").append("\",\"shape\":")
                    .append(java.util.Arrays.toString(e.getValue().shape()).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(begin).append(',').append(data.size()).append("]}");
        }
        h.append('}');
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(len.array());
        all.write(header);
        all.write(data.toByteArray());
        Files.write(file, all.toByteArray());
    }

    static Path copyWithout(Path src, Path dst) throws Exception {
        Files.createDirectories(dst);
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) Files.copy(src.resolve(f), dst.resolve(f));
        return dst;
    }

    @Test
    void integerWeightsAreRefusedNamingTheTensor(@TempDir Path tmp) throws Exception {
        Path src = Fixtures.model("llama", "policy");
        Path dir = copyWithout(src, tmp.resolve("int"));
        writeRaw(dir.resolve("model.safetensors"), SafeTensors.read(src.resolve("model.safetensors")), "model.layers.0.mlp.up_proj.weight");
        var e = assertThrows(DataException.class, () -> CausalLM.load(dir));
        assertEquals(dir.resolve("model.safetensors") + ": field 'model.layers.0.mlp.up_proj.weight': stored as I32: model weights"
                + " must be floating point (F32, F16, BF16 or F64); integer weights are a quantised or damaged checkpoint, not supported",
                e.getMessage());
    }

    @Test
    void nonFiniteWeightsAreRefusedNamingTheTensor(@TempDir Path tmp) throws Exception {
        Path src = Fixtures.model("gpt2", "policy");
        Path dir = copyWithout(src, tmp.resolve("nan"));
        LinkedHashMap<String, HostTensor> t = SafeTensors.read(src.resolve("model.safetensors"));
        HostTensor wte = t.get("transformer.wte.weight");
        float[] d = wte.data().clone();
        d[70] = Float.NaN;
        d[71] = Float.POSITIVE_INFINITY;
        t.put(wte.name(), new HostTensor(wte.name(), wte.storedAs(), wte.shape(), d));
        writeRaw(dir.resolve("model.safetensors"), t, null);
        var e = assertThrows(DataException.class, () -> CausalLM.load(dir));
        assertEquals(dir.resolve("model.safetensors") + ": field 'transformer.wte.weight': 2 of " + d.length
                + " values are not finite (first: NaN at flat index 70); the checkpoint is damaged", e.getMessage());
    }
}
