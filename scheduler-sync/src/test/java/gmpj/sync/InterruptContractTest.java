package gmpj.sync;

import static gmpj.sync.SyncTestSupport.LIVENESS;
import static gmpj.sync.SyncTestSupport.awaitCondition;
import static gmpj.sync.SyncTestSupport.join;
import static gmpj.sync.SyncTestSupport.joinThread;
import static gmpj.sync.SyncTestSupport.scheduler;
import static gmpj.sync.SyncTestSupport.startThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gmpj.core.Scheduler;
import gmpj.sync.SyncTestSupport.TestThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The interrupt contract of this package, for plain threads (goroutines have no interrupts):
 * <ul>
 *   <li>every wait whose Java contract does not declare {@link InterruptedException} (all of Go's
 *       operations: {@code Mutex.lock}, {@code WaitGroup.await}, channel operations, {@code Cond.await},
 *       {@code Semaphore.acquire}, {@code Once.run}, {@code RWMutex}, {@code Select}, a context's
 *       {@code done()}) behaves like {@code CompletableFuture.join}: an interrupt, before or during
 *       the wait, neither ends it early nor turns it into a busy loop, and the flag is still set
 *       when it returns;</li>
 *   <li>the methods that declare {@code InterruptedException} ({@code Lock.lockInterruptibly},
 *       the timed {@code Lock.tryLock}, the interruptible {@code Condition} waits) honour it: they
 *       throw, with the flag cleared, whether the interrupt came before the call or during it.</li>
 * </ul>
 * "Not a busy loop" is checked without timing: the waiting thread must be seen parked inside the
 * primitive ({@code WAITING} or {@code TIMED_WAITING}) in {@value #PARKED_SAMPLES} consecutive
 * samples a millisecond apart, which a thread whose parks return at once (it is {@code RUNNABLE}
 * between them) never shows.
 */
class InterruptContractTest {
    private static final int PARKED_SAMPLES = 20;

    private static Scheduler s;

    @BeforeAll
    static void start() {
        s = scheduler("interrupts", 2);
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    // ------------------------------------------------------------------ harness

    /**
     * Waits until {@code t} is parked in a method of {@code primitive} in {@link #PARKED_SAMPLES}
     * consecutive samples; fails after {@link SyncTestSupport#LIVENESS} with what it saw last.
     */
    private static void awaitParkedIn(Thread t, Class<?> primitive) {
        long deadline = System.nanoTime() + LIVENESS.toNanos();
        int consecutive = 0;
        String last = "";
        while (consecutive < PARKED_SAMPLES) {
            if (System.nanoTime() - deadline > 0) {
                fail(t.getName() + " was never seen parked in " + primitive.getSimpleName() + " " + PARKED_SAMPLES
                        + " times in a row within " + LIVENESS + " (spinning?); last sample: " + last);
            }
            Thread.State state = t.getState();
            StackTraceElement[] stack = t.getStackTrace();
            boolean inside = Arrays.stream(stack).anyMatch(f -> f.getClassName().startsWith(primitive.getName()));
            boolean parked = state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
            consecutive = parked && inside ? consecutive + 1 : 0;
            last = state + " " + List.of(stack);
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** A wait run by a plain thread; may throw anything (a failure of the test). */
    @FunctionalInterface
    interface Wait {
        void run() throws Exception;
    }

    /**
     * An uninterruptible wait: a plain thread interrupts itself, then runs {@code wait}, which parks
     * in {@code primitive}; once it is parked it is interrupted again; then {@code release} runs in
     * a goroutine. The wait must have returned only after the release, with the flag still set.
     */
    private static void keepsWaitingAndTheFlag(Class<?> primitive, Wait wait, Runnable release) {
        AtomicBoolean released = new AtomicBoolean();
        AtomicBoolean returnedAfterRelease = new AtomicBoolean();
        AtomicBoolean flagAfter = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        TestThread t = startThread("interrupted-" + primitive.getSimpleName(), () -> {
            Thread.currentThread().interrupt();
            try {
                wait.run();
            } catch (Exception e) {
                throw new AssertionError("an uninterruptible wait threw", e);
            }
            returnedAfterRelease.set(released.get());
            flagAfter.set(Thread.interrupted());
        }, failure);
        awaitParkedIn(t, primitive); // parked despite the flag set before the call
        t.interrupt();
        awaitParkedIn(t, primitive); // and despite one during the wait
        released.set(true);
        join(s, s.submit(() -> {
            release.run();
            return null;
        }));
        joinThread(t);
        assertNull(failure.get(), () -> "the waiting thread failed: " + failure.get());
        assertTrue(returnedAfterRelease.get(), primitive.getSimpleName() + ": the interrupt ended the wait early");
        assertTrue(flagAfter.get(), primitive.getSimpleName() + ": the interrupt flag was lost");
    }

    // ------------------------------------------------------------------ uninterruptible waits

    @Test
    void mutexLock() {
        Mutex mu = new Mutex();
        mu.lock();
        keepsWaitingAndTheFlag(Mutex.class, () -> {
            mu.lock();
            mu.unlock();
        }, mu::unlock);
        assertFalse(mu.isLocked());
    }

    @Test
    void mutexLockThroughTheLockView() {
        Mutex mu = new Mutex();
        Lock lock = mu.asLock();
        mu.lock();
        keepsWaitingAndTheFlag(Mutex.class, () -> {
            lock.lock();
            lock.unlock();
        }, mu::unlock);
        assertFalse(mu.isLocked());
    }

    @Test
    void waitGroupAwait() {
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        keepsWaitingAndTheFlag(WaitGroup.class, wg::await, wg::done);
    }

    @Test
    void chanReceiveWithASenderArrivingLater() {
        Chan<String> ch = new Chan<>();
        AtomicReference<String> got = new AtomicReference<>();
        keepsWaitingAndTheFlag(Chan.class, () -> got.set(ch.receive().value()), () -> ch.send("late"));
        assertEquals("late", got.get());
    }

    @Test
    void chanSendWithAReceiverArrivingLater() {
        Chan<String> ch = new Chan<>();
        AtomicReference<String> got = new AtomicReference<>();
        keepsWaitingAndTheFlag(Chan.class, () -> ch.send("waiting"), () -> got.set(ch.receive().value()));
        assertEquals("waiting", got.get());
    }

    @Test
    void condAwait() {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        keepsWaitingAndTheFlag(Cond.class, () -> {
            mu.lock();
            try {
                cond.await();
            } finally {
                mu.unlock();
            }
        }, cond::signal);
    }

    @Test
    void conditionAwaitUninterruptibly() {
        Lock lock = new Mutex().asLock();
        Condition c = lock.newCondition();
        keepsWaitingAndTheFlag(Cond.class, () -> {
            lock.lock();
            try {
                c.awaitUninterruptibly();
            } finally {
                lock.unlock();
            }
        }, c::signal);
    }

    @Test
    void semaphoreAcquire() {
        Semaphore sem = new Semaphore(2);
        sem.acquire(2);
        keepsWaitingAndTheFlag(Semaphore.class, () -> {
            sem.acquire();
            sem.release();
        }, () -> sem.release(2));
        assertEquals(2, sem.available());
    }

    @Test
    void onceRunWhileAnotherCallerRunsTheAction() {
        Once once = new Once();
        Chan<Boolean> gate = new Chan<>();
        s.go(() -> once.run(() -> gate.receive()));
        awaitCondition("the action to start", () -> once.toString().equals("Once[running]"));
        AtomicBoolean ranTwice = new AtomicBoolean();
        keepsWaitingAndTheFlag(Once.class, () -> once.run(() -> ranTwice.set(true)), () -> gate.send(true));
        assertTrue(once.isDone());
        assertFalse(ranTwice.get());
    }

    @Test
    void rwMutexReaderBehindAWriter() {
        RWMutex rw = new RWMutex();
        rw.lock();
        keepsWaitingAndTheFlag(RWMutex.class, () -> {
            rw.rlock();
            rw.runlock();
        }, rw::unlock);
    }

    @Test
    void rwMutexWriterBehindAReader() {
        RWMutex rw = new RWMutex();
        rw.rlock();
        keepsWaitingAndTheFlag(RWMutex.class, () -> {
            rw.lock();
            rw.unlock();
        }, rw::runlock);
    }

    @Test
    void selectOverTwoChannels() {
        Chan<Integer> a = new Chan<>();
        Chan<Integer> b = new Chan<>();
        AtomicReference<Integer> got = new AtomicReference<>();
        Select sel = new Select().onReceive(a, r -> got.set(r.value())).onReceive(b, r -> got.set(-r.value()));
        keepsWaitingAndTheFlag(Select.class, sel::run, () -> b.send(5));
        assertEquals(-5, got.get());
    }

    @Test
    void contextDone() {
        Context.Cancellable ctx = Context.background().withCancel();
        keepsWaitingAndTheFlag(Chan.class, () -> ctx.done().receive(), ctx::cancel);
        assertEquals(Context.Err.CANCELED, ctx.err());
    }

    // ------------------------------------------------------------------ waits that declare InterruptedException

    /**
     * A plain thread runs {@code wait}, which must park in {@code primitive}; it is interrupted
     * there; the wait must throw {@link InterruptedException} with the flag cleared. The thread
     * then runs {@code after}.
     */
    private static void throwsWhenInterruptedWhileWaiting(Class<?> primitive, Wait wait, Runnable after) {
        AtomicBoolean threw = new AtomicBoolean();
        AtomicBoolean flagAfter = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        TestThread t = startThread("interruptible-" + primitive.getSimpleName(), () -> {
            try {
                wait.run();
            } catch (InterruptedException expected) {
                threw.set(true);
                flagAfter.set(Thread.currentThread().isInterrupted());
                after.run();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, failure);
        awaitParkedIn(t, primitive);
        t.interrupt();
        joinThread(t);
        assertNull(failure.get(), () -> "the waiting thread failed: " + failure.get());
        assertTrue(threw.get(), primitive.getSimpleName() + ": no InterruptedException");
        assertFalse(flagAfter.get(), primitive.getSimpleName() + ": the flag must be cleared when InterruptedException is thrown");
    }

    @Test
    void lockInterruptiblyThrowsWhenInterruptedWhileWaiting() {
        Mutex mu = new Mutex();
        Lock lock = mu.asLock();
        mu.lock();
        throwsWhenInterruptedWhileWaiting(Mutex.class, lock::lockInterruptibly, () -> {});
        assertEquals(0, mu.queuedWaiters(), "the interrupted waiter left the queue");
        assertTrue(mu.isLocked(), "still held by its owner, not by the interrupted waiter");
        mu.unlock();
        assertTrue(mu.tryLock(), "nothing was lost: the mutex is free");
    }

    @Test
    void timedTryLockThrowsWhenInterruptedWhileWaiting() {
        Mutex mu = new Mutex();
        Lock lock = mu.asLock();
        mu.lock();
        throwsWhenInterruptedWhileWaiting(Mutex.class, () -> lock.tryLock(1, TimeUnit.DAYS), () -> {});
        assertEquals(0, mu.queuedWaiters());
        mu.unlock();
    }

    @Test
    void lockInterruptiblyAndTimedTryLockThrowForAnInterruptBeforeTheCallEvenOnAFreeMutex() {
        Mutex mu = new Mutex();
        Lock lock = mu.asLock();
        List<String> outcomes = new ArrayList<>();
        for (Wait call : new Wait[] {lock::lockInterruptibly, () -> lock.tryLock(1, TimeUnit.DAYS)}) {
            Thread.currentThread().interrupt();
            try {
                call.run();
                outcomes.add("locked");
                lock.unlock();
            } catch (InterruptedException expected) {
                outcomes.add("threw, flag " + Thread.currentThread().isInterrupted());
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                Thread.interrupted();
            }
        }
        assertEquals(List.of("threw, flag false", "threw, flag false"), outcomes);
        assertFalse(mu.isLocked());
    }

    @Test
    void conditionAwaitThrowsWhenInterruptedWhileWaitingAndHoldsTheLockAgain() {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        Condition c = cond.asCondition();
        AtomicBoolean heldAfter = new AtomicBoolean();
        throwsWhenInterruptedWhileWaiting(Cond.class, () -> {
            mu.lock();
            c.await(); // on the exception the lock is held again; the handler below releases it
        }, () -> {
            heldAfter.set(mu.isLocked());
            mu.unlock();
        });
        assertTrue(heldAfter.get(), "Condition.await must re-acquire the lock before throwing");
        assertEquals(0, cond.waiters(), "the interrupted waiter left the queue");
    }

    @Test
    void timedConditionWaitsThrowWhenInterruptedWhileWaiting() {
        Mutex mu = new Mutex();
        Condition c = new Cond(mu).asCondition();
        for (Wait w : new Wait[] {() -> c.awaitNanos(Duration.ofDays(1).toNanos()), () -> c.await(1, TimeUnit.DAYS),
                () -> c.awaitUntil(new java.util.Date(System.currentTimeMillis() + Duration.ofDays(1).toMillis()))}) {
            throwsWhenInterruptedWhileWaiting(Cond.class, () -> {
                mu.lock();
                w.run();
            }, mu::unlock);
        }
        assertFalse(mu.isLocked());
    }

    /**
     * An interrupt can find the thread's park permit already used: here the lock the condition
     * releases interrupts the thread and then parks once (which consumes the permit the interrupt
     * gave). {@code Condition.await} must still see the flag and throw, rather than take it down
     * for its park and wait for a signal that never comes.
     */
    @Test
    void conditionAwaitSeesAnInterruptWhosePermitWasUsedUp() {
        Mutex mu = new Mutex();
        Locker interruptingLocker = new Locker() {
            @Override
            public void lock() {
                mu.lock();
            }

            @Override
            public void unlock() {
                mu.unlock();
                Thread.currentThread().interrupt();
                LockSupport.parkNanos(1); // returns at once, using up the permit the interrupt gave
            }
        };
        Condition c = new Cond(interruptingLocker).asCondition();
        AtomicReference<String> outcome = new AtomicReference<>();
        TestThread t = startThread("permit-used", () -> {
            interruptingLocker.lock();
            try {
                c.await();
                outcome.set("returned");
            } catch (InterruptedException expected) {
                outcome.set("threw, flag " + Thread.currentThread().isInterrupted());
            } finally {
                mu.unlock(); // held again after await, whatever its outcome
            }
        }, new AtomicReference<>());
        joinThread(t);
        assertEquals("threw, flag false", outcome.get());
    }

    /** Goroutine code is never interrupted: the Condition view waits for its signal in a goroutine. */
    @Test
    void conditionAwaitInAGoroutineWaitsForTheSignal() {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        Condition c = cond.asCondition();
        AtomicBoolean signalled = new AtomicBoolean();
        var t = s.submit(() -> {
            mu.lock();
            try {
                c.await();
                return signalled.get();
            } finally {
                mu.unlock();
            }
        });
        awaitCondition("the goroutine to wait", () -> cond.waiters() == 1);
        signalled.set(true);
        cond.signal();
        assertTrue(join(s, t));
    }
}
