package gmpj.core;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Helpers shared by the scheduler tests: bounded waits for conditions (never for times), and
 * diagnostics that print the scheduler's state when a wait fails.
 *
 * <p>Bounds are liveness bounds: far above what any condition needs on a loaded two-core machine,
 * so a test fails only when something is really stuck.
 */
final class TestSupport {
    /** How long a test waits for something that should happen in microseconds to milliseconds. */
    static final Duration LIVENESS = Duration.ofSeconds(30);

    private static final AtomicInteger SEQ = new AtomicInteger();
    /** Defeats dead-code elimination of {@link #cpuWork}. */
    @SuppressWarnings("unused")
    private static volatile long sink;

    private TestSupport() {}

    /**
     * A builder with a name unique to this test (so its carriers' thread names are recognisable) and
     * a close timeout of {@link #LIVENESS}.
     */
    static Scheduler.Builder builder(String test) {
        return Scheduler.builder().name("t-" + test + "-" + SEQ.incrementAndGet()).closeTimeout(LIVENESS);
    }

    /** The scheduler's counters and its carriers' thread states, for failure messages. */
    static String describe(Scheduler s) {
        return s.stats() + "\ncarrier states: " + s.carrierStates();
    }

    /**
     * Polls {@code condition} about every millisecond until it holds; fails after {@code timeout}
     * with {@code diagnostics}. Parks the calling thread between polls: not for a thread whose
     * {@code LockSupport} permit must survive (see {@link #spinUntil}).
     */
    static void awaitCondition(BooleanSupplier condition, Duration timeout, Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("condition not met within " + timeout + ": " + diagnostics.get());
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /**
     * For long runs whose total time depends on the machine: waits until {@code finished} holds,
     * failing only if {@code progress} stops moving for {@link #LIVENESS}. A slow but moving run
     * (a loaded machine) passes however long it takes, up to the suite's JUnit timeout; a stuck one
     * (a lost wake-up, a hung carrier) fails with {@code diagnostics} once it has been still that long.
     */
    static void awaitProgress(LongSupplier progress, BooleanSupplier finished, Supplier<String> diagnostics) {
        long last = progress.getAsLong();
        long stillSince = System.nanoTime();
        while (!finished.getAsBoolean()) {
            long now = progress.getAsLong();
            if (now != last) {
                last = now;
                stillSince = System.nanoTime();
            } else if (System.nanoTime() - stillSince > LIVENESS.toNanos()) {
                fail("no progress for " + LIVENESS + " (stuck at " + now + "): " + diagnostics.get());
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** {@link #awaitCondition} bounded by {@link #LIVENESS}, failing with {@code what} and the scheduler's state. */
    static void awaitCondition(Scheduler s, String what, BooleanSupplier condition) {
        awaitCondition(condition, LIVENESS, () -> what + "\n" + describe(s));
    }

    /** Like {@link #awaitCondition} but never parks: keeps a pending {@code LockSupport} permit intact. */
    static void spinUntil(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + LIVENESS.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("condition not met within " + LIVENESS + ": " + what);
            }
            Thread.yield();
        }
    }

    /**
     * For goroutine code: yields until {@code condition} holds. Throws (failing the goroutine's
     * task) after {@link #LIVENESS}, so a broken scheduler cannot keep a test hanging.
     */
    static void yieldUntil(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + LIVENESS.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("goroutine " + Gmp.goid() + " gave up waiting after " + LIVENESS + ": " + what);
            }
            Gmp.yield();
        }
    }

    /** Joins {@code task} within {@link #LIVENESS}; on timeout fails with the scheduler's state. */
    static <T> T join(Scheduler s, Task<T> task) {
        try {
            return task.join(LIVENESS);
        } catch (TimeoutException e) {
            return fail(task + " did not finish within " + LIVENESS + "\n" + describe(s), e);
        }
    }

    /** Joins every task; see {@link #join(Scheduler, Task)}. */
    static <T> void joinAll(Scheduler s, List<Task<T>> tasks) {
        for (Task<T> t : tasks) {
            join(s, t);
        }
    }

    /** Waits until every goroutine of {@code s} has finished. */
    static void awaitNoLiveGoroutines(Scheduler s) {
        awaitCondition(s, "goroutines still alive", () -> s.liveGoroutines() == 0);
    }

    /** Live threads whose name starts with {@code prefix}. */
    static List<Thread> liveThreadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix) && t.isAlive())
                .toList();
    }

    /** Burns some CPU (a few microseconds per 1000 iterations) without allocating or blocking. */
    static void cpuWork(int iterations) {
        long x = iterations;
        for (int i = 0; i < iterations; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        sink = x;
    }

    /**
     * Goroutine code: publishes its waiter in {@code me}, pins its continuation (so every park
     * blocks the carrier: a pinned park) and parks until {@code released}; returns "unparked".
     */
    static String parkPinnedUntil(java.util.concurrent.atomic.AtomicReference<Waiter> me,
                                  java.util.concurrent.atomic.AtomicBoolean released) {
        me.set(Parking.currentWaiter());
        jdk.internal.vm.Continuation.pin();
        try {
            while (!released.get()) {
                Parking.park(WaitReason.PARK);
            }
        } finally {
            jdk.internal.vm.Continuation.unpin();
        }
        return "unparked";
    }
}
