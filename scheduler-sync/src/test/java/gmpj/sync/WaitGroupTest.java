package gmpj.sync;

import static gmpj.sync.SyncTestSupport.LIVENESS;
import static gmpj.sync.SyncTestSupport.awaitCondition;
import static gmpj.sync.SyncTestSupport.join;
import static gmpj.sync.SyncTestSupport.joinThread;
import static gmpj.sync.SyncTestSupport.runTogether;
import static gmpj.sync.SyncTestSupport.scheduler;
import static gmpj.sync.SyncTestSupport.startThread;
import static gmpj.sync.SyncTestSupport.yieldUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.sync.SyncTestSupport.TestThread;
import gmpj.core.Scheduler;
import gmpj.core.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** WaitGroup: fan-out/fan-in from goroutines and threads, timeouts, and Go's three misuses. */
class WaitGroupTest {

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void workerPoolProcessesEveryJobExactlyOnce(int procs) {
        int jobs = 2000;
        ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
        for (int j = 0; j < jobs; j++) {
            queue.add(j);
        }
        AtomicIntegerArray processed = new AtomicIntegerArray(jobs);
        int[] results = new int[jobs]; // plain writes, published by done() -> await()
        WaitGroup wg = new WaitGroup();
        try (Scheduler s = scheduler("pool", procs)) {
            for (int w = 0; w < 8; w++) {
                wg.go(s, () -> {
                    for (Integer job; (job = queue.poll()) != null; ) {
                        processed.incrementAndGet(job);
                        results[job] = job * 2;
                    }
                });
            }
            wg.await(); // this thread waits for goroutines
        }
        for (int j = 0; j < jobs; j++) {
            assertEquals(1, processed.get(j), "job " + j);
            assertEquals(j * 2, results[j], "result of job " + j);
        }
        assertEquals(0, wg.counter());
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void goroutinesAndThreadsWaitForWorkDoneByGoroutinesAndThreads(int procs) {
        int workers = 300;
        WaitGroup wg = new WaitGroup();
        wg.add(workers);
        int[] slots = new int[workers];
        try (Scheduler s = scheduler("fan-in", procs)) {
            // 20 goroutine waiters and 3 thread waiters; 300 workers, the last 2 of them threads.
            runTogether(s, 20 + 298, 3 + 2, i -> {
                boolean waiter = i < 20 || (i >= 318 && i < 321);
                if (waiter) {
                    wg.await();
                    for (int k = 0; k < workers; k++) {
                        if (slots[k] != k + 1) {
                            throw new AssertionError("await returned before worker " + k + "'s write was visible");
                        }
                    }
                } else {
                    int k = i < 318 ? i - 20 : i - 321 + 298;
                    slots[k] = k + 1;
                    wg.done();
                }
            });
        }
        assertEquals(0, wg.counter());
        assertEquals(0, wg.waiters());
    }

    @Test
    void awaitReturnsAtOnceWhenTheCounterIsZero() {
        WaitGroup wg = new WaitGroup();
        wg.await();
        assertTrue(wg.await(Duration.ZERO));
        wg.add(2);
        wg.add(-2);
        wg.await();
    }

    @Test
    void waitingGoroutinesFreeTheirCarrier() {
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        try (Scheduler s = scheduler("carrier", 1)) {
            List<Task<Void>> waiters = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                waiters.add(s.submit((Runnable) wg::await));
            }
            awaitCondition("100 goroutines waiting", () -> wg.waiters() == 100);
            join(s, s.submit((Runnable) wg::done)); // runs on the one processor while 100 goroutines wait
            for (Task<Void> w : waiters) {
                join(s, w);
            }
        }
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void timedAwaitGivesUpAndLeavesTheGroupUsable(int procs) {
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        try (Scheduler s = scheduler("timed", procs)) {
            assertFalse(wg.await(Duration.ofMillis(5)), "a thread's timed wait");
            assertFalse(join(s, s.submit(() -> wg.await(Duration.ofMillis(5)))), "a goroutine's timed wait");
            assertEquals(0, wg.waiters(), "timed-out waiters left");
            Task<Boolean> patient = s.submit(() -> wg.await(LIVENESS));
            awaitCondition("the patient goroutine to wait", () -> wg.waiters() == 1);
            wg.done();
            assertTrue(join(s, patient));
        }
        assertEquals(0L, wg.counter());
    }

    @Test
    void goCallsDoneEvenWhenTheTaskThrows() {
        AtomicReference<Throwable> uncaught = new AtomicReference<>();
        WaitGroup wg = new WaitGroup();
        try (Scheduler s = Scheduler.builder().procs(2).closeTimeout(LIVENESS)
                .uncaughtExceptionHandler((id, name, e) -> uncaught.set(e)).build()) {
            wg.go(s, () -> {
                throw new IllegalArgumentException("boom");
            });
            assertTrue(wg.await(LIVENESS), "done() was not called after the task threw");
        }
        assertTrue(uncaught.get() instanceof IllegalArgumentException, "the exception went to the handler: " + uncaught.get());
    }

    @Test
    void goOnAShutDownSchedulerLeavesTheCounterAlone() {
        WaitGroup wg = new WaitGroup();
        Scheduler s = scheduler("shut", 1);
        s.close();
        assertThrows(RejectedExecutionException.class, () -> wg.go(s, () -> { }));
        assertEquals(0, wg.counter());
    }

    @Test
    void negativeCounterIsRefusedAndTheCounterLeftAsItWas() {
        WaitGroup wg = new WaitGroup();
        IllegalStateException e = assertThrows(IllegalStateException.class, wg::done);
        assertTrue(e.getMessage().startsWith("negative WaitGroup counter"), e.getMessage());
        wg.add(2);
        assertThrows(IllegalStateException.class, () -> wg.add(-3));
        assertEquals(2, wg.counter());
        wg.done();
        wg.done();
        wg.await();
    }

    @Test
    void positiveAddRacingTheReleaseOfWaitersIsRefused() {
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        TestThread waiter = startThread("waiter", wg::await, failure);
        awaitCondition("the thread to wait", () -> wg.waiters() == 1);
        // Freeze the release between its CAS (counter 0, one waiter) and the grants.
        wg.queue().lock();
        TestThread releaser;
        try {
            releaser = startThread("releaser", wg::done, failure);
            awaitCondition("the counter to reach zero with the waiter still counted", () -> wg.counter() == 0);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> wg.add(1));
            assertTrue(e.getMessage().startsWith("WaitGroup misuse: add() called concurrently with await()"), e.getMessage());
        } finally {
            wg.queue().unlock();
        }
        joinThread(releaser);
        joinThread(waiter);
        assertNull(failure.get(), "the refused add must not disturb the release");
        assertEquals(0, wg.counter());
        assertEquals(0, wg.waiters());
    }

