package io.imgedge.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The idle and request-head clocks, on an embedded channel with its clock stopped and moved by hand. */
class ConnectionTimeoutsTest {
    static final Duration IDLE = Duration.ofSeconds(60);
    static final Duration HEAD = Duration.ofSeconds(10);

    static EmbeddedChannel channel(ConnectionTimeouts timeouts) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(timeouts);
        return channel;
    }

    static void elapse(EmbeddedChannel channel, long seconds) {
        channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
    }

    static void read(EmbeddedChannel channel) {
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[]{'G'}));
        channel.inboundMessages().clear();
    }

    @Test
    void anIdleConnectionClosesAfterTheIdleTimeoutAndNotBefore() {
        EmbeddedChannel channel = channel(new ConnectionTimeouts(IDLE, HEAD));
        elapse(channel, 59);
        assertTrue(channel.isOpen());
        elapse(channel, 1);
        assertFalse(channel.isOpen());
    }

    @Test
    void readsKeepAConnectionOpen() {
        EmbeddedChannel channel = channel(new ConnectionTimeouts(IDLE, HEAD));
        for (int i = 0; i < 5; i++) {
            elapse(channel, 50);
            read(channel);
        }
        assertTrue(channel.isOpen());
        elapse(channel, 60);
        assertFalse(channel.isOpen());
    }

    @Test
    void aRequestBeingAnsweredIsNotIdle() {
        ConnectionTimeouts timeouts = new ConnectionTimeouts(IDLE, HEAD);
        EmbeddedChannel channel = channel(timeouts);
        read(channel);
        timeouts.requestStarted();
        elapse(channel, 200);
        assertTrue(channel.isOpen(), "a slow answer does not make the client idle");
        timeouts.requestFinished();
        elapse(channel, 60);
        assertFalse(channel.isOpen());
    }

    @Test
    void headsAreNotTimedUntilAsked() {
        EmbeddedChannel channel = channel(new ConnectionTimeouts(IDLE, HEAD));
        read(channel);
        elapse(channel, 30);
        assertTrue(channel.isOpen(), "an HTTP/2 or admin connection has no head clock");
    }

    @Test
    void aHeadThatTricklesInClosesTheConnectionAtTheHeadTimeout() {
        ConnectionTimeouts timeouts = new ConnectionTimeouts(IDLE, HEAD);
        EmbeddedChannel channel = channel(timeouts);
        timeouts.timeHeads();
        elapse(channel, 25); // an idle keep-alive connection waits for no head
        assertTrue(channel.isOpen());
        read(channel); // the head's first byte
        for (int i = 0; i < 9; i++) {
            elapse(channel, 1);
            read(channel); // a header line a second: never idle, but the head is late
        }
        assertTrue(channel.isOpen());
        elapse(channel, 1);
        assertFalse(channel.isOpen());
    }

    @Test
    void eachHeadHasItsOwnClock() {
        ConnectionTimeouts timeouts = new ConnectionTimeouts(IDLE, HEAD);
        EmbeddedChannel channel = channel(timeouts);
        timeouts.timeHeads();
        for (int i = 0; i < 10; i++) {
            read(channel);
            elapse(channel, 8);
            timeouts.requestStarted(); // the head is in after 8 s
            read(channel); // a pipelined byte does not start a clock while a request runs
            elapse(channel, 8);
            timeouts.requestFinished();
        }
        assertTrue(channel.isOpen());
    }
}
