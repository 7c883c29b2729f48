package gmpj.sync;

import static gmpj.sync.SyncTestSupport.awaitCondition;
import static gmpj.sync.SyncTestSupport.join;
import static gmpj.sync.SyncTestSupport.joinThread;
import static gmpj.sync.SyncTestSupport.runTogether;
import static gmpj.sync.SyncTestSupport.scheduler;
import static gmpj.sync.SyncTestSupport.startThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.sync.SyncTestSupport.TestThread;
import gmpj.core.Scheduler;
import gmpj.core.Task;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cond: signal and broadcast, the lock released while waiting and held again after, timeouts. */
class CondTest {

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void boundedBufferPassesEveryItemFromProducersToConsumers(int procs) {
        Mutex mu = new Mutex();
        Cond notFull = new Cond(mu);
        Cond notEmpty = new Cond(mu);
        ArrayDeque<Long> buffer = new ArrayDeque<>();
        int capacity = 4;
        int producers = 5; // 4 goroutines, 1 thread
        int perProducer = 400;
        long total = (long) producers * perProducer;
        long[] consumed = {0};
        AtomicLong sum = new AtomicLong();
        try (Scheduler s = scheduler("buffer", procs)) {
            // indexes 0..3 and 7 produce (7 is a thread); 4..6 and 8 consume (8 is a thread)
            runTogether(s, 7, 2, i -> {
                boolean producer = i < 4 || i == 7;
                if (producer) {
                    for (long n = 1; n <= perProducer; n++) {
                        mu.lock();
                        try {
                            while (buffer.size() == capacity) {
                                notFull.await();
                            }
                            buffer.addLast(n);
                            notEmpty.signal();
                        } finally {
                            mu.unlock();
                        }
                    }
                } else {
                    mu.lock();
                    try {
                        for (;;) {
                            while (buffer.isEmpty() && consumed[0] < total) {
                                notEmpty.await();
                            }
                            if (consumed[0] == total) {
                                notEmpty.broadcast(); // let the other consumers see the end
                                return;
                            }
                            sum.addAndGet(buffer.removeFirst());
                            consumed[0]++;
                            notFull.signal();
                        }
                    } finally {
                        mu.unlock();
                    }
                }
            });
        }
        assertEquals(total, consumed[0]);
        assertEquals(producers * (long) perProducer * (perProducer + 1) / 2, sum.get());
        assertEquals(0, notFull.waiters());
        assertEquals(0, notEmpty.waiters());
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void broadcastWakesEveryWaiterAndEachHoldsTheLockAgain(int procs) {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        boolean[] go = {false};
        int[] awake = {0};
        try (Scheduler s = scheduler("broadcast", procs)) {
            List<Task<Void>> waiters = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                waiters.add(s.submit(() -> {
                    mu.lock();
                    try {
                        while (!go[0]) {
                            cond.await();
                        }
                        awake[0]++; // under the lock again
                    } finally {
                        mu.unlock();
                    }
                }));
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            TestThread thread = startThread("thread-waiter", () -> {
                mu.lock();
                try {
                    while (!go[0]) {
                        cond.await();
                    }
                    awake[0]++;
                } finally {
                    mu.unlock();
                }
            }, failure);
            awaitCondition("51 waiters", () -> cond.waiters() == 51);
            mu.lock();
            go[0] = true;
            cond.broadcast();
            mu.unlock();
            for (Task<Void> w : waiters) {
                join(s, w);
            }
            joinThread(thread);
            assertEquals(null, failure.get());
        }
        assertEquals(51, awake[0]);
    }

    @Test
    void signalWakesTheLongestWaitingCallerFirst() {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        List<Integer> woken = Collections.synchronizedList(new ArrayList<>());
        try (Scheduler s = scheduler("fifo", 2)) {
            List<Task<Void>> waiters = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int id = i;
                waiters.add(s.submit(() -> {
                    mu.lock();
                    try {
                        cond.await();
                        woken.add(id);
                    } finally {
                        mu.unlock();
                    }
                }));
                awaitCondition("waiter " + id + " to wait", () -> cond.waiters() == id);
            }
            for (int i = 1; i <= 3; i++) {
                int expected = i;
                cond.signal();
                awaitCondition("waiter " + expected + " to wake", () -> woken.size() == expected);
            }
            for (Task<Void> w : waiters) {
                join(s, w);
            }
        }
        assertEquals(List.of(1, 2, 3), woken);
    }

    @Test
    void signalWithoutWaitersIsNotRemembered() {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        cond.signal();
        cond.broadcast();
        mu.lock();
        assertFalse(cond.await(Duration.ofMillis(2)), "an earlier signal must not satisfy a later wait");
        mu.unlock();
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void timedAwaitGivesUpWithTheLockHeldAgain(int procs) {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        try (Scheduler s = scheduler("timed", procs)) {
            assertTrue(join(s, s.submit(() -> {
                mu.lock();
                try {
                    boolean signalled = cond.await(Duration.ofMillis(2));
                    return !signalled && mu.isLocked();
                } finally {
                    mu.unlock();
                }
            })), "a goroutine's timed wait");
        }
        mu.lock();
        assertFalse(cond.await(Duration.ofMillis(2)), "a thread's timed wait");
        assertTrue(mu.isLocked());
        mu.unlock();
        assertEquals(0, cond.waiters());
    }

    @Test
    void awaitWithoutHoldingTheLockThrowsAndLeavesNoWaiter() {
        Cond cond = new Cond(new Mutex());
        IllegalStateException e = assertThrows(IllegalStateException.class, cond::await);
        assertTrue(e.getMessage().startsWith("Cond.await called without holding its lock"), e.getMessage());
        assertEquals(0, cond.waiters());
    }

    @Test
    void conditionViewHonoursAThreadsInterruptAndHoldsTheLockAgain() {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        Condition condition = cond.asCondition();
        AtomicBoolean interruptedWithLock = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        TestThread t = startThread("interruptible", () -> {
            mu.lock();
            try {
                condition.await();
            } catch (InterruptedException e) {
                interruptedWithLock.set(mu.isLocked());
            } finally {
                mu.unlock();
            }
        }, failure);
        awaitCondition("the thread to wait", () -> cond.waiters() == 1);
        t.interrupt();
        joinThread(t);
        assertTrue(interruptedWithLock.get(), "no InterruptedException with the lock held; failure: " + failure.get());
        assertEquals(0, cond.waiters());
        assertFalse(mu.isLocked());
    }

    @Test
    void condWorksOnTheReadSideOfAnRWMutex() {
        RWMutex rw = new RWMutex();
        Cond cond = new Cond(rw.rlocker());
        try (Scheduler s = scheduler("rlocker", 2)) {
            Task<Integer> waiter = s.submit(() -> {
                rw.rlock();
                try {
                    cond.await();
                    return rw.readers();
                } finally {
                    rw.runlock();
                }
            });
            // Queued first, then the read lock released: both must hold while it waits.
            awaitCondition("the reader to wait with its read lock released (readers: " + rw.readers() + ")",
                    () -> cond.waiters() == 1 && rw.readers() == 0);
            assertTrue(rw.tryLock(), "a writer gets in while the reader waits");
            rw.unlock();
            cond.signal();
            assertEquals(1, join(s, waiter));
        }
        assertEquals(0, rw.readers());
    }
}
