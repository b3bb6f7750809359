package io.imgedge.proxy.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.imgedge.proxy.error.ErrorMapper;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.store.StoreService;
import io.imgedge.storage.ReplicaCheck;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Streams a replica check as NDJSON: one line per problem as it is found
 * ({@code {"key","backend","problem","repaired"}}), then one {@code {"summary": ...}} line. Lines
 * are written one at a time and each waits for the previous write, so a slow reader slows the
 * check rather than filling memory, and a reader that goes away stops it. A check already
 * running answers 409. Runs on a virtual thread.
 */
final class ReplicaReport {
    private final ChannelHandlerContext ctx;
    private final boolean keepAlive;
    private boolean started;

    ReplicaReport(ChannelHandlerContext ctx, boolean keepAlive) {
        this.ctx = ctx;
        this.keepAlive = keepAlive;
    }

    void run(StoreService store, boolean repair) {
        Optional<ReplicaCheck.Summary> summary;
        try {
            summary = store.check(repair, problem -> line(Map.of("key", problem.key(), "backend", problem.backend(),
                    "problem", problem.kind().name().toLowerCase(java.util.Locale.ROOT), "repaired", problem.repaired())));
        } catch (RuntimeException e) {
            HttpError error = ErrorMapper.toHttpError(e);
            if (started) {
                line(Map.of("error", error.getMessage()));
                end();
            } else {
                whole(Reply.error(error));
            }
            return;
        }
        if (summary.isEmpty()) {
            whole(Reply.error(HttpError.conflict("a replica check is already running")));
            return;
        }
        ReplicaCheck.Summary s = summary.get();
        List<Map<String, Object>> backends = new ArrayList<>();
        for (int i = 0; i < s.backends().size(); i++) {
            backends.add(Map.of("name", s.backends().get(i), "objects", s.objects()[i]));
        }
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("backends", backends);
        totals.put("keys", s.keys());
        totals.put("missing", s.missing());
        totals.put("mismatched", s.mismatched());
        totals.put("repaired", s.repaired());
        totals.put("lost", s.lost());
        line(Map.of("summary", totals));
        end();
    }

    private void line(Map<String, Object> json) {
        if (!started) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-ndjson")
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            HttpUtil.setKeepAlive(head, keepAlive);
            ctx.writeAndFlush(head);
            started = true;
        }
        byte[] bytes;
        try {
            bytes = (Responses.JSON.writeValueAsString(json) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a report line", e);
        }
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes))).syncUninterruptibly();
    }

    private void end() {
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(done(keepAlive));
    }

    private void whole(Reply reply) {
        var response = Responses.build(reply, Preconditions.NONE, false);
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.writeAndFlush(response).addListener(done(keepAlive));
    }

    private ChannelFutureListener done(boolean keep) {
        return written -> {
            if (keep && written.isSuccess()) {
                ctx.channel().config().setAutoRead(true);
            } else {
                ctx.close();
            }
        };
    }
}
