package io.imgedge.proxy.cache;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SingleFlightTest {
    @Test
    void followersShareTheLeadersResultAndTheKeyIsFreedAfter() throws Exception {
        SingleFlight<String, String> flights = new SingleFlight<>();
        AtomicInteger runs = new AtomicInteger();
        CompletableFuture<String> work = new CompletableFuture<>();
        SingleFlight.Flight<String> leader = flights.run("k", () -> {
            runs.incrementAndGet();
            return work;
        });
        SingleFlight.Flight<String> follower = flights.run("k", () -> {
            runs.incrementAndGet();
            return CompletableFuture.completedFuture("other");
        });
        assertFalse(leader.collapsed());
        assertTrue(follower.collapsed());
        assertEquals(1, flights.size());
        work.complete("value");
        assertEquals("value", leader.result().get());
        assertEquals("value", follower.result().get());
        assertEquals(1, runs.get());
        assertEquals(0, flights.size());
        assertFalse(flights.run("k", () -> CompletableFuture.completedFuture("again")).collapsed());
    }

    @Test
    void failureReachesFollowersAndIsNotRemembered() throws Exception {
        SingleFlight<String, String> flights = new SingleFlight<>();
        CompletableFuture<String> work = new CompletableFuture<>();
        var leader = flights.run("k", () -> work);
        var follower = flights.run("k", () -> CompletableFuture.completedFuture("x"));
        IllegalStateException boom = new IllegalStateException("boom");
        work.completeExceptionally(boom);
        assertSame(boom, assertThrows(ExecutionException.class, () -> leader.result().get()).getCause());
        assertSame(boom, assertThrows(ExecutionException.class, () -> follower.result().get()).getCause());
        assertEquals("fresh", flights.run("k", () -> CompletableFuture.completedFuture("fresh")).result().get());
    }

    @Test
    void aCallerGivingUpDoesNotCancelTheSharedWork() throws Exception {
        SingleFlight<String, String> flights = new SingleFlight<>();
        CompletableFuture<String> work = new CompletableFuture<>();
        var leader = flights.run("k", () -> work);
        var follower = flights.run("k", () -> work);
        leader.result().cancel(true);
        assertFalse(work.isCancelled());
        work.complete("done");
        assertEquals("done", follower.result().get());
    }

    @Test
    void workThatThrowsIsAFailedFlight() {
        SingleFlight<String, String> flights = new SingleFlight<>();
        var flight = flights.run("k", () -> {
            throw new IllegalArgumentException("bad");
        });
        assertThrows(ExecutionException.class, () -> flight.result().get());
        assertEquals(0, flights.size());
    }

    /** Work is abandoned once every caller has stopped waiting, not before; a new caller then starts afresh. */
    @Test
    void workIsAbandonedWhenTheLastWaiterLeaves() {
        SingleFlight<String, String> flights = new SingleFlight<>();
        Waiting first = new Waiting();
        Waiting second = new Waiting();
        CompletableFuture<String> work = new CompletableFuture<>();
        CompletableFuture<?>[] abandoned = new CompletableFuture<?>[1];
        flights.run("k", first, stage -> {
            abandoned[0] = stage.toCompletableFuture();
            return work;
        });
        assertTrue(flights.run("k", second, _ -> CompletableFuture.completedFuture("other")).collapsed());
        first.gone();
        assertFalse(abandoned[0].isDone(), "the second still waits");
        second.gone();
        assertTrue(abandoned[0].isDone(), "nobody waits: the work may drop what has not started");
        AtomicInteger runs = new AtomicInteger();
        SingleFlight.Flight<String> fresh = flights.run("k", new Waiting(), _ -> {
            runs.incrementAndGet();
            return CompletableFuture.completedFuture("fresh");
        });
        assertFalse(fresh.collapsed(), "an abandoned flight is not joined");
        assertEquals(1, runs.get());
        assertEquals("fresh", fresh.result().join());

        CompletableFuture<?>[] refresh = new CompletableFuture<?>[1];
        flights.run("r", Waiting.FOREVER, stage -> {
            refresh[0] = stage.toCompletableFuture();
            return new CompletableFuture<>();
        });
        Waiting joiner = new Waiting();
        flights.run("r", joiner, _ -> CompletableFuture.completedFuture("x"));
        joiner.gone();
        assertFalse(refresh[0].isDone(), "background work is never abandoned");
    }
}
