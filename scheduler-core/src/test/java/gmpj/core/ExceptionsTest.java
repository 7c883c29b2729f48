package gmpj.core;

import static gmpj.core.TestSupport.LIVENESS;
import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A goroutine's exception reaches its joiner or the uncaught handler, and never its carrier. */
class ExceptionsTest {

    private record Uncaught(long id, String name, Throwable error, boolean inGoroutine) {}

    @Test
    void exceptionReachesJoinAsCompletionExceptionWithTheThrownCause() {
        try (Scheduler s = builder("join-ex").procs(1).build()) {
            IllegalStateException boom = new IllegalStateException("boom");
            Task<Object> t = s.submit(() -> {
                throw boom;
            });
            CompletionException e = assertThrows(CompletionException.class,
                    () -> assertTimeoutPreemptively(LIVENESS, () -> t.join()));
            assertSame(boom, e.getCause());
            assertTrue(e.getMessage().contains("goroutine " + t.id()), e.getMessage());
            assertTrue(t.isDone());
        }
    }

    @Test
    void checkedExceptionsAndErrorsReachJoinToo() {
        try (Scheduler s = builder("join-checked").procs(1).build()) {
            IOException io = new IOException("disk");
            Error error = new Error("custom error");
            Task<Object> t1 = s.submit(() -> {
                throw io;
            });
            Task<Object> t2 = s.submit(() -> {
                throw error;
            });
            assertSame(io, assertThrows(CompletionException.class, () -> t1.join(LIVENESS)).getCause());
            assertSame(error, assertThrows(CompletionException.class, () -> t2.join(LIVENESS)).getCause());
        }
    }

    @Test
    void exceptionFromAGoroutineJoinerReachesItToo() {
        try (Scheduler s = builder("join-ex-g").procs(2).build()) {
            ArithmeticException boom = new ArithmeticException("inner");
            Task<Throwable> outer = s.submit(() -> {
                Task<Integer> inner = Gmp.currentScheduler().submit(() -> throwIt(boom));
                try {
                    inner.join();
                    return null;
                } catch (CompletionException e) {
                    return e.getCause();
                }
            });
            assertSame(boom, join(s, outer));
        }
    }

    private static Integer throwIt(RuntimeException e) {
        throw e;
    }

    @Test
    void uncaughtExceptionOfGoReachesTheHandlerAndTheCarrierSurvives() {
        List<Uncaught> seen = new CopyOnWriteArrayList<>();
        try (Scheduler s = builder("uncaught").procs(1)
                .uncaughtExceptionHandler((id, name, e) -> seen.add(new Uncaught(id, name, e, Gmp.inGoroutine())))
                .build()) {
            RuntimeException first = new RuntimeException("first");
            RuntimeException second = new RuntimeException("second");
            s.go("failing", () -> {
                throw first;
            });
            s.go(() -> {
                throw second;
            });
            awaitCondition(s, "two uncaught exceptions, got " + seen, () -> seen.size() == 2);

            Uncaught a = seen.get(0);
            Uncaught b = seen.get(1);
            assertSame(first, a.error());
            assertEquals("failing", a.name());
            assertSame(second, b.error());
            assertEquals(null, b.name());
            assertNotEquals(a.id(), b.id());
            assertTrue(a.inGoroutine() && b.inGoroutine(), "the handler runs on the failed goroutine");

            // The only carrier survived both: later goroutines still run on it.
            assertEquals(42, join(s, s.submit(() -> 42)));
            // The first carrier is still alive (a slow handler may also have made sysmon hand the
            // processor to a second carrier, which is fine: none died).
            assertNotEquals(Thread.State.TERMINATED, s.carrierStates().get(0), describe(s));
            TestSupport.awaitNoLiveGoroutines(s);
            assertEquals(3, s.stats().exits(), "failed goroutines count as finished too\n" + describe(s));
        }
    }

    @Test
    void handlerThatThrowsDoesNotKillTheCarrier() {
        AtomicInteger calls = new AtomicInteger();
        try (Scheduler s = builder("handler-throws").procs(1)
                .uncaughtExceptionHandler((id, name, e) -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("deliberately failing handler (expected in test output)");
                })
                .build()) {
            s.go(() -> {
                throw new RuntimeException("deliberate goroutine failure (expected in test output)");
            });
            awaitCondition(s, "the handler call", () -> calls.get() == 1);
            assertEquals("still alive", join(s, s.submit(() -> "still alive")));
            // The first carrier is still alive (a slow handler may also have made sysmon hand the
            // processor to a second carrier, which is fine: none died).
            assertNotEquals(Thread.State.TERMINATED, s.carrierStates().get(0), describe(s));
        }
    }

    @Test
    void submittedGoroutineExceptionsDoNotReachTheUncaughtHandler() {
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        try (Scheduler s = builder("no-handler").procs(1)
                .uncaughtExceptionHandler((id, name, e) -> seen.add(e))
                .build()) {
            Task<Object> t = s.submit(() -> {
                throw new IllegalStateException("kept for join");
            });
            assertThrows(CompletionException.class, () -> t.join(LIVENESS));
            // A goroutine started with go after it fails too: once its failure arrives, the first
            // goroutine's (which ran earlier on the only carrier) would have arrived before it.
            RuntimeException marker = new RuntimeException("marker");
            s.go(() -> {
                throw marker;
            });
            awaitCondition(s, "the marker failure", () -> !seen.isEmpty());
            assertEquals(List.of(marker), seen);
        }
    }
}
