package dev.prefer.reward.source;

/** An LLM judge could not give an answer: endpoint down, timeouts or errors after every retry, or a malformed answer under the {@code fail} policy. One line, naming the endpoint. */
public final class JudgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JudgeException(String message) {
        super(dev.prefer.data.DataException.oneLine(message));
    }
}