    @Test
    void reuseBeforeAPreviousAwaitReturnedIsReportedByThatAwait() {
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        try (Scheduler s = scheduler("reuse", 1)) {
            Task<Throwable> waiter = s.submit(() -> {
                try {
                    wg.await();
                    return null;
                } catch (IllegalStateException e) {
                    return e;
                }
            });
            join(s, s.submit(() -> {
                yieldUntil("the waiter to wait", () -> wg.waiters() == 1);
                wg.done();  // releases the waiter; on one processor it runs only after we yield...
                wg.add(1);  // ...so this new round starts before its await() returned
            }));
            Throwable e = join(s, waiter);
            assertTrue(e instanceof IllegalStateException && e.getMessage().startsWith("WaitGroup reused before a previous await() returned"),
                    "expected the reuse error, got " + e);
        }
        wg.done();
        assertEquals(0, wg.counter());
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void aGroupIsReusableRoundAfterRound(int procs) {
        WaitGroup wg = new WaitGroup();
        AtomicInteger ran = new AtomicInteger();
        try (Scheduler s = scheduler("rounds", procs)) {
            for (int round = 1; round <= 20; round++) {
                for (int i = 0; i < 25; i++) {
                    wg.go(s, ran::incrementAndGet);
                }
                wg.await();
                assertEquals(round * 25, ran.get());
            }
        }
    }
}
