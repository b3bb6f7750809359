package io.imgedge.storage;

/** The store could not answer: unreachable, refused the credentials, or failed an I/O. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
