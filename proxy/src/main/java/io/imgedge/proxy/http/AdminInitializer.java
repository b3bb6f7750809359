package io.imgedge.proxy.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

import java.time.Duration;

/** Builds an admin connection's pipeline: HTTP/1.1 only. */
public final class AdminInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_REQUEST_BODY = 64 * 1024;

    private final AdminHandler handler;
    private final Duration idleTimeout;

    public AdminInitializer(AdminHandler handler, Duration idleTimeout) {
        this.handler = handler;
        this.idleTimeout = idleTimeout;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        channel.pipeline().addLast(new ConnectionTimeouts(idleTimeout), new HttpServerCodec(),
                new HttpObjectAggregator(MAX_REQUEST_BODY), handler);
    }
}
