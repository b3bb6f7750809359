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
    private final long timeoutNanos;
    private ScheduledFuture<?> deadline;
    private boolean inRequest;

    SlowRequestGuard(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!inRequest && deadline == null) {
            deadline = ctx.executor().schedule(() -> {
                deadline = null;
                ctx.close();
            }, timeoutNanos, TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    /** A request head arrived: the clock stops until its response is written. */
    void requestStarted() {
        inRequest = true;
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /** The response is written: the next bytes start the clock for the next head. */
    void requestFinished() {
        inRequest = false;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
        super.channelInactive(ctx);
    }
}
