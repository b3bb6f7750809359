package io.imgedge.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection the client has sent nothing on for the idle timeout, unless a response is
 * still being written to it. Watching reads only keeps the per-write cost off the hot path.
 */
final class IdleCloser extends IdleStateHandler {
    IdleCloser(Duration idle) {
        super(idle.toMillis(), 0, 0, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        ChannelOutboundBuffer pending = ctx.channel().unsafe().outboundBuffer();
        if (pending == null || pending.isEmpty()) {
            ctx.close();
        }
    }
}
