package io.imgedge.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1.1 connection whose request head does not arrive whole within the head
 * timeout of its first byte: a slow client (slowloris) that trickles header lines to hold a
 * connection open gets no more than that. It sits before the codec and sees bytes; the
 * {@link RequestHandler} tells it when a head has arrived and when its response is written.
 * Event-loop confined.
 */
final class SlowRequestGuard extends ChannelInboundHandlerAdapter {
    /** Not waiting for a head. */
    private static final long IDLE = -1;

    private final long timeoutNanos;
    /** When the first byte of the head being waited for came, or {@link #IDLE}. */
    private long headStarted = IDLE;
    private boolean inRequest;
    /**
     * One check at a time, scheduled when a head starts and none is pending, and again only
     * while a head is still awaited: a busy keep-alive connection schedules at most one check per
     * timeout, not one per request.
     */
    private ScheduledFuture<?> check;

    SlowRequestGuard(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!inRequest && headStarted == IDLE) {
            headStarted = System.nanoTime();
            if (check == null) {
                schedule(ctx, timeoutNanos);
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        check = ctx.executor().schedule(() -> {
            check = null;
            if (headStarted == IDLE) {
                return;
            }
            long waited = System.nanoTime() - headStarted;
            if (waited >= timeoutNanos) {
                ctx.close();
            } else {
                schedule(ctx, timeoutNanos - waited);
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** A request head arrived: the clock stops until its response is written. */
    void requestStarted() {
        inRequest = true;
        headStarted = IDLE;
    }

    /** The response is written: the next bytes start the clock for the next head. */
    void requestFinished() {
        inRequest = false;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
        super.channelInactive(ctx);
    }
}
