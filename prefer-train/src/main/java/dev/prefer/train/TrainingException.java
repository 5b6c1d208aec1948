package dev.prefer.train;

/** A training run stopped (non-finite loss, incompatible checkpoint, ...); the message is one line. */
public final class TrainingException extends RuntimeException {
    public TrainingException(String message) {
        super(message);
    }
}
