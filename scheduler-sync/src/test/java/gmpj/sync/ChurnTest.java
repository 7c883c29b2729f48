package gmpj.sync;

import static gmpj.sync.SyncTestSupport.runTogether;
import static gmpj.sync.SyncTestSupport.scheduler;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bounded stress: every way of waiting and giving up, mixed, from goroutines and threads at once;
 * afterwards each primitive must be exactly as clean as it started (no waiter left counted, no
 * mode left on, no unit lost).
 *
 * <p>Timed waits come from goroutines and threads alike. (Written while scheduler-core's timer
 * heaps were guarded by a {@code ReentrantLock} taken from goroutine code, which lost mutual
 * exclusion after a goroutine migrated and hung every carrier under this churn; the locks are
 * owner-less spin locks now.)
 */
class ChurnTest {

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void mutexStaysConsistentUnderTimeoutsStarvationAndMixedWaiters(int procs) {
        Mutex mu = new Mutex();
        boolean[] inside = {false};
        long[] count = {0};
        AtomicBoolean overlap = new AtomicBoolean();
        AtomicLong acquired = new AtomicLong();
        try (Scheduler s = scheduler("mutex-churn", procs)) {
            runTogether(s, 32, 4, i -> {
                SplittableRandom rnd = new SplittableRandom(i * 31L + procs);
                for (int n = 0; n < 150; n++) {
                    int kind = rnd.nextInt(10);
                    boolean got;
                    if (kind < 5) {
                        got = mu.tryLock(Duration.ofNanos(rnd.nextInt(300_000)));
                    } else if (kind == 5) {
                        got = mu.tryLock();
                    } else {
                        mu.lock();
                        got = true;
                    }
                    if (!got) {
                        continue;
                    }
                    try {
                        if (inside[0]) {
                            overlap.set(true);
                        }
                        inside[0] = true;
                        count[0]++;
                        if (rnd.nextInt(10) == 0) {
                            Gmp.sleep(Duration.ofNanos(1_200_000)); // a long hold pushes waiters past 1 ms
                        } else if (rnd.nextBoolean()) {
                            Gmp.yield();
                        }
                        inside[0] = false;
                    } finally {
                        mu.unlock();
                    }
                    acquired.incrementAndGet();
                }
            });
        }
        assertFalse(overlap.get(), "two holders at once");
        assertEquals(acquired.get(), count[0]);
        assertFalse(mu.isLocked(), mu.toString());
        assertEquals(0, mu.queuedWaiters(), mu.toString());
        assertFalse(mu.isStarving(), mu.toString());
        assertEquals(mu.starvationEntries(), mu.starvationExits());
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void semaphoreLosesNoUnitUnderTimeoutsAndMixedWeights(int procs) {
        Semaphore sem = new Semaphore(5);
        AtomicLong inUse = new AtomicLong();
        AtomicBoolean over = new AtomicBoolean();
        try (Scheduler s = scheduler("sem-churn", procs)) {
            runTogether(s, 32, 4, i -> {
                SplittableRandom rnd = new SplittableRandom(i);
                for (int n = 0; n < 150; n++) {
                    long w = 1 + rnd.nextInt(5);
                    boolean got = rnd.nextBoolean() ? sem.tryAcquire(w, Duration.ofNanos(rnd.nextInt(200_000))) : acquire(sem, w);
                    if (!got) {
                        continue;
                    }
                    if (inUse.addAndGet(w) > 5) {
                        over.set(true);
                    }
                    if (rnd.nextBoolean()) {
                        Gmp.yield();
                    }
                    inUse.addAndGet(-w);
                    sem.release(w);
                }
            });
        }
        assertFalse(over.get(), "more units in use than the size");
        assertEquals(5, sem.available());
        assertEquals(0, sem.waiters());
    }

    private static boolean acquire(Semaphore sem, long w) {
        sem.acquire(w);
        return true;
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void waitGroupRoundsWithImpatientWaitersLeaveNoWaiterCounted(int procs) {
        WaitGroup wg = new WaitGroup();
        try (Scheduler s = scheduler("wg-churn", procs)) {
            for (int round = 0; round < 30; round++) {
                int workers = 20;
                wg.add(workers);
                AtomicInteger finished = new AtomicInteger();
                int r = round;
                runTogether(s, 8 + workers, 2, i -> {
                    if (i < 8 || i >= 8 + workers) { // 8 goroutine waiters, and 2 thread waiters retrying short waits
                        if (i < 8) {
                            wg.await();
                        } else {
                            SplittableRandom rnd = new SplittableRandom(r * 100L + i);
                            while (!wg.await(Duration.ofNanos(rnd.nextInt(100_000)))) {
                                Thread.onSpinWait();
                            }
                        }
                        if (finished.get() != workers) {
                            throw new AssertionError("await returned with " + finished.get() + " of " + workers + " done");
                        }
                    } else {
                        Gmp.yield();
                        finished.incrementAndGet();
                        wg.done();
                    }
                });
                assertEquals(0, wg.waiters(), "round " + round);
                assertEquals(0, wg.counter(), "round " + round);
            }
        }
        assertTrue(wg.await(Duration.ZERO));
    }
}
