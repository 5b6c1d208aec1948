package dev.prefer.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The lines of a text file, plain or gzip (detected by content), split on bytes and decoded one line at a time, so
 * that invalid UTF-8 and corrupt gzip data are reported on the line that holds them (a {@link java.io.BufferedReader}
 * decodes blocks ahead and blames the first line of the block). Every problem is a one-line {@link DataException};
 * lines end at LF, and a CR before it is dropped.
 *
 * <pre>{@code
 * try (TextLines in = TextLines.open(file)) {
 *     for (String s; (s = in.next()) != null; ) use(in.line(), s);
 * }
 * }</pre>
 */
public final class TextLines implements AutoCloseable {
    private final Path file;
    private final InputStream in;
    private final boolean gzip;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int end;
    private byte[] line = new byte[256];
    private CharBuffer chars = CharBuffer.allocate(256);
    private long lineNo;
    private boolean eof;

    private TextLines(Path file, InputStream in, boolean gzip) {
        this.file = file;
        this.in = in;
        this.gzip = gzip;
    }

    /** Opens {@code file}; a missing or unreadable file is a {@link DataException}. */
    public static TextLines open(Path file) {
        InputStream raw = null;
        try {
            raw = Files.newInputStream(file);
            byte[] head = raw.readNBytes(2);
            boolean gz = head.length == 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
            raw.close();
            raw = Files.newInputStream(file);
            return new TextLines(file, gz ? new GZIPInputStream(raw, 1 << 16) : raw, gz);
        } catch (NoSuchFileException e) {
            throw DataException.ofFile(file, "no such file");
        } catch (IOException e) {
            closeQuietly(raw);
            if (e instanceof ZipException || e instanceof EOFException) throw DataException.ofFile(file, "corrupt gzip header: " + e.getMessage());
            throw DataException.ofFile(file, "cannot open: " + e.getMessage());
        }
    }

    /** 1-based number of the line last returned by {@link #next}. */
    public long line() {
        return lineNo;
    }

    /** The next line without its terminator, or null at the end of the file. */
    public String next() {
        if (eof && pos >= end) return null;
        int n = 0;
        while (true) {
            if (pos >= end) {
                if (!fill()) {
                    if (n == 0) return null;
                    break;
                }
            }
            int i = pos;
            while (i < end && buf[i] != '\n') i++;
            int len = i - pos;
            if (n + len > line.length) line = Arrays.copyOf(line, Math.max(line.length * 2, n + len));
            System.arraycopy(buf, pos, line, n, len);
            n += len;
            pos = i;
            if (i < end) {
                pos++; // the LF
                break;
            }
        }
        lineNo++;
        if (n > 0 && line[n - 1] == '\r') n--;
        ByteBuffer bytes = ByteBuffer.wrap(line, 0, n);
        if (chars.capacity() < n) chars = CharBuffer.allocate(Math.max(n, chars.capacity() * 2));
        chars.clear();
        decoder.reset();
        CoderResult r = decoder.decode(bytes, chars, true);
        if (!r.isError()) r = decoder.flush(chars);
        if (r.isError()) {
            throw new DataException(file, lineNo, null, "not valid UTF-8 (byte " + (bytes.position() + 1) + " of the line)");
        }
        chars.flip();
        return chars.toString();
    }

    private boolean fill() {
        if (eof) return false;
        try {
            int r = in.read(buf, 0, buf.length);
            if (r < 0) {
                eof = true;
                return false;
            }
            pos = 0;
            end = r;
            return true;
        } catch (EOFException e) {
            throw new DataException(file, lineNo + 1, null, gzip ? "gzip data ends early (truncated file)" : "file ends early");
        } catch (ZipException e) {
            throw new DataException(file, lineNo + 1, null, "corrupt gzip data: " + e.getMessage());
        } catch (IOException e) {
            throw new DataException(file, lineNo + 1, null, "cannot read: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        closeQuietly(in);
    }

    private static void closeQuietly(InputStream s) {
        if (s == null) return;
        try {
            s.close();
        } catch (IOException ignored) {
            // reading is done; nothing to keep
        }
    }
}
