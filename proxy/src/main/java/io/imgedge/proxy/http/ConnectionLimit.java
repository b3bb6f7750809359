package io.imgedge.proxy.http;

import io.imgedge.proxy.metrics.ServerMetrics;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts open public connections and closes each one past the limit as soon as it opens. Sharable. */
@ChannelHandler.Sharable
public final class ConnectionLimit extends ChannelInboundHandlerAdapter {
    private final int max;
    private final ServerMetrics metrics;
    private final AtomicInteger open = new AtomicInteger();

    /** @param max connections open at once over every listener this instance is given to */
    public ConnectionLimit(int max, ServerMetrics metrics) {
        this.max = max;
        this.metrics = metrics;
        metrics.connectionsOpen(open::get);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > max) {
            metrics.throttled("connections");
            ctx.close();
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open.decrementAndGet();
        ctx.fireChannelInactive();
    }
}
