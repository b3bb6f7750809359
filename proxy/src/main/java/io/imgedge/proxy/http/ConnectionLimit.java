package io.imgedge.proxy.http;

import io.imgedge.proxy.metrics.ServerMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps the open public connections: closes each one past the limit as soon as it opens, and on
 * {@link #drain} tells every one to finish. Sharable.
 */
@ChannelHandler.Sharable
public final class ConnectionLimit extends ChannelInboundHandlerAdapter {
    /** The user event an HTTP/1.1 connection gets on drain: close now if idle, else after its response. */
    static final Object DRAIN = Drain.DRAIN;

    private enum Drain { DRAIN }

    private final int max;
    private final ServerMetrics metrics;
    private final AtomicInteger count = new AtomicInteger();
    private final ChannelGroup open = new DefaultChannelGroup("public", GlobalEventExecutor.INSTANCE);

    /** @param max connections open at once over every listener this instance is given to */
    public ConnectionLimit(int max, ServerMetrics metrics) {
        this.max = max;
        this.metrics = metrics;
        metrics.connectionsOpen(count::get);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (count.incrementAndGet() > max) {
            metrics.throttled("connections");
            ctx.close();
            return;
        }
        open.add(ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        count.decrementAndGet();
        ctx.fireChannelInactive();
    }

    /**
     * Asks every open connection to finish: HTTP/2 ones get a GOAWAY and close once their streams
     * are done, HTTP/1.1 ones close now when idle, else once the response in progress is written.
     */
    public void drain() {
        for (Channel channel : open) {
            if (channel.pipeline().get(Http2FrameCodec.class) != null) {
                channel.close();
            } else {
                channel.pipeline().fireUserEventTriggered(DRAIN);
            }
        }
    }
}
