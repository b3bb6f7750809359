package io.imgedge.proxy.http;

import io.imgedge.proxy.cache.Waiting;
import io.imgedge.proxy.config.AccessLogConfig;
import io.imgedge.proxy.config.BodyConfig;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.cache.OriginHeaders;
import io.imgedge.proxy.image.ImageReply;
import io.imgedge.proxy.limit.Tenants;
import io.imgedge.proxy.metrics.ServerMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What goes on the wire of an HTTP/1.1 connection (the response encoder in the pipeline): the image fast path and the rest. */
class ResponseWriterTest {
    final ServerMetrics metrics = new ServerMetrics();
    Reply reply;

    final Responder responder = new Responder() {
        @Override
        public Optional<HttpError> admit(Route route, HttpRequest request) {
            return Optional.empty();
        }

        @Override
        public long maxBody(Route route) {
            return 0;
        }

        @Override
        public String client(HttpRequest request, InetSocketAddress peer) {
            return "c";
        }

        @Override
        public CompletableFuture<Reply> answer(Route route, HttpRequest request, RequestBody body, InetSocketAddress peer,
                                               Waiting waiting) {
            return CompletableFuture.completedFuture(reply);
        }
    };

    final EmbeddedChannel channel = new EmbeddedChannel(new HttpResponseEncoder(), new RequestHandler(new RequestHandler.Shared(
            responder, new ServerState(), metrics, new AccessLog(new AccessLogConfig(false, 1, 0), InstantSource.system(),
            new Tenants(List.of())), Duration.ofSeconds(30), 503, AsciiString.of("node-t"),
            new BodyConfig(1000, 1000, 1000, Path.of(System.getProperty("java.io.tmpdir")), Duration.ofSeconds(60), 1),
            new BodyBudget(1000, 1000))));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        metrics.close();
    }

    /** Everything written so far, as bytes. */
    byte[] wire() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object written; (written = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) written;
            out.writeBytes(io.netty.buffer.ByteBufUtil.getBytes(buf));
            buf.release();
        }
        return out.toByteArray();
    }

    byte[] request(String method, String... headers) {
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), "/_/w:1/plain/x");
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().set(headers[i], headers[i + 1]);
        }
        channel.writeInbound(request, LastHttpContent.EMPTY_LAST_CONTENT);
        return wire();
    }

    static ImageReply image(byte[] body, boolean direct) {
        ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(body.length).put(body).flip() : ByteBuffer.wrap(body);
        return new ImageReply(buffer.asReadOnlyBuffer(), "image/webp", "\"tag\"", "public, max-age=3600", OriginHeaders.UNKNOWN, "hit-memory",
                "cache;dur=0.0", ImageReply.VARY_ACCEPT, 0, ImageReply.File.NONE, "");
    }

    static String head(byte[] wire) {
        String text = new String(wire, StandardCharsets.ISO_8859_1);
        return text.substring(0, text.indexOf("\r\n\r\n") + 4);
    }

    static byte[] body(byte[] wire) {
        int at = new String(wire, StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n") + 4;
        return java.util.Arrays.copyOfRange(wire, at, wire.length);
    }

    @Test
    void anImageHitGoesOutPastTheEncoderWithEveryHeader() {
        byte[] payload = "webp bytes".getBytes(StandardCharsets.US_ASCII);
        reply = new Reply.Image(image(payload, true));
        byte[] wire = request("GET");
        String head = head(wire);
        assertTrue(head.startsWith("HTTP/1.1 200 OK\r\ndate: "), head);
        for (String line : new String[]{"content-type: image/webp", "content-length: 10", "etag: \"tag\"",
                "cache-control: public, max-age=3600", "x-cache: hit-memory", "vary: accept", "x-served-by: node-t",
                "x-content-type-options: nosniff"}) {
            assertTrue(head.contains(line + "\r\n"), line + " in " + head);
        }
        assertArrayEquals(payload, body(wire));
        assertTrue(channel.isOpen());

        String again = head(request("GET"));
        assertEquals(head.substring(head.indexOf("\r\n", 20)), again.substring(again.indexOf("\r\n", 20)),
                "the same head again, from the table of encoded heads");
    }

    @Test
    void conditionalsHeadsAndClosingGoThroughTheEncoder() {
        reply = new Reply.Image(image("abc".getBytes(StandardCharsets.US_ASCII), true));
        String notModified = new String(request("GET", "If-None-Match", "\"tag\""), StandardCharsets.ISO_8859_1);
        assertTrue(notModified.startsWith("HTTP/1.1 304 Not Modified\r\n") && notModified.contains("date: "), notModified);
        byte[] head = request("HEAD");
        assertTrue(head(head).contains("content-length: 3\r\n"));
        assertEquals(0, body(head).length, "HEAD: no body");
        String closing = head(request("GET", "Connection", "close"));
        assertTrue(closing.contains("connection: close\r\n"), closing);
        assertTrue(!channel.isOpen(), "closed after a response that said so");
    }

    /** A heap body over 1 MiB goes out in 256 KiB pieces, each after the one before: the wire carries it whole. */
    @Test
    void aLargeHeapBodyIsWrittenInChunksAndArrivesWhole() {
        byte[] big = new byte[(3 << 20) + 12_345];
        new java.util.Random(5).nextBytes(big);
        reply = new Reply.Bytes(200, "image/png", ByteBuffer.wrap(big), Map.of("etag", "\"o\""));
        byte[] wire = request("GET");
        assertTrue(head(wire).contains("content-length: " + big.length + "\r\n"), head(wire));
        assertArrayEquals(big, body(wire));
        reply = new Reply.Image(image(big, false));
        byte[] image = request("GET");
        assertArrayEquals(big, body(image), "a heap image body on the fast path too");
        assertTrue(channel.isOpen());
    }
}
