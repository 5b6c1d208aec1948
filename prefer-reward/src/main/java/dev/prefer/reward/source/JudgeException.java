package dev.prefer.reward.source;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An LLM judge could not give an answer: the endpoint is down, or timeouts or errors came back after every retry,
 * or an answer was malformed under the {@code fail} policy. One line, naming the endpoint. An I/O failure in kind
 * (the CLI reports it as one line and exits 2).
 */
public final class JudgeException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    public JudgeException(String message) {
        super(dev.prefer.data.DataException.oneLine(message), new IOException(dev.prefer.data.DataException.oneLine(message)));
    }
}
