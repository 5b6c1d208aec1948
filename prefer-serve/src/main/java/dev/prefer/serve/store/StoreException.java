package dev.prefer.serve.store;

import java.sql.SQLException;

/** A database failure, unchecked so that request handlers can let it reach the server's error handler. */
public final class StoreException extends RuntimeException {
    public StoreException(SQLException cause) {
        super(cause.getMessage(), cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
