package io.imgedge.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Closes a connection that has neither read nor written for the idle timeout. */
final class IdleCloser extends IdleStateHandler {
    IdleCloser(Duration idle) {
        super(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        ctx.close();
    }
}
