package gmpj.sync;

import static gmpj.sync.SyncTestSupport.LIVENESS;
import static gmpj.sync.SyncTestSupport.awaitCondition;
import static gmpj.sync.SyncTestSupport.join;
import static gmpj.sync.SyncTestSupport.joinThread;
import static gmpj.sync.SyncTestSupport.runTogether;
import static gmpj.sync.SyncTestSupport.scheduler;
import static gmpj.sync.SyncTestSupport.startThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.sync.SyncTestSupport.TestThread;
import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import gmpj.core.Task;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Semaphore: bounded weighted access, strict FIFO, timeouts, misuse. */
class SemaphoreTest {

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void neverGrantsMoreThanItsSizeToGoroutinesAndThreads(int procs) {
        Semaphore sem = new Semaphore(3);
        AtomicLong inUse = new AtomicLong();
        AtomicLong maxInUse = new AtomicLong();
        try (Scheduler s = scheduler("bound", procs)) {
            runTogether(s, 60, 2, i -> {
                long weight = 1 + i % 2;
                for (int n = 0; n < 100; n++) {
                    if (n % 10 == 0) {
                        assertTrue(sem.tryAcquire(weight, LIVENESS));
                    } else {
                        sem.acquire(weight);
                    }
                    maxInUse.accumulateAndGet(inUse.addAndGet(weight), Math::max);
                    Gmp.yield();
                    inUse.addAndGet(-weight);
                    sem.release(weight);
                }
            });
        }
        assertTrue(maxInUse.get() <= 3, "more than the size was in use: " + maxInUse.get());
        assertEquals(3, sem.available());
        assertEquals(0, sem.waiters());
    }

    @Test
    void aLargeRequestAtTheHeadHoldsBackLaterSmallerOnes() {
        Semaphore sem = new Semaphore(4);
        sem.acquire(4);
        try (Scheduler s = scheduler("fifo", 2)) {
            Task<Void> big = s.submit(() -> sem.acquire(3));
            awaitCondition("the large request to queue", () -> sem.waiters() == 1);
            Task<Void> small = s.submit(() -> sem.acquire(1));
            awaitCondition("the small request to queue", () -> sem.waiters() == 2);
            sem.release(1); // one unit free: it would fit the small request, but the large one is first
            assertEquals(2, sem.waiters());
            assertFalse(sem.tryAcquire(1), "tryAcquire must not jump the queue either");
            sem.release(3); // now both fit, in order
            join(s, big);
            join(s, small);
        }
        assertEquals(0, sem.available());
        sem.release(4);
    }

    @Test
    void aTimedOutRequestAtTheHeadLetsTheRequestsBehindItThrough() {
        Semaphore sem = new Semaphore(4);
        sem.acquire(3); // one unit free
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // The large request's timeout only has to outlast the small one's queueing; the waits
        // below also end if it expires sooner, the test then just proves less.
        TestThread big = startThread("big", () -> assertFalse(sem.tryAcquire(2, Duration.ofMillis(300))), failure);
        awaitCondition("the large request to queue", () -> sem.waiters() == 1 || !big.isAlive());
        try (Scheduler s = scheduler("leave", 1)) {
            Task<Void> small = s.submit(() -> sem.acquire(1)); // fits, but queues behind the large one
            awaitCondition("the small request to queue", () -> sem.waiters() == 2 || small.isDone());
            joinThread(big); // gives up, and was the head: the small one gets its unit
            join(s, small);
        }
        assertNull(failure.get());
        assertEquals(0, sem.available());
        assertEquals(0, sem.waiters());
        sem.release(4);
    }

    @Test
    void releasingMoreThanHeldThrowsAndLeavesTheCountAlone() {
        Semaphore sem = new Semaphore(2);
        sem.acquire();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sem.release(2));
        assertTrue(e.getMessage().startsWith("semaphore released more than held"), e.getMessage());
        assertEquals(1, sem.available());
        sem.release();
        assertEquals(2, sem.available());
    }

    @Test
    void impossibleOrNegativeWeightsAreRefused() {
        Semaphore sem = new Semaphore(2);
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class, () -> sem.acquire(3));
        assertTrue(tooBig.getMessage().contains("could never be satisfied"), tooBig.getMessage());
        assertThrows(IllegalArgumentException.class, () -> sem.tryAcquire(-1));
        assertThrows(IllegalArgumentException.class, () -> sem.release(-1));
        assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
        assertTrue(sem.tryAcquire(0), "a zero weight fits when nobody waits");
    }

    @Test
    void tryAcquireTakesWhatIsFreeAndNeverWaits() {
        Semaphore sem = new Semaphore(3);
        assertTrue(sem.tryAcquire(2));
        assertFalse(sem.tryAcquire(2));
        assertFalse(sem.tryAcquire(2, Duration.ZERO));
        assertTrue(sem.tryAcquire(1));
        assertEquals(0, sem.available());
        sem.release(3);
    }
}
