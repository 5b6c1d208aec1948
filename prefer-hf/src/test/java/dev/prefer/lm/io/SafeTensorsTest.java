package dev.prefer.lm.io;

import static org.junit.jupiter.api.Assertions.*;

import dev.prefer.data.DataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    static final Path FIXTURES = Path.of(System.getProperty("prefer.shared", "../shared"), "fixtures");

    @TempDir Path dir;

    @Test
    void readsTheFixtureHeaderAsTransformersWroteIt() {
        Path f = FIXTURES.resolve("hf-tiny/llama/policy/model.safetensors");
        LinkedHashMap<String, HostTensor> t = SafeTensors.read(f);
        // Shapes from the fixture's config.json: vocab 420, hidden 64, 4 heads x head_dim 16, 2 kv heads, ffn 176.
        assertArrayEquals(new long[] {420, 64}, t.get("model.embed_tokens.weight").shape());
        assertArrayEquals(new long[] {32, 64}, t.get("model.layers.0.self_attn.k_proj.weight").shape());
        assertArrayEquals(new long[] {64, 176}, t.get("model.layers.1.mlp.down_proj.weight").shape());
        assertEquals(DType.F32, t.get("lm_head.weight").storedAs());
        assertEquals("pt", SafeTensors.readHeader(f).metadata().get("format"));
    }

    @Test
    void halfFloatConversionsMatchIeeeBitPatterns() {
        // IEEE 754 binary16: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF (max), 2^-24 = 0x0001 (min subnormal).
        assertEquals(1.0f, HalfFloats.f16ToFloat((short) 0x3C00));
        assertEquals(-2.0f, HalfFloats.f16ToFloat((short) 0xC000));
        assertEquals(65504f, HalfFloats.f16ToFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 0x0001));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.f16ToFloat((short) 0x7C00));
        assertEquals((short) 0x3C00, HalfFloats.floatToF16(1.0f));
        assertEquals((short) 0x7BFF, HalfFloats.floatToF16(65504f));
        assertEquals((short) 0x7C00, HalfFloats.floatToF16(70000f));
        assertEquals((short) 0x0001, HalfFloats.floatToF16(0x1p-24f));
        // 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties to even gives 1.0.
        assertEquals((short) 0x3C00, HalfFloats.floatToF16(1f + 0x1p-11f));
        // bfloat16 is the top 16 bits of float32: 1.0 = 0x3F80, -0.5 = 0xBF00.
        assertEquals(1.0f, HalfFloats.bf16ToFloat((short) 0x3F80));
        assertEquals(-0.5f, HalfFloats.bf16ToFloat((short) 0xBF00));
        assertEquals((short) 0x3F80, HalfFloats.floatToBf16(1f + 0x1p-8f)); // tie -> even
        assertEquals((short) 0x3F81, HalfFloats.floatToBf16(1f + 0x1p-8f + 0x1p-20f));
        // Every half value survives a round trip through float.
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloats.f16ToFloat((short) h);
            if (!Float.isNaN(f)) assertEquals((short) h, HalfFloats.floatToF16(f), "half 0x" + Integer.toHexString(h));
            float g = HalfFloats.bf16ToFloat((short) h);
            if (!Float.isNaN(g)) assertEquals((short) h, HalfFloats.floatToBf16(g), "bf16 0x" + Integer.toHexString(h));
        }
    }

    @Test
    void writeThenReadIsIdenticalInEveryStoredType() {
        LinkedHashMap<String, HostTensor> src = SafeTensors.read(FIXTURES.resolve("hf-tiny/gpt2/policy/model.safetensors"));
        Path f32 = dir.resolve("f32.safetensors");
        SafeTensors.write(f32, src, Map.of("format", "pt"), DType.F32);
        assertEquals(src, SafeTensors.read(f32));
        for (DType d : new DType[] {DType.F16, DType.BF16}) {
            Path p = dir.resolve(d + ".safetensors");
            SafeTensors.write(p, src, Map.of(), d);
            LinkedHashMap<String, HostTensor> back = SafeTensors.read(p);
            for (HostTensor t : src.values()) {
                HostTensor b = back.get(t.name());
                assertEquals(d, b.storedAs());
                assertArrayEquals(t.shape(), b.shape());
                for (int i = 0; i < t.data().length; i++) {
                    float want = d == DType.F16 ? HalfFloats.f16ToFloat(HalfFloats.floatToF16(t.data()[i]))
                            : HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(t.data()[i]));
                    assertEquals(want, b.data()[i], 0f, t.name());
                }
            }
            // Writing the widened values again is lossless.
            Path again = dir.resolve(d + "-again.safetensors");
            SafeTensors.write(again, back, Map.of(), d);
            assertEquals(back, SafeTensors.read(again));
        }
    }

    @Test
    void shardedCheckpointsReadLikeOneFile() throws IOException {
        LinkedHashMap<String, HostTensor> src = SafeTensors.read(FIXTURES.resolve("hf-tiny/qwen2/policy/model.safetensors"));
        LinkedHashMap<String, HostTensor> a = new LinkedHashMap<>();
        LinkedHashMap<String, HostTensor> b = new LinkedHashMap<>();
        StringBuilder index = new StringBuilder("{\"metadata\":{},\"weight_map\":{");
        int i = 0;
        for (HostTensor t : src.values()) {
            String shard = i % 2 == 0 ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
            (i % 2 == 0 ? a : b).put(t.name(), t);
            index.append(i == 0 ? "" : ",").append('"').append(t.name()).append("\":\"").append(shard).append('"');
            i++;
        }
        index.append("}}");
        SafeTensors.write(dir.resolve("model-00001-of-00002.safetensors"), a, Map.of(), DType.F32);
        SafeTensors.write(dir.resolve("model-00002-of-00002.safetensors"), b, Map.of(), DType.F32);
        Files.writeString(dir.resolve("model.safetensors.index.json"), index);
        assertEquals(Map.copyOf(src), Map.copyOf(SafeTensors.readCheckpoint(dir)));

        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString().replace("\"weight_map\":{", "\"weight_map\":{\"ghost.weight\":\"model-00001-of-00002.safetensors\","));
        DataException e = assertThrows(DataException.class, () -> SafeTensors.readCheckpoint(dir));
        assertTrue(e.getMessage().contains("ghost.weight") && e.getMessage().contains("missing"), e.getMessage());

        DataException none = assertThrows(DataException.class, () -> SafeTensors.readCheckpoint(dir.resolve("nowhere")));
        assertTrue(none.getMessage().contains("no model.safetensors"), none.getMessage());
    }

    // ---------------------------------------------------------------- hardening, case by case

    static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    static String error(byte[] bytes) {
        DataException e = assertThrows(DataException.class, () -> SafeTensors.read("bad.safetensors", bytes));
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertTrue(e.getMessage().startsWith("bad.safetensors"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void damagedFilesGiveOneLineErrorsNamingFileAndTensor() throws IOException {
        assertTrue(error(new byte[5]).contains("too short"));
        byte[] huge = file("{}", 0);
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE);
        assertTrue(error(huge).contains("past the end"));
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L); // 2^64 - 1 as unsigned
        assertTrue(error(huge).contains("past the end"));
        assertTrue(error(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8)).contains("not valid JSON"));
        byte[] latin1 = file("{\"w\u00e9\":1}", 0);
        latin1[8 + 4] = (byte) 0xE9; // a lone Latin-1 byte where UTF-8 expected
        latin1[8 + 5] = (byte) '"';
        assertTrue(error(latin1).contains("UTF-8"));
        assertTrue(error(file("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2)).matches(".*'w'.*unknown dtype 'F8_E4M3'.*"));
        assertTrue(error(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8)).matches(".*'w'.*needs 12 bytes but data_offsets span 8.*"));
        assertTrue(error(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4)).matches(".*'w'.*out of range.*"));
        assertTrue(error(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8)).contains("non-negative"));
        assertTrue(error(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4],\"data_offsets\":[0,8]}}", 8)).contains("overflows"));
        assertTrue(error(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12))
                .matches(".*'b'.*overlap tensor 'a'.*"));
        assertTrue(error(file("[1,2]", 0)).contains("not a JSON object"));

        // The same through a file on disk, and a truncated file.
        byte[] good = Files.readAllBytes(FIXTURES.resolve("hf-tiny/gpt2/policy/model.safetensors"));
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length - 100));
        DataException e = assertThrows(DataException.class, () -> SafeTensors.read(cut));
        assertTrue(e.getMessage().startsWith(cut.toString()) && e.getMessage().contains("out of range"), e.getMessage());
    }

    /**
     * Thousands of random mutations of the fixture files: every one either reads or fails with a DataException —
     * never another exception, an OutOfMemoryError or a JVM abort. Mutations target the header (where the
     * interesting failures are) most of the time, and also truncate, extend and rewrite the length prefix.
     */
    @Test
    void fuzzedFixturesNeverFailOtherThanCleanly() throws IOException {
        java.util.Random rnd = new java.util.Random(20261127L);
        String[] files = {"hf-tiny/gpt2/policy/model.safetensors", "hf-tiny/llama/policy/model.safetensors",
                "hf-tiny/qwen2/reference/model.safetensors", "hf-tiny-rm/llama-rm/model.safetensors"};
        int ok = 0;
        int rejected = 0;
        for (String name : files) {
            byte[] orig = Files.readAllBytes(FIXTURES.resolve(name));
            int headerEnd = 8 + (int) ByteBuffer.wrap(orig).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            for (int round = 0; round < 1000; round++) {
                byte[] m = mutate(orig, headerEnd, rnd);
                try {
                    SafeTensors.read(name + "#" + round, m);
                    ok++;
                } catch (DataException expected) {
                    assertFalse(expected.getMessage().contains("\n"));
                    rejected++;
                } catch (Throwable t) {
                    fail("mutation " + round + " of " + name + " escaped as " + t, t);
                }
            }
        }
        assertEquals(4000, ok + rejected);
        assertTrue(rejected > 1000, "most header mutations are caught: " + rejected);
    }

    private static byte[] mutate(byte[] orig, int headerEnd, java.util.Random rnd) {
        byte[] m;
        switch (rnd.nextInt(7)) {
            case 0 -> { // flip a few random header bytes
                m = orig.clone();
                for (int k = 1 + rnd.nextInt(4); k > 0; k--) m[8 + rnd.nextInt(headerEnd - 8)] ^= (byte) (1 << rnd.nextInt(8));
            }
            case 1 -> { // overwrite a header digit with another digit (plausible but wrong shapes/offsets)
                m = orig.clone();
                for (int tries = 0; tries < 50; tries++) {
                    int p = 8 + rnd.nextInt(headerEnd - 8);
                    if (m[p] >= '0' && m[p] <= '9') {
                        m[p] = (byte) ('0' + rnd.nextInt(10));
                        break;
                    }
                }
            }
            case 2 -> m = java.util.Arrays.copyOf(orig, rnd.nextInt(orig.length)); // truncate anywhere
            case 3 -> { // random length prefix
                m = orig.clone();
                long len = switch (rnd.nextInt(3)) {
                    case 0 -> rnd.nextLong();
                    case 1 -> headerEnd - 8 + rnd.nextInt(64) - 32;
                    default -> rnd.nextInt(orig.length * 2);
                };
                ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putLong(0, len);
            }
            case 4 -> { // random bytes spliced into the header
                m = orig.clone();
                int p = 8 + rnd.nextInt(headerEnd - 8);
                for (int k = 0; k < 1 + rnd.nextInt(16) && p + k < headerEnd; k++) m[p + k] = (byte) rnd.nextInt(256);
            }
            case 5 -> { // invalid UTF-8 in the header
                m = orig.clone();
                m[8 + rnd.nextInt(headerEnd - 8)] = (byte) (0x80 + rnd.nextInt(0x40));
            }
            default -> { // trailing garbage or a changed data byte
                m = java.util.Arrays.copyOf(orig, orig.length + rnd.nextInt(16));
                m[headerEnd + rnd.nextInt(orig.length - headerEnd)] ^= (byte) 0xff;
            }
        }
        return m;
    }
}
