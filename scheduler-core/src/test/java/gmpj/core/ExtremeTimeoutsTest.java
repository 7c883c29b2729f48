package gmpj.core;

import static gmpj.core.TestSupport.LIVENESS;
import static gmpj.core.TestSupport.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Timeouts at the ends of the range in the core's timed waits: a timeout in the past, however far
 * ({@code Long.MIN_VALUE}), gives up at once; one beyond the nanosecond range waits as long as it
 * takes. Each call runs on a plain thread and in a goroutine, bounded by {@link TestSupport#LIVENESS},
 * so a deadline that overflowed into the far future fails the test instead of hanging it.
 */
class ExtremeTimeoutsTest {
    private static final List<Duration> PAST = List.of(Duration.ofSeconds(Long.MIN_VALUE), Duration.ofNanos(Long.MIN_VALUE),
            Duration.ofNanos(-1));
    private static final List<Duration> FAR = List.of(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999),
            Duration.ofNanos(Long.MAX_VALUE));

    /** Runs {@code call} on a plain thread and in a goroutine of {@code s}; both must return within LIVENESS. */
    private static <T> List<T> promptly(Scheduler s, String what, Callable<T> call) {
        CompletableFuture<T> onThread = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                onThread.complete(call.call());
            } catch (Throwable e) {
                onThread.completeExceptionally(e);
            }
        }, "extreme-" + what);
        t.setDaemon(true);
        t.start();
        T fromThread;
        try {
            fromThread = onThread.get(LIVENESS.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return fail(what + " on a plain thread did not return within " + LIVENESS + "; it is at " + List.of(t.getStackTrace()));
        } catch (ExecutionException e) {
            return fail(what + " on a plain thread threw", e.getCause());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        Task<T> g = s.submit(call);
        try {
            return List.of(fromThread, g.join(LIVENESS));
        } catch (TimeoutException e) {
            return fail(what + " in a goroutine did not return within " + LIVENESS + "\n" + s.dump());
        }
    }

    @Test
    void joinWithATimeoutInThePastThrowsTimeoutExceptionAtOnce() {
        try (Scheduler s = builder("join-past").procs(2).build()) {
            CountDownLatch release = new CountDownLatch(1);
            Task<Integer> pending = s.submit(() -> {
                Gmp.blocking(() -> {
                    release.await();
                    return null;
                });
                return 1;
            });
            for (Duration d : PAST) {
                List<String> outcomes = promptly(s, "join(" + d + ")", () -> {
                    try {
                        return "returned " + pending.join(d);
                    } catch (TimeoutException expected) {
                        return "timed out";
                    }
                });
                assertEquals(List.of("timed out", "timed out"), outcomes, "join(" + d + ") of an unfinished goroutine");
            }
            release.countDown();
        }
    }

    @Test
    void joinWithAHugeTimeoutReturnsTheResult() throws Exception {
        try (Scheduler s = builder("join-far").procs(2).build()) {
            Task<Integer> done = s.submit(() -> 42);
            done.join(LIVENESS);
            for (Duration d : FAR) {
                assertEquals(List.of(42, 42), promptly(s, "join(" + d + ")", () -> done.join(d)));
            }
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Task<Integer> later = s.submit(() -> {
                started.countDown();
                Gmp.blocking(() -> {
                    release.await();
                    return null;
                });
                return 7;
            });
            CompletableFuture<Integer> joined = CompletableFuture.supplyAsync(() -> {
                try {
                    return later.join(Duration.ofSeconds(Long.MAX_VALUE));
                } catch (TimeoutException e) {
                    throw new AssertionError("a wait as long as it takes timed out", e);
                }
            });
            started.await();
            release.countDown();
            assertEquals(7, joined.get(LIVENESS.toNanos(), TimeUnit.NANOSECONDS), "a huge timeout waits for the result");
        }
    }

    @Test
    void parkNanosOfLongMinValueReturnsFalseAtOnceAndOfLongMaxValueTakesAPermit() {
        try (Scheduler s = builder("park-extremes").procs(1).build()) {
            assertEquals(List.of(false, false), promptly(s, "parkNanos(Long.MIN_VALUE)",
                    () -> Parking.parkNanos(WaitReason.PARK, Long.MIN_VALUE)));
            assertEquals(List.of(true, true), promptly(s, "parkNanos(Long.MAX_VALUE) with a permit", () -> {
                Parking.currentWaiter().unpark();
                return Parking.parkNanos(WaitReason.PARK, Long.MAX_VALUE);
            }));
        }
    }

    @Test
    void parkUntilADeadlineInThePastReturnsFalseAtOnceAndAnOverflowedOneIsRejected() {
        try (Scheduler s = builder("park-until-extremes").procs(1).build()) {
            assertEquals(List.of(false, false), promptly(s, "parkUntil(now + Long.MIN_VALUE / 2)",
                    () -> Parking.parkUntil(WaitReason.PARK, System.nanoTime() + Long.MIN_VALUE / 2)));
            assertEquals(List.of(false, false), promptly(s, "parkUntil(deadlineAfterNanos(Long.MIN_VALUE))",
                    () -> Parking.parkUntil(WaitReason.PARK, Parking.deadlineAfterNanos(Long.MIN_VALUE))));
            assertEquals(List.of(true, true), promptly(s, "parkUntil(deadlineAfterNanos(Long.MAX_VALUE)) with a permit", () -> {
                Parking.currentWaiter().unpark();
                return Parking.parkUntil(WaitReason.PARK, Parking.deadlineAfterNanos(Long.MAX_VALUE));
            }));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Parking.parkUntil(WaitReason.PARK, System.nanoTime() + Long.MAX_VALUE / 2));
            assertTrue(e.getMessage().contains(String.valueOf(Parking.MAX_WAIT_NANOS)), e.getMessage());
        }
    }

    @Test
    void sleepOfADurationInThePastReturnsAtOnce() {
        try (Scheduler s = builder("sleep-past").procs(1).build()) {
            for (Duration d : PAST) {
                assertEquals(List.of(true, true), promptly(s, "sleep(" + d + ")", () -> {
                    Gmp.sleep(d);
                    return true;
                }));
            }
        }
    }
}
