package gmpj.sync;

import static gmpj.sync.SyncTestSupport.LIVENESS;
import static gmpj.sync.SyncTestSupport.awaitCondition;
import static gmpj.sync.SyncTestSupport.scheduler;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gmpj.core.Scheduler;
import gmpj.core.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Timeouts at the ends of the range ({@code Long.MIN_VALUE}, {@code Long.MAX_VALUE}, in every
 * unit, and durations beyond the nanosecond range) neither hang nor throw. A timeout in the past,
 * however far, means "do not wait"; one too long for nanoseconds means "as long as it takes".
 *
 * <p>Every call runs twice, on a plain thread and in a goroutine, each bounded by
 * {@link SyncTestSupport#LIVENESS}: a wait that would never end (a deadline sum that overflowed into
 * the far future) fails the test instead of hanging it.
 */
class ExtremeTimeoutsTest {
    private static final Duration MOST_NEGATIVE = Duration.ofSeconds(Long.MIN_VALUE);
    private static final Duration MOST_POSITIVE = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
    private static final List<Duration> PAST = List.of(MOST_NEGATIVE, Duration.ofNanos(Long.MIN_VALUE), Duration.ofNanos(-1));
    private static final List<Duration> FAR = List.of(MOST_POSITIVE, Duration.ofNanos(Long.MAX_VALUE));
    private static final TimeUnit[] UNITS = TimeUnit.values();

    private static Scheduler s;

