package io.imgedge.proxy.origin;

import io.imgedge.proxy.error.HttpError;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of a pooled origin connection: collects one response at a time into the
 * exchange's future, enforcing the byte limit while the body streams in and the download
 * deadline. Only a complete keep-alive 2xx exchange leaves the connection open for reuse; every
 * other outcome closes it. Touched only on the channel's event loop.
 */
final class ResponseCollector extends SimpleChannelInboundHandler<HttpObject> {
    /** The connection closed before any response: on a reused connection, worth one retry. */
    static final class ClosedBeforeResponse extends RuntimeException {
        final boolean reused;

        ClosedBeforeResponse(boolean reused) {
            super("origin closed the connection before answering", null, false, false);
            this.reused = reused;
        }
    }

    private CompletableFuture<OriginResponse> pending;
    private Runnable release;
    private ScheduledFuture<?> deadline;
    private long limit;
    private boolean reused;
    private HttpResponse head;
    private ByteArrayOutputStream body;

    void begin(ChannelHandlerContext ctx, CompletableFuture<OriginResponse> result, long maxBytes, Duration timeout,
               boolean reusedConnection, Runnable releaseToPool) {
        pending = result;
        release = releaseToPool;
        limit = maxBytes;
        reused = reusedConnection;
        deadline = ctx.executor().schedule(() -> fail(ctx, HttpError.gatewayTimeout(
                "origin did not answer within " + timeout.toMillis() + " ms")), timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (pending == null) {
            ctx.close(); // nothing asked for this
            return;
        }
        if (msg.decoderResult().isFailure()) {
            fail(ctx, HttpError.badGateway("origin sent an invalid HTTP response", msg.decoderResult().cause()));
            return;
        }
        if (msg instanceof HttpResponse response) {
            head = response;
            int status = response.status().code();
            if (status < 200 || status >= 300) {
                finish(ctx, new OriginResponse(status, response.headers(), new byte[0]), false);
                return;
            }
            long length = HttpUtil.getContentLength(response, -1L);
            if (length > limit) {
                fail(ctx, HttpError.tooLarge("source is larger than " + limit + " bytes"));
                return;
            }
            body = new ByteArrayOutputStream((int) Math.clamp(length, 8192, 4L << 20));
        }
        if (msg instanceof HttpContent content && body != null) {
            ByteBuf buf = content.content();
            int n = buf.readableBytes();
            if (body.size() + (long) n > limit) {
                fail(ctx, HttpError.tooLarge("source is larger than " + limit + " bytes"));
                return;
            }
            byte[] chunk = new byte[n];
            buf.readBytes(chunk);
            body.write(chunk, 0, n);
            if (content instanceof LastHttpContent) {
                finish(ctx, new OriginResponse(head.status().code(), head.headers(), body.toByteArray()),
                        HttpUtil.isKeepAlive(head));
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, head == null ? new ClosedBeforeResponse(reused)
                : HttpError.badGateway("origin closed the connection mid-response", null));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, HttpError.badGateway("origin connection failed: " + cause.getMessage(), cause));
    }

    private void finish(ChannelHandlerContext ctx, OriginResponse response, boolean keepAlive) {
        CompletableFuture<OriginResponse> result = pending;
        Runnable releaseToPool = release;
        reset();
        if (!keepAlive) {
            ctx.close();
        }
        releaseToPool.run();
        result.complete(response);
    }

    void fail(ChannelHandlerContext ctx, Throwable error) {
        if (pending == null) {
            return;
        }
        CompletableFuture<OriginResponse> result = pending;
        Runnable releaseToPool = release;
        reset();
        ctx.close();
        releaseToPool.run();
        result.completeExceptionally(error);
    }

    private void reset() {
        deadline.cancel(false);
        pending = null;
        release = null;
        deadline = null;
        head = null;
        body = null;
    }
}
