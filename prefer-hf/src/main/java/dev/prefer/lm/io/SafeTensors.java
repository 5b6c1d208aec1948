package dev.prefer.lm.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.AtomicFiles;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the safetensors format (an 8-byte little-endian header length, a UTF-8 JSON header of
 * {@code name -> {dtype, shape, data_offsets}} plus optional {@code __metadata__}, then the raw little-endian
 * bytes). Our own reader, because DJL aborts the JVM on BF16: every tensor is widened to float32 on the host.
 *
 * <p>Hardened against damaged or hostile files: a header length beyond the file, a truncated or non-UTF-8 header,
 * bad JSON, unknown dtypes, negative or overflowing shapes, out-of-range or overlapping offsets, and shape/byte-size
 * mismatches all end in a one-line {@link DataException} naming the file and tensor. No allocation is sized by the
 * header alone: every byte count is checked against the file's real size first, so a crafted header cannot cause
 * an OutOfMemoryError.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** Headers larger than this are refused (the format's own reference implementation uses 100 MB). */
    static final long MAX_HEADER_BYTES = 100L << 20;
    /** Largest tensor that fits one Java float array. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 16;

    /** One entry of a header. {@code begin}/{@code end} are offsets into the data section. */
    public record Entry(String name, DType dtype, long[] shape, long begin, long end) {
        public long numel() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    /** A parsed header: entries in file order, metadata, and where the data section starts. */
    public record Header(List<Entry> entries, Map<String, String> metadata, long dataStart, long dataLength) {}

    /** Reads every tensor of one file. */
    public static LinkedHashMap<String, HostTensor> read(Path file) {
        String where = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            Header h = readHeader(where, ch, size);
            LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
            for (Entry e : h.entries()) {
                long len = e.end() - e.begin();
                ByteBuffer buf = ByteBuffer.allocate((int) Math.min(len, Integer.MAX_VALUE)).order(ByteOrder.LITTLE_ENDIAN);
                if (len > Integer.MAX_VALUE) throw new DataException(where, 0, e.name(), "tensor larger than 2 GiB is not supported");
                readFully(ch, buf, h.dataStart() + e.begin(), where, e.name());
                buf.flip();
                out.put(e.name(), decode(e, buf));
            }
            return out;
        } catch (NoSuchFileException e) {
            throw DataException.ofFile(file, "no such file");
        } catch (IOException e) {
            throw DataException.ofFile(file, "cannot read: " + e.getMessage());
        }
    }

    /** Reads every tensor from bytes held in memory; {@code where} names the source in errors. */
    public static LinkedHashMap<String, HostTensor> read(String where, byte[] bytes) {
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        Header h = parseHeader(where, all, bytes.length);
        LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
        for (Entry e : h.entries()) {
            ByteBuffer slice = all.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            slice.position((int) (h.dataStart() + e.begin())).limit((int) (h.dataStart() + e.end()));
            out.put(e.name(), decode(e, slice.slice().order(ByteOrder.LITTLE_ENDIAN)));
        }
        return out;
    }

    /** Reads only the header of a file (cheap: for listing tensors, shapes and dtypes). */
    public static Header readHeader(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file.toString(), ch, ch.size());
        } catch (NoSuchFileException e) {
            throw DataException.ofFile(file, "no such file");
        } catch (IOException e) {
            throw DataException.ofFile(file, "cannot read: " + e.getMessage());
        }
    }

    /**
     * Reads one tensor of a file whose header is {@code h} (from {@link #readHeader(Path)}) through an open channel: for
     * loading a large checkpoint one tensor at a time.
     */
    public static HostTensor readEntry(FileChannel ch, Header h, Entry e, String where) {
        try {
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, b, h.dataStart() + e.begin(), where, e.name());
            b.flip();
            return decode(e, b);
        } catch (IOException ex) {
            throw new DataException(where, 0, e.name(), "cannot read: " + ex.getMessage());
        }
    }

    /**
     * Reads a Hugging Face model folder's weights: {@code model.safetensors}, or the shards listed by
     * {@code model.safetensors.index.json}. Every tensor the index names must be in its shard, once.
     */
    public static LinkedHashMap<String, HostTensor> readCheckpoint(Path modelDir) {
        Path single = modelDir.resolve("model.safetensors");
        Path index = modelDir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(single)) return read(single);
        if (!Files.isRegularFile(index)) {
            String extra = Files.exists(modelDir.resolve("pytorch_model.bin"))
                    ? " (pytorch_model.bin is not supported: convert it to safetensors)" : "";
            throw DataException.ofFile(modelDir, "no model.safetensors or model.safetensors.index.json" + extra);
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readString(index));
        } catch (IOException e) {
            throw DataException.ofFile(index, "cannot read index: " + DataException.oneLine(e.getMessage()));
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) throw new DataException(index, 0, "weight_map", "missing or not an object");
        TreeMap<String, List<String>> byShard = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isTextual()) throw new DataException(index.toString(), 0, "weight_map." + f.getKey(), "expected a file name");
            String shard = f.getValue().asText();
            Path shardPath = modelDir.resolve(shard).normalize();
            if (!shardPath.startsWith(modelDir.normalize()) || shard.contains("/") || shard.contains("\\")) {
                throw new DataException(index.toString(), 0, "weight_map." + f.getKey(), "shard name must be a plain file name: " + shard);
            }
            byShard.computeIfAbsent(shard, k -> new ArrayList<>()).add(f.getKey());
        }
        LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> s : byShard.entrySet()) {
            Path shardPath = modelDir.resolve(s.getKey());
            LinkedHashMap<String, HostTensor> tensors = read(shardPath);
            for (String name : s.getValue()) {
                HostTensor t = tensors.get(name);
                if (t == null) throw new DataException(shardPath.toString(), 0, name, "tensor listed in " + index.getFileName() + " is missing from this shard");
                out.put(name, t);
            }
        }
        return out;
    }

    /**
     * Writes tensors to one file atomically, stored as {@code storeAs} (F32, F16 or BF16), in the given map order,
     * with the header padded to a multiple of 8 bytes as the reference implementation does.
     */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata, DType storeAs) {
        if (storeAs != DType.F32 && storeAs != DType.F16 && storeAs != DType.BF16) {
            throw new IllegalArgumentException("can store F32, F16 or BF16, not " + storeAs);
        }
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) header.put("__metadata__", new TreeMap<>(metadata));
        long offset = 0;
        for (HostTensor t : tensors.values()) {
            long bytes = t.numel() * storeAs.bytes();
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("dtype", storeAs.name());
            e.put("shape", t.shape());
            e.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(t.name(), e);
            offset += bytes;
        }
        byte[] json;
        try {
            json = Json.MAPPER.copy().disable(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length);
            out.write(len.array());
            out.write(headerBytes);
            for (HostTensor t : tensors.values()) writeData(out, t.data(), storeAs);
        });
    }

    private static void writeData(OutputStream out, float[] data, DType storeAs) throws IOException {
        int per = storeAs.bytes();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
            if (buf.remaining() < per) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            switch (storeAs) {
                case F32 -> buf.putFloat(v);
                case F16 -> buf.putShort(HalfFloats.floatToF16(v));
                case BF16 -> buf.putShort(HalfFloats.floatToBf16(v));
                default -> throw new IllegalStateException();
            }
        }
        out.write(buf.array(), 0, buf.position());
    }

    // ---------------------------------------------------------------- header parsing

    private static Header readHeader(String where, FileChannel ch, long size) throws IOException {
        if (size < 8) throw new DataException(where, 0, null, "file of " + size + " bytes is too short for a safetensors header");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0, where, null);
        lenBuf.flip();
        long n = lenBuf.getLong();
        checkHeaderLength(where, n, size);
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(ch, hb, 8, where, null);
        hb.flip();
        return parseHeaderJson(where, hb, 8 + n, size - 8 - n);
    }

    private static Header parseHeader(String where, ByteBuffer all, long size) {
        if (size < 8) throw new DataException(where, 0, null, "file of " + size + " bytes is too short for a safetensors header");
        long n = all.getLong(0);
        checkHeaderLength(where, n, size);
        ByteBuffer hb = all.duplicate();
        hb.position(8).limit((int) (8 + n));
        return parseHeaderJson(where, hb.slice(), 8 + n, size - 8 - n);
    }

    private static void checkHeaderLength(String where, long n, long size) {
        if (n < 0 || n > size - 8) throw new DataException(where, 0, null, "header length " + Long.toUnsignedString(n) + " runs past the end of the file (" + size + " bytes)");
        if (n < 2) throw new DataException(where, 0, null, "header length " + n + " is too small");
        if (n > MAX_HEADER_BYTES) throw new DataException(where, 0, null, "header of " + n + " bytes exceeds the " + MAX_HEADER_BYTES + "-byte limit");
    }

    private static Header parseHeaderJson(String where, ByteBuffer headerBytes, long dataStart, long dataLength) {
        String text;
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBytes);
            text = cb.toString();
        } catch (CharacterCodingException e) {
            throw new DataException(where, 0, null, "header is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new DataException(where, 0, null, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new DataException(where, 0, null, "header is not a JSON object");
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) throw new DataException(where, 0, "__metadata__", "expected an object of strings");
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) throw new DataException(where, 0, "__metadata__." + kv.getKey(), "expected a string");
                    metadata.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            entries.add(parseEntry(where, name, v, dataLength));
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < byOffset.size(); i++) {
            Entry prev = byOffset.get(i - 1);
            Entry cur = byOffset.get(i);
            if (cur.begin() < prev.end()) {
                throw new DataException(where, 0, cur.name(), "data_offsets [" + cur.begin() + ", " + cur.end()
                        + ") overlap tensor '" + prev.name() + "' [" + prev.begin() + ", " + prev.end() + ")");
            }
        }
        return new Header(List.copyOf(entries), Map.copyOf(metadata), dataStart, dataLength);
    }

    private static Entry parseEntry(String where, String name, JsonNode v, long dataLength) {
        if (!v.isObject()) throw new DataException(where, 0, name, "tensor entry is not an object");
        JsonNode dt = v.get("dtype");
        if (dt == null || !dt.isTextual()) throw new DataException(where, 0, name, "missing dtype");
        DType dtype = DType.fromName(dt.asText());
        if (dtype == null) throw new DataException(where, 0, name, "unknown dtype '" + DataException.oneLine(dt.asText()) + "'");
        JsonNode sh = v.get("shape");
        if (sh == null || !sh.isArray()) throw new DataException(where, 0, name, "missing shape");
        long[] shape = new long[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new DataException(where, 0, name, "shape " + sh + " must hold non-negative integers");
            }
            shape[i] = d.asLong();
            try {
                numel = Math.multiplyExact(numel, shape[i]);
            } catch (ArithmeticException e) {
                throw new DataException(where, 0, name, "shape " + sh + " overflows");
            }
        }
        JsonNode off = v.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()
                || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
            throw new DataException(where, 0, name, "data_offsets must be two integers");
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin < 0 || end < begin || end > dataLength) {
            throw new DataException(where, 0, name, "data_offsets [" + begin + ", " + end + ") out of range of the "
                    + dataLength + "-byte data section");
        }
        long expected;
        try {
            expected = Math.multiplyExact(numel, (long) dtype.bytes());
        } catch (ArithmeticException e) {
            throw new DataException(where, 0, name, "shape " + sh + " overflows");
        }
        if (end - begin != expected) {
            throw new DataException(where, 0, name, "shape " + sh + " of " + dtype + " needs " + expected
                    + " bytes but data_offsets span " + (end - begin));
        }
        if (numel > MAX_ELEMENTS) throw new DataException(where, 0, name, numel + " elements exceed what one tensor may hold here");
        return new Entry(name, dtype, shape, begin, end);
    }

    // ---------------------------------------------------------------- data

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, String where, String tensor) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw new DataException(where, 0, tensor, "file is truncated");
            pos += n;
        }
    }

    private static HostTensor decode(Entry e, ByteBuffer b) {
        int n = (int) e.numel();
        float[] out = new float[n];
        switch (e.dtype()) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8); }
            case F16 -> { for (int i = 0; i < n; i++) out[i] = HalfFloats.f16ToFloat(b.getShort(i * 2)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = HalfFloats.bf16ToFloat(b.getShort(i * 2)); }
            case I64 -> { for (int i = 0; i < n; i++) out[i] = b.getLong(i * 8); }
            case I32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4); }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2); }
            case I8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case U8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; }
            case BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get(i) != 0 ? 1f : 0f; }
        }
        return new HostTensor(e.name(), e.dtype(), e.shape(), out);
    }
}