    @BeforeAll
    static void start() {
        s = scheduler("extreme-timeouts", 2);
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    /** Runs {@code call} on a plain thread and in a goroutine; each must return within LIVENESS. Returns both results. */
    private static <T> List<T> promptly(String what, Callable<T> call) {
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
        T fromGoroutine;
        try {
            fromGoroutine = g.join(LIVENESS);
        } catch (TimeoutException e) {
            return fail(what + " in a goroutine did not return within " + LIVENESS + "\n" + s.dump());
        } catch (RuntimeException e) {
            return fail(what + " in a goroutine threw", e.getCause() != null ? e.getCause() : e);
        }
        return List.of(fromThread, fromGoroutine);
    }

    private static void assertAll(Object expected, List<?> results, String what) {
        for (Object r : results) {
            assertEquals(expected, r, what + " (thread, goroutine): " + results);
        }
    }

    // ------------------------------------------------------------------ Mutex and its Lock view

    @Test
    void mutexTryLockWithATimeoutInThePastGivesUpAtOnce() {
        Mutex mu = new Mutex();
        mu.lock();
        for (Duration d : PAST) {
            assertAll(false, promptly("Mutex.tryLock(" + d + ")", () -> mu.tryLock(d)), "tryLock(" + d + ") of a held mutex");
        }
        Lock lock = mu.asLock();
        for (TimeUnit unit : UNITS) {
            assertAll(false, promptly("Lock.tryLock(MIN, " + unit + ")", () -> lock.tryLock(Long.MIN_VALUE, unit)),
                    "tryLock(Long.MIN_VALUE, " + unit + ") of a held mutex");
        }
        mu.unlock();
    }

    @Test
    void mutexTryLockWithAHugeTimeoutTakesAFreeMutex() {
        Mutex mu = new Mutex();
        for (Duration d : FAR) {
            assertAll(true, promptly("Mutex.tryLock(" + d + ")", () -> {
                boolean got = mu.tryLock(d);
                mu.unlock();
                return got;
            }), "tryLock(" + d + ") of a free mutex");
        }
        Lock lock = mu.asLock();
        for (TimeUnit unit : UNITS) {
            assertAll(true, promptly("Lock.tryLock(MAX, " + unit + ")", () -> {
                boolean got = lock.tryLock(Long.MAX_VALUE, unit);
                lock.unlock();
                return got;
            }), "tryLock(Long.MAX_VALUE, " + unit + ") of a free mutex");
        }
    }

    /** A huge timeout must really wait (not count as already expired) and end when the lock comes free. */
    @Test
    void mutexTryLockWithAHugeTimeoutWaitsForTheUnlock() throws Exception {
        Mutex mu = new Mutex();
        mu.lock();
        Task<Boolean> waiter = s.submit(() -> mu.asLock().tryLock(Long.MAX_VALUE, TimeUnit.DAYS));
        awaitCondition("the waiter to queue", () -> mu.queuedWaiters() == 1);
        mu.unlock();
        assertTrue(waiter.join(LIVENESS));
        mu.unlock();
    }

    // ------------------------------------------------------------------ Cond and its Condition view

    @Test
    void condAwaitWithATimeoutInThePastReturnsAtOnceHoldingTheLock() {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        for (Duration d : PAST) {
            assertAll(false, promptly("Cond.await(" + d + ")", () -> {
                mu.lock();
                try {
                    return cond.await(d);
                } finally {
                    mu.unlock();
                }
            }), "Cond.await(" + d + ") without a signal");
        }
        assertFalse(mu.isLocked());
    }

    @Test
    void conditionAwaitNanosOfLongMinValueReturnsANonPositiveValueAtOnce() {
        Lock lock = new Mutex().asLock();
        Condition c = lock.newCondition();
        List<Long> left = promptly("Condition.awaitNanos(Long.MIN_VALUE)", () -> {
            lock.lock();
            try {
                return c.awaitNanos(Long.MIN_VALUE);
            } finally {
                lock.unlock();
            }
        });
        for (long l : left) {
            assertTrue(l <= 0, "awaitNanos(Long.MIN_VALUE) must report no time left: " + left);
        }
    }

    @Test
    void conditionTimedAwaitsInThePastReturnFalseAtOnce() {
        Lock lock = new Mutex().asLock();
        Condition c = lock.newCondition();
        for (TimeUnit unit : UNITS) {
            assertAll(false, promptly("Condition.await(MIN, " + unit + ")", () -> {
                lock.lock();
                try {
                    return c.await(Long.MIN_VALUE, unit);
                } finally {
                    lock.unlock();
                }
            }), "Condition.await(Long.MIN_VALUE, " + unit + ")");
        }
        for (Date d : new Date[] {new Date(Long.MIN_VALUE), new Date(0)}) {
            assertAll(false, promptly("Condition.awaitUntil(" + d.getTime() + ")", () -> {
                lock.lock();
                try {
                    return c.awaitUntil(d);
                } finally {
                    lock.unlock();
                }
            }), "Condition.awaitUntil(new Date(" + d.getTime() + "))");
        }
    }

    /** {@code awaitUntil(new Date(Long.MAX_VALUE))} waits for the signal; it counted as already expired. */
    @Test
    void conditionAwaitUntilTheEndOfTimeWaitsForTheSignal() throws Exception {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        Condition c = cond.asCondition();
        Task<Boolean> waiter = s.submit(() -> {
            mu.lock();
            try {
                return c.awaitUntil(new Date(Long.MAX_VALUE));
            } finally {
                mu.unlock();
            }
        });
        awaitCondition("the waiter to queue", () -> cond.waiters() == 1);
        cond.signal();
        assertTrue(waiter.join(LIVENESS), "signalled before its deadline");
    }

    // ------------------------------------------------------------------ WaitGroup, Semaphore

    @Test
    void waitGroupAwaitWithATimeoutInThePastGivesUpAtOnce() {
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        for (Duration d : PAST) {
            assertAll(false, promptly("WaitGroup.await(" + d + ")", () -> wg.await(d)), "await(" + d + ") with a task pending");
        }
        assertEquals(0, wg.waiters());
        wg.done();
        for (Duration d : FAR) {
            assertAll(true, promptly("WaitGroup.await(" + d + ")", () -> wg.await(d)), "await(" + d + ") of a finished group");
        }
    }

    @Test
    void semaphoreTryAcquireWithATimeoutInThePastGivesUpAtOnce() {
        Semaphore sem = new Semaphore(1);
        sem.acquire();
        for (Duration d : PAST) {
            assertAll(false, promptly("Semaphore.tryAcquire(1, " + d + ")", () -> sem.tryAcquire(1, d)),
                    "tryAcquire(1, " + d + ") with no unit free");
        }
        assertEquals(0, sem.waiters());
        sem.release();
        for (Duration d : FAR) {
            assertAll(true, promptly("Semaphore.tryAcquire(1, " + d + ")", () -> {
                boolean got = sem.tryAcquire(1, d);
                sem.release();
                return got;
            }), "tryAcquire(1, " + d + ") with a unit free");
        }
    }

    // ------------------------------------------------------------------ channels, select, context

    @Test
    void chanSendAndReceiveWithExtremeTimeouts() {
        Chan<Integer> ch = new Chan<>(1);
        for (Duration d : PAST) {
            assertAll(true, promptly("Chan.receive(" + d + ") of an empty channel", () -> ch.receive(d).timedOut()),
                    "receive(" + d + ") times out");
        }
        for (Duration d : FAR) {
            assertAll(true, promptly("Chan.send(" + d + ") with room", () -> ch.send(7, d) && ch.receive(d).value() == 7),
                    "send and receive(" + d + ") with a value ready");
        }
        ch.send(1);
        for (Duration d : PAST) {
            assertAll(false, promptly("Chan.send(" + d + ") to a full channel", () -> ch.send(2, d)), "send(" + d + ") times out");
        }
        assertEquals(1, ch.size());
    }

    @Test
    void selectWithATimeoutInThePastTimesOutAtOnce() {
        Chan<Integer> ch = new Chan<>();
        for (Duration d : PAST) {
            Select sel = new Select().onReceive(ch).timeout(d, () -> {});
            assertAll(Select.TIMEOUT, promptly("Select.timeout(" + d + ")", sel::run), "select with timeout " + d);
        }
    }

    @Test
    void selectWithAHugeTimeoutTakesAReadyCase() {
        Chan<Integer> ch = new Chan<>(1);
        for (Duration d : FAR) {
            Select sel = new Select().onReceive(ch).timeout(d, () -> {});
            assertAll(0, promptly("Select.timeout(" + d + ") with a value ready", () -> {
                ch.send(1);
                return sel.run();
            }), "select with timeout " + d);
        }
    }

    @Test
    void contextWithATimeoutOrDeadlineInThePastIsDoneAtOnce() {
        for (Duration d : PAST) {
            Context.Cancellable ctx = Context.background().withTimeout(d);
            assertEquals(Context.Err.DEADLINE_EXCEEDED, ctx.err(), "withTimeout(" + d + ")");
            assertAll(true, promptly("receive from done() of withTimeout(" + d + ")", () -> ctx.done().receive().closed()),
                    "done() is closed");
        }
        Context.Cancellable ctx = Context.background().withDeadline(Instant.MIN);
        assertEquals(Context.Err.DEADLINE_EXCEEDED, ctx.err(), "withDeadline(Instant.MIN)");
    }

    @Test
    void contextWithAHugeTimeoutOrDeadlineIsNotDone() {
        for (Duration d : FAR) {
            try (Context.Cancellable ctx = Context.background().withTimeout(d)) {
                assertEquals(null, ctx.err(), "withTimeout(" + d + ")");
                assertTrue(ctx.remaining().orElseThrow().compareTo(Duration.ofDays(365 * 50)) > 0, ctx.toString());
                assertAll(true, promptly("receive(1 ms) from done() of withTimeout(" + d + ")",
                        () -> ctx.done().receive(Duration.ofMillis(1)).timedOut()), "done() stays open");
            }
        }
        try (Context.Cancellable ctx = Context.background().withDeadline(Instant.MAX)) {
            assertEquals(null, ctx.err(), "withDeadline(Instant.MAX)");
        }
    }
}
