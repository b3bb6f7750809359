package io.imgedge.proxy.http;

import io.imgedge.proxy.cache.SharedFile;
import io.imgedge.proxy.image.ImageReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.ssl.SslHandler;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Function;

/**
 * Writes one connection's (or HTTP/2 stream's) responses. The common case, a 200 image on a
 * keep-alive HTTP/1.1 connection, goes out past the encoder: the status and date line, a head
 * encoded once per entry ({@link ImageHeads}) and the body from memory or, on cleartext, from its
 * file (sendfile under TCP_CORK); on an HTTP/2 stream it is a headers and a data frame, past the
 * stream codec's conversion. Everything else is built by {@link Responses}. An HTTP/1.1 body
 * larger than {@link #WHOLE_MAX} that would be copied on its way out (TLS, or a heap buffer) is
 * written {@link #CHUNK} bytes at a time, the next once the last is out, so a slow reader holds
 * one chunk, not a copy of the body. Event-loop confined.
 */
final class ResponseWriter {
    /** Told once a response is written, or failed to be. */
    interface Written {
        /** @param close whether the connection is to be closed now: the write failed, or the response said so */
        void written(int status, long bytes, String error, String cache, String timing, boolean close);
    }

    static final int WHOLE_MAX = 1 << 20;
    static final int CHUNK = 256 << 10;

    private final ChannelHandlerContext ctx;
    private final RequestHandler.Shared shared;
    /** Where bytes are written past the HTTP/1.1 response encoder, or null (HTTP/2 streams). */
    private final ChannelHandlerContext raw;
    /** Whether bodies may go out as files (sendfile) and from memory without a copy: HTTP/1.1 without TLS. */
    private final boolean cleartext;

    ResponseWriter(ChannelHandlerContext ctx, RequestHandler.Shared shared) {
        this.ctx = ctx;
        this.shared = shared;
        this.raw = ctx.pipeline().context(HttpResponseEncoder.class);
        this.cleartext = raw != null && ctx.pipeline().get(SslHandler.class) == null;
    }

    /** Whether this is an HTTP/1.1 connection (not an HTTP/2 stream). */
    boolean http1() {
        return raw != null;
    }

    /**
     * @param close         close the connection once the response is written
     * @param announceClose say {@code Connection: close} but leave the closing to the caller
     */
    void write(Exchange exchange, Reply reply, boolean close, boolean announceClose, Written done) {
        // draining: an HTTP/1.1 client is told to go elsewhere for its next request
        boolean drained = raw != null && shared.state().draining();
        if (reply instanceof Reply.Image(ImageReply image) && !close && !announceClose
                && !exchange.preconditions().notModified(image.etag(), image.lastModified())) {
            if (raw == null) {
                streamImage(image, exchange.head(), done);
                return;
            }
            if (!drained && exchange.keepAlive() && !exchange.head() && !exchange.http10()
                    && (cleartext || image.body().remaining() <= WHOLE_MAX)) {
                imageHit(image, done);
                return;
            }
        }
        FullHttpResponse response = Responses.build(reply, exchange.preconditions(), exchange.head());
        response.headers().set(Responses.SERVED_BY, shared.nodeName());
        boolean closing = close || (drained || !exchange.keepAlive()) && !announceClose;
        if (closing || announceClose) {
            HttpUtil.setKeepAlive(response, false);
        } else if (exchange.http10()) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        int status = response.status().code();
        long bytes = response.content().readableBytes();
        String error = reply instanceof Reply.Json json && status >= 400 ? String.valueOf(json.body().get("error")) : null;
        String timing = reply instanceof Reply.Image image ? image.image().serverTiming() : null;
        String cache = reply instanceof Reply.Image image ? image.image().cacheStatus() : null;
        ChannelFuture written;
        if (raw != null && bytes > WHOLE_MAX) {
            ByteBuf body = response.content();
            ctx.write(new DefaultHttpResponse(response.protocolVersion(), response.status(), response.headers()),
                    ctx.voidPromise());
            written = chunks(ctx, body, slice -> body.isReadable() ? new DefaultHttpContent(slice) : new DefaultLastHttpContent(slice));
        } else {
            written = ctx.writeAndFlush(response);
        }
        written.addListener((ChannelFutureListener) w -> done.written(status, bytes, error, cache, timing,
                !w.isSuccess() || closing));
    }

