package io.imgedge.proxy.http;

import io.imgedge.proxy.config.ServerConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;

/**
 * Builds a public connection's pipeline: cleartext HTTP/1.1, or TLS with ALPN choosing HTTP/2
 * (one child channel per stream) or HTTP/1.1. Each connection or stream ends in its own
 * {@link RequestHandler}; bodies are not aggregated, the handler collects the ones it wants.
 */
public final class PublicInitializer extends ChannelInitializer<SocketChannel> {
    /** HTTP/2 rapid reset (CVE-2023-44487): more stream resets than this per window close the connection. */
    private static final int MAX_RESETS = 200;
    private static final int RESET_WINDOW_SECONDS = 30;

    private final SslContext ssl;
    private final ServerConfig config;
    private final RequestHandler.Shared shared;
    private final ConnectionLimit connections;

    /**
     * @param ssl         null for the cleartext listener
     * @param connections shared by every public listener
     */
    public PublicInitializer(SslContext ssl, ServerConfig config, RequestHandler.Shared shared, ConnectionLimit connections) {
        this.ssl = ssl;
        this.config = config;
        this.shared = shared;
        this.connections = connections;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline p = channel.pipeline();
        p.addLast(connections);
        p.addLast(new ConnectionTimeouts(config.idleTimeout(), config.headerTimeout()));
        if (ssl == null) {
            http1(p);
            return;
        }
        p.addLast(ssl.newHandler(channel.alloc()));
        p.addLast(new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                switch (protocol) {
                    case ApplicationProtocolNames.HTTP_2 -> http2(ctx.pipeline());
                    case ApplicationProtocolNames.HTTP_1_1 -> http1(ctx.pipeline());
                    default -> throw new IllegalStateException("unexpected ALPN protocol " + protocol);
                }
            }
        });
    }

    private void http1(ChannelPipeline p) {
        // decoder and encoder apart (not HttpServerCodec): the handler writes the heads of image
        // responses itself, past the encoder, and answers HEAD requests with empty bodies itself
        p.addLast(new HttpResponseEncoder());
        p.addLast(new HttpRequestDecoder(config.maxInitialLine(), config.maxHeaderSize(), 8192));
        p.addLast(new RequestHandler(shared));
    }

    /**
     * A server's HTTP/2 codec whose streams share the connection's send window evenly: RFC 9113 (5.3.1)
     * deprecates RFC 7540's priority tree, which Netty's default weighs on every write: a warm 22 KB memory
     * hit over TLS with 8 streams in flight took 40-65 us of CPU with it, 22-23 us without (scripts/bench).
     */
    private static final class UnweightedCodecBuilder extends Http2FrameCodecBuilder {
        UnweightedCodecBuilder() {
            Http2Connection connection = new DefaultHttp2Connection(true);
            connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection,
                    new UniformStreamByteDistributor(connection)));
            connection(connection);
        }
    }

    private void http2(ChannelPipeline p) {
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(config.http2MaxStreams())
                .maxHeaderListSize(config.maxHeaderSize());
        // closing (a drain) sends a GOAWAY and waits for the streams in flight, up to the grace period
        p.addLast(new UnweightedCodecBuilder().initialSettings(settings)
                .gracefulShutdownTimeoutMillis(config.shutdownGrace().toMillis())
                .decoderEnforceMaxRstFramesPerWindow(MAX_RESETS, RESET_WINDOW_SECONDS).build());
        p.addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new RequestHandler(shared));
            }
        }));
    }
}
