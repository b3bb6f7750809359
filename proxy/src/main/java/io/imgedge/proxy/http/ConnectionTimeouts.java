package io.imgedge.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A connection's two clocks, first in its pipeline and watching reads only (writes pass it by):
 * <ul>
 *   <li>idle: nothing from the client for the idle timeout, no request being answered and nothing
 *   left to write, and the connection is closed;</li>
 *   <li>request head (HTTP/1.1, once {@link #timeHeads} is called): a head that does not arrive
 *   whole within the head timeout of its first byte closes the connection (slowloris). The
 *   {@link RequestHandler} says when a head has arrived and when its response is written.</li>
 * </ul>
 * One check is scheduled at a time, never further ahead than the head timeout while heads are
 * timed, so a busy keep-alive connection costs a clock read per read and a check per timeout,
 * not a timer per request. Time comes from the executor's ticker. Event-loop confined.
 */
final class ConnectionTimeouts extends ChannelInboundHandlerAdapter {
    /** Not waiting for a head. */
    private static final long IDLE = -1;

    private final long idleNanos;
    private final long headNanos;
    private ChannelHandlerContext ctx;
    private Ticker ticker;
    private long lastRead;
    private boolean heads;
    /** When the first byte of the head being waited for came, or {@link #IDLE}. */
    private long headStarted = IDLE;
    private boolean inRequest;
    private ScheduledFuture<?> check;

    /** @param head the longest a request head may take to arrive, once heads are timed */
    ConnectionTimeouts(Duration idle, Duration head) {
        this.idleNanos = idle.toNanos();
        this.headNanos = head.toNanos();
    }

    /** Idle timeout only (connections that time no heads, such as the admin listener's). */
    ConnectionTimeouts(Duration idle) {
        this(idle, idle);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start();
        super.channelActive(ctx);
    }

    private void start() {
        if (ticker == null) {
            ticker = ctx.executor().ticker();
            lastRead = ticker.nanoTime();
            schedule(idleNanos);
        }
    }

    /** From now on request heads are timed (the connection speaks HTTP/1.1). */
    void timeHeads() {
        heads = true;
        if (check != null) {
            check.cancel(false);
            check = null;
            schedule(Math.min(headNanos, idleNanos - (ticker.nanoTime() - lastRead)));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (ticker != null) {
            lastRead = ticker.nanoTime();
            if (heads && !inRequest && headStarted == IDLE) {
                headStarted = lastRead;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** A request head arrived: its clock stops, and idleness waits until the response is written. */
    void requestStarted() {
        inRequest = true;
        headStarted = IDLE;
    }

    /** The response is written: the next bytes start the clock for the next head. */
    void requestFinished() {
        inRequest = false;
    }

    private void schedule(long delayNanos) {
        check = ctx.executor().schedule(this::check, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private void check() {
        check = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = ticker.nanoTime();
        if (headStarted != IDLE && now - headStarted >= headNanos) {
            ctx.close();
            return;
        }
        long idleLeft = idleNanos - (now - lastRead);
        if (idleLeft <= 0 && !inRequest && nothingToWrite()) {
            ctx.close();
            return;
        }
        long next = idleLeft > 0 ? idleLeft : idleNanos;
        if (heads) {
            next = Math.min(next, headStarted != IDLE ? headNanos - (now - headStarted) : headNanos);
        }
        schedule(next);
    }

    private boolean nothingToWrite() {
        ChannelOutboundBuffer pending = ctx.channel().unsafe().outboundBuffer();
        return pending == null || pending.isEmpty();
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
