package io.imgedge.vips;

/** A {@link WorkerPool} refused a task because its workers and queue are all taken. */
public final class WorkerPoolFullException extends RuntimeException {
    public WorkerPoolFullException(String message) {
        super(message, null, false, false);
    }
}