    private void imageHit(ImageReply image, Written done) {
        raw.write(shared.heads().head(image), raw.voidPromise());
        ByteBuffer body = image.body();
        long bytes = body.remaining();
        Optional<SharedFile> file = cleartext ? image.file().acquire() : Optional.empty();
        // a body from a file is a write of the head and a sendfile: corked, they leave in full segments
        boolean corked = file.isPresent() && cork(ctx.channel(), true);
        ChannelFuture written;
        if (file.isPresent()) {
            written = raw.writeAndFlush(new SharedFileRegion(file.get()));
        } else if (!body.isDirect() && bytes > WHOLE_MAX) {
            ByteBuf heap = Unpooled.wrappedBuffer(body.duplicate());
            written = chunks(raw, heap, slice -> slice);
        } else {
            written = raw.writeAndFlush(Unpooled.wrappedBuffer(body.duplicate()));
        }
        whenOut(written, image, bytes, corked, done);
    }

    /** A 200 image on an HTTP/2 stream: its headers frame, then (unless HEAD) its body in one data frame. */
    private void streamImage(ImageReply image, boolean head, Written done) {
        Http2Headers headers = Responses.http2ImageHead(image, shared.nodeName());
        long bytes = head ? 0 : image.body().remaining();
        ChannelFuture written;
        if (head) {
            written = ctx.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));
        } else {
            ctx.write(new DefaultHttp2HeadersFrame(headers, false), ctx.voidPromise());
            written = ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(image.body().duplicate()), true));
        }
        whenOut(written, image, bytes, false, done);
    }

    /** Tells {@code done} once the image's {@code written}; a small body is usually out already: no listener then. */
    private static void whenOut(ChannelFuture written, ImageReply image, long bytes, boolean corked, Written done) {
        if (written.isDone()) {
            imageWritten(image, bytes, corked, written, done);
        } else {
            written.addListener((ChannelFutureListener) w -> imageWritten(image, bytes, corked, w, done));
        }
    }

    private static void imageWritten(ImageReply image, long bytes, boolean corked, ChannelFuture written, Written done) {
        if (corked) {
            cork(written.channel(), false);
        }
        done.written(200, bytes, null, image.cacheStatus(), image.serverTiming(), !written.isSuccess());
    }

    /**
     * Writes {@code body} (released here) through {@code to} in {@link #CHUNK}-byte slices, each
     * once the one before is out, each as {@code wrap} makes it (it sees the body already past the slice).
     *
     * @return done when the last slice is out, failed when one could not be written
     */
    private static ChannelFuture chunks(ChannelHandlerContext to, ByteBuf body, Function<ByteBuf, Object> wrap) {
        ChannelPromise all = to.newPromise();
        new ChannelFutureListener() {
            void next() {
                ByteBuf slice = body.readRetainedSlice(Math.min(CHUNK, body.readableBytes()));
                boolean last = !body.isReadable();
                ChannelFuture sent = to.writeAndFlush(wrap.apply(slice));
                if (last) {
                    body.release();
                    sent.addListener(w -> {
                        if (w.isSuccess()) {
                            all.setSuccess();
                        } else {
                            all.setFailure(w.cause());
                        }
                    });
                } else {
                    sent.addListener(this);
                }
            }

            @Override
            public void operationComplete(ChannelFuture sent) {
                if (sent.isSuccess()) {
                    next();
                } else {
                    body.release();
                    all.setFailure(sent.cause());
                }
            }
        }.next();
        return all;
    }

    /** Sets TCP_CORK where the transport has it (epoll); true if it was set. */
    private static boolean cork(Channel channel, boolean on) {
        if (channel instanceof EpollSocketChannel epoll && channel.isActive()) {
            try {
                epoll.config().setTcpCork(on);
                return true;
            } catch (ChannelException closedMeanwhile) {
                return false;
            }
        }
        return false;
    }
}
