package gmpj.sync;

import static gmpj.sync.SyncTestSupport.LIVENESS;
import static gmpj.sync.SyncTestSupport.awaitCondition;
import static gmpj.sync.SyncTestSupport.joinThread;
import static gmpj.sync.SyncTestSupport.startThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import gmpj.sync.SyncTestSupport.TestThread;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * No value, unit or lock goes to a goroutine that will never run again. A scheduler whose
 * {@code close(timeout)} gives up abandons its parked goroutines; a primitive that hands something
 * to one waiter must skip them and serve the next live waiter, the buffer, or nobody.
 */
class AbandonedWaitersTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    /** Short: the goroutines under test are parked for good, so close always runs into it. */
    private static final Duration GIVE_UP_AFTER = Duration.ofMillis(50);

    /**
     * Starts {@code parks} as a goroutine of a fresh one-processor scheduler, waits until
     * {@code parked} says it waits in the primitive, then closes the scheduler with a short timeout,
     * which gives up on the goroutine and abandons it.
     */
    private static void abandonWhileParked(Runnable parks, BooleanSupplier parked) {
        Scheduler a = Scheduler.builder().name("abandoning-" + SEQ.incrementAndGet()).procs(1)
                .diagnostics(line -> {}).closeTimeout(LIVENESS).build();
        a.go(parks);
        awaitCondition("the goroutine to park", parked);
        IllegalStateException gaveUp = assertThrows(IllegalStateException.class, () -> a.close(GIVE_UP_AFTER));
        assertTrue(gaveUp.getMessage().contains("unfinished"), gaveUp.getMessage());
        assertTrue(a.isTerminated());
    }

    private static boolean queued(Chan<?> ch, String side, int n) {
        return ch.toString().contains(side + "=" + n + "]") || ch.toString().contains(side + "=" + n + ",");
    }

    // ------------------------------------------------------------------ channels

    @Test
    void aSendToAnUnbufferedChannelWhoseOnlyReceiverWasAbandonedDoesNotSucceed() {
        Chan<String> ch = new Chan<>();
        AtomicReference<Object> got = new AtomicReference<>();
        abandonWhileParked(() -> got.set(ch.receive()), () -> queued(ch, "receivers", 1));
        assertFalse(ch.trySend("lost?"), "nobody live can take the value");
        assertFalse(ch.send("lost?", Duration.ofMillis(1)), "nor within a timeout");
        assertTrue(queued(ch, "receivers", 0), "the dead receiver's node was dropped: " + ch);
        assertNull(got.get());
    }

    @Test
    void aBufferedChannelKeepsTheValueInsteadOfHandingItToAnAbandonedReceiver() {
        Chan<String> ch = new Chan<>(1);
        abandonWhileParked(ch::receive, () -> queued(ch, "receivers", 1));
        assertTrue(ch.trySend("kept"));
        assertEquals(1, ch.size(), "the value is in the buffer");
        assertEquals("kept", ch.tryReceive().value());
    }

    @Test
    void aLiveReceiverQueuedBehindAnAbandonedOneGetsTheValue() {
        Chan<String> ch = new Chan<>();
        abandonWhileParked(ch::receive, () -> queued(ch, "receivers", 1));
        AtomicReference<String> got = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        TestThread live = startThread("live-receiver", () -> got.set(ch.receive().value()), failure);
        awaitCondition("the live receiver to queue", () -> queued(ch, "receivers", 2));
        ch.send("for the living");
        joinThread(live);
        assertNull(failure.get());
        assertEquals("for the living", got.get());
    }

    @Test
    void aValueIsNotTakenFromASenderWhoseSendWillNeverReturn() {
        Chan<String> ch = new Chan<>();
        abandonWhileParked(() -> ch.send("from the dead"), () -> queued(ch, "senders", 1));
        assertTrue(ch.tryReceive().timedOut(), "an abandoned send never happened");
        assertTrue(queued(ch, "senders", 0), ch.toString());
    }

    @Test
    void aSelectAbandonedWhileWaitingTakesNothing() {
        Chan<String> a = new Chan<>();
        Chan<String> b = new Chan<>();
        Select sel = new Select().onReceive(a).onReceive(b);
        abandonWhileParked(sel::run, () -> queued(a, "receivers", 1) && queued(b, "receivers", 1));
        assertFalse(a.trySend("lost?"));
        assertFalse(b.trySend("lost?"));
    }

    // ------------------------------------------------------------------ locks and units

    /** Normal mode: the unlock would set WOKEN for the dead waiter, and later unlocks would wake nobody. */
    @Test
    void anAbandonedMutexWaiterIsNotWokenInPlaceOfALiveOne() {
        Mutex mu = new Mutex();
        mu.lock();
        abandonWhileParked(mu::lock, () -> mu.queuedWaiters() == 1);
        mu.unlock();
        assertTrue(mu.tryLock(), "free again: " + mu);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        TestThread live = startThread("live-locker", () -> {
            mu.lock();
            mu.unlock();
        }, failure);
        awaitCondition("the live waiter to queue", () -> mu.queuedWaiters() == 1);
        mu.unlock(); // must wake the live waiter
        joinThread(live);
        assertNull(failure.get());
        assertFalse(mu.isLocked(), mu.toString());
    }

    /** Starvation mode: the unlock hands the lock to the head waiter, which must be a live one. */
    @Test
    void aStarvingMutexDoesNotHandItselfToAnAbandonedWaiter() {
        Mutex mu = new Mutex();
        AtomicBoolean starving = new AtomicBoolean();
        abandonWhileParked(() -> {
            mu.lock();
            Gmp.currentScheduler().go(mu::lock); // the waiter that will starve, then be abandoned
            while (mu.queuedWaiters() != 1) {
                Gmp.yield();
            }
            Gmp.sleep(Duration.ofNanos(2 * Mutex.STARVATION_THRESHOLD_NANOS));
            mu.unlock(); // wakes the waiter to compete (one processor: it cannot run yet)...
            mu.lock();   // ...we win; it loses once it runs, having waited past the threshold
            while (!mu.isStarving()) {
                Gmp.sleep(Duration.ofMillis(1));
            }
            starving.set(true);
            // Returns holding the lock: the test thread unlocks it after the waiter is abandoned.
        }, () -> starving.get() && mu.queuedWaiters() == 1);
        assertTrue(mu.isStarving());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        TestThread live = startThread("live-behind-a-dead-head", () -> {
            mu.lock();
            mu.unlock();
        }, failure);
        awaitCondition("the live waiter to queue behind the abandoned one", () -> mu.queuedWaiters() == 2);
        mu.unlock(); // the hand-off skips the abandoned head
        joinThread(live);
        assertNull(failure.get());
        assertFalse(mu.isLocked(), mu.toString());
        assertFalse(mu.isStarving(), mu.toString());
        assertTrue(mu.tryLock());
    }

    @Test
    void aStarvingMutexWhoseOnlyWaiterWasAbandonedBecomesFree() {
        Mutex mu = new Mutex();
        AtomicBoolean starving = new AtomicBoolean();
        abandonWhileParked(() -> {
            mu.lock();
            Gmp.currentScheduler().go(mu::lock);
            while (mu.queuedWaiters() != 1) {
                Gmp.yield();
            }
            Gmp.sleep(Duration.ofNanos(2 * Mutex.STARVATION_THRESHOLD_NANOS));
            mu.unlock();
            mu.lock();
            while (!mu.isStarving()) {
                Gmp.sleep(Duration.ofMillis(1));
            }
            starving.set(true);
        }, () -> starving.get() && mu.queuedWaiters() == 1);
        mu.unlock();
        assertTrue(mu.tryLock(), "the lock went to nobody: it is free: " + mu);
        assertEquals(0, mu.queuedWaiters());
    }

    @Test
    void aSemaphoreReleaseDoesNotGrantToAnAbandonedWaiter() {
        Semaphore sem = new Semaphore(1);
        sem.acquire();
        abandonWhileParked(sem::acquire, () -> sem.waiters() == 1);
        sem.release();
        assertTrue(sem.tryAcquire(1), "the unit is free again: " + sem);
        assertEquals(0, sem.waiters());
    }

    /** FIFO: an abandoned head that does not fit would block every later request for good. */
    @Test
    void anAbandonedSemaphoreWaiterAtTheHeadBlocksNoOne() {
        Semaphore sem = new Semaphore(2);
        sem.acquire(1);
        abandonWhileParked(() -> sem.acquire(2), () -> sem.waiters() == 1);
        assertTrue(sem.tryAcquire(1), "the free unit is not held back by a dead request: " + sem);
        assertEquals(0, sem.waiters());
    }

    @Test
    void aCondSignalGoesToALiveWaiterNotAnAbandonedOne() {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        abandonWhileParked(() -> {
            mu.lock();
            cond.await();
            mu.unlock();
        }, () -> cond.waiters() == 1);
        assertFalse(mu.isLocked(), "the abandoned waiter released the lock when it began waiting");
        AtomicBoolean woke = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        TestThread live = startThread("live-cond-waiter", () -> {
            mu.lock();
            try {
                cond.await();
                woke.set(true);
            } finally {
                mu.unlock();
            }
        }, failure);
        awaitCondition("the live waiter to queue", () -> cond.waiters() == 2);
        cond.signal();
        joinThread(live);
        assertNull(failure.get());
        assertTrue(woke.get());
    }
}
