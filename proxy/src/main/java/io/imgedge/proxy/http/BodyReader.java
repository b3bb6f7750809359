package io.imgedge.proxy.http;

import io.imgedge.proxy.config.BodyConfig;
import io.imgedge.proxy.error.HttpError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Reads one request's body within its limits: no more than the route's largest body, memory
 * reserved from the {@link BodyBudget} before it is held, a body larger than
 * {@link BodyConfig#spoolAbove()} written to a file as it arrives instead (the file is written on
 * the event loop, as Netty's own disk uploads are: chunks to the page cache), and the whole body
 * within {@link BodyConfig#timeout()} at {@link BodyConfig#minRate()} on average. Event-loop
 * confined; whoever gets the finished {@link RequestBody} closes it, {@link #abort} frees the rest.
 */
final class BodyReader {
    /** Told when the body did not arrive in time. */
    interface Late {
        void timedOut(HttpError error);
    }

    private static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ChannelHandlerContext ctx;
    private final BodyConfig config;
    private final BodyBudget budget;
    private final String client;
    private final long limit;
    private final long started;
    private final Late late;
    private CompositeByteBuf held;
    private long reserved;
    private Path spoolFile;
    private FileChannel spool;
    private long received;
    private ScheduledFuture<?> check;

    /**
     * @param declared the request's Content-Length, or -1
     * @throws HttpError when the spool file cannot be made (503)
     */
    BodyReader(ChannelHandlerContext ctx, BodyConfig config, BodyBudget budget, String client, long limit, long declared,
               Late late) {
        this.ctx = ctx;
        this.config = config;
        this.budget = budget;
        this.client = client;
        this.limit = limit;
        this.late = late;
        this.started = ctx.executor().ticker().nanoTime();
        if (declared > config.spoolAbove()) {
            startSpool();
        } else {
            held = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
        }
        check = ctx.executor().schedule(this::checkPace, CHECK_NANOS, TimeUnit.NANOSECONDS);
    }

    /**
     * Takes the next part of the body (not retaining it).
     *
     * @return the whole body once its last part came, else null
     * @throws HttpError 413 past the limit, 503 or 429 past the memory budget, 503 when the spool
     *                   cannot be written; the reader has let go of everything then
     */
    RequestBody offer(HttpContent content) {
        ByteBuf bytes = content.content();
        int n = bytes.readableBytes();
        try {
            if (received + n > limit) {
                throw HttpError.tooLarge("body larger than " + limit + " bytes");
            }
            received += n;
            if (spool == null && received > config.spoolAbove()) {
                startSpool();
            }
            if (spool != null) {
                write(bytes);
            } else {
                budget.reserve(client, n);
                reserved += n;
                held.addComponent(true, bytes.retain());
            }
        } catch (HttpError refused) {
            abort();
            throw refused;
        }
        return content instanceof LastHttpContent ? finish() : null;
    }

    private RequestBody finish() {
        stopCheck();
        if (spool != null) {
            try {
                spool.close();
            } catch (IOException e) {
                abort();
                throw HttpError.unavailable("cannot keep the request body", e);
            }
            spool = null;
            Path file = spoolFile;
            spoolFile = null;
            return new RequestBody.Spooled(file, received, budget, client);
        }
        byte[] bytes = ByteBufUtil.getBytes(held);
        held.release();
        held = null;
        reserved = 0; // now the body's, which gives it back when closed
        return new RequestBody.InMemory(bytes, budget, client);
    }

    /** Lets go of everything held: memory, reservation, spool file. Safe to call more than once. */
    void abort() {
        stopCheck();
        if (held != null) {
            held.release();
            held = null;
        }
        budget.release(client, reserved);
        reserved = 0;
        if (spool != null) {
            try {
                spool.close();
            } catch (IOException ignored) {
                // the file is removed next
            }
            spool = null;
        }
        if (spoolFile != null) {
            try {
                Files.deleteIfExists(spoolFile);
            } catch (IOException ignored) {
                // the spool directory is cleared at start
            }
            spoolFile = null;
        }
    }

    /** From now on the body goes to a file; what is held so far moves there first. */
    private void startSpool() {
        try {
            Files.createDirectories(config.spoolDir());
            spoolFile = Files.createTempFile(config.spoolDir(), "body-", ".part");
            spool = FileChannel.open(spoolFile, StandardOpenOption.WRITE);
        } catch (IOException e) {
            abort();
            throw HttpError.unavailable("cannot keep the request body", e);
        }
        if (held != null) {
            write(held);
            held.release();
            held = null;
            budget.release(client, reserved);
            reserved = 0;
        }
    }

    private void write(ByteBuf bytes) {
        try {
            ByteBuf view = bytes.duplicate();
            while (view.isReadable()) {
                view.readBytes(spool, view.readableBytes());
            }
        } catch (IOException e) {
            abort();
            throw HttpError.unavailable("cannot keep the request body (disk full?)", e);
        }
    }

    private void checkPace() {
        check = null;
        long elapsed = ctx.executor().ticker().nanoTime() - started;
        boolean tooLong = elapsed >= config.timeout().toNanos();
        boolean tooSlow = elapsed >= BodyConfig.RATE_GRACE.toNanos()
                && received < config.minRate() * (elapsed / 1_000_000_000.0);
        if (tooLong || tooSlow) {
            abort();
            late.timedOut(HttpError.requestTimeout(tooLong
                    ? "the request body did not arrive within " + config.timeout().toSeconds() + " s"
                    : "the request body arrives slower than " + config.minRate() + " bytes per second"));
            return;
        }
        check = ctx.executor().schedule(this::checkPace, CHECK_NANOS, TimeUnit.NANOSECONDS);
    }

    private void stopCheck() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }
}
