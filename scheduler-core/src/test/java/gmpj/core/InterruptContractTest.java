package gmpj.core;

import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The interrupt contract: an interrupt never makes a runtime thread spin, a goroutine's interrupt
 * flag never outlives its turn on a carrier, and a plain thread's waits in gmpj are uninterruptible
 * (like {@code CompletableFuture.join}): they neither end early nor spin, and the flag stays set.
 *
 * <p>Spinning is observed through the JVM's count of the times a thread entered a wait
 * ({@link java.lang.management.ThreadInfo#getWaitedCount()}, one per park): a thread that really
 * blocks keeps it still, while one whose {@code LockSupport.park} returns at once (its interrupt
 * flag set) adds one per turn of its loop, thousands per millisecond.
 */
class InterruptContractTest {
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private static long waitedCount(Thread t) {
        java.lang.management.ThreadInfo info = THREADS.getThreadInfo(t.threadId());
        return info == null ? -1 : info.getWaitedCount();
    }

    /** Returns once {@code t} was seen blocked, and not one wait more, on 50 consecutive looks a millisecond apart. */
    private static void awaitSteadilyBlocked(Thread t, String what) {
        long[] last = {-2};
        int[] streak = {0};
        awaitCondition(() -> {
            Thread.State st = t.getState();
            long waited = waitedCount(t);
            boolean blocked = (st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING) && waited == last[0];
            last[0] = waited;
            streak[0] = blocked ? streak[0] + 1 : 0;
            return streak[0] >= 50;
        }, TestSupport.LIVENESS, () -> what + " never stayed blocked; state " + t.getState()
                + ", interrupted=" + t.isInterrupted() + ", waits so far " + waitedCount(t));
    }

    @Test
    void interruptedIdleCarriersAndSysmonClearTheFlagAndBlockAgain() {
        try (Scheduler s = builder("intr-idle").procs(2).build()) {
            join(s, s.submit(() -> 1));
            String prefix = s.name();
            awaitCondition(s, "carriers idle", () -> s.stats().idleProcs() == 2);
            List<Thread> threads = TestSupport.liveThreadsNamed(prefix);
            assertEquals(3, threads.size(), "two carriers and sysmon: " + threads);
            for (Thread t : threads) {
                t.interrupt();
            }
            for (Thread t : threads) {
                awaitSteadilyBlocked(t, t.getName());
                assertFalse(t.isInterrupted(), t.getName() + " kept its interrupt flag (it would spin on its next park)");
            }
            // Still working afterwards.
            assertEquals(42, join(s, s.submit(() -> 42)));
        }
    }

    @Test
    void anInterruptedSpareCarrierClearsTheFlagAndBlocks() {
        try (Scheduler s = builder("intr-spare").procs(1).diagnostics(l -> { }).build()) {
            AtomicBoolean release = new AtomicBoolean();
            Task<Void> blocker = s.submit(() -> {
                Gmp.blocking(() -> {
                    while (!release.get()) {
                        LockSupport.parkNanos(100_000);
                    }
                    return null;
                });
                return null;
            });
            Task<Integer> other = s.submit(() -> 7); // gives sysmon a reason to hand the processor off
            assertEquals(7, join(s, other));
            release.set(true);
            join(s, blocker);
            awaitCondition(s, "a spare carrier", () -> s.carrierStates().size() >= 2);
            for (Thread t : TestSupport.liveThreadsNamed(s.name() + "-m")) {
                t.interrupt();
            }
            for (Thread t : TestSupport.liveThreadsNamed(s.name() + "-m")) {
                awaitSteadilyBlocked(t, t.getName());
                assertFalse(t.isInterrupted(), t.getName() + " kept its interrupt flag");
            }
            assertEquals(8, join(s, s.submit(() -> 8)));
        }
    }

    @Test
    void aGoroutinesInterruptFlagDoesNotOutliveItsTurn() {
        try (Scheduler s = builder("intr-restore").procs(1).build()) {
            // The common idiom: catch InterruptedException, restore the flag, return.
            join(s, s.submit(() -> {
                Thread.currentThread().interrupt();
                return null;
            }));
            Task<Boolean> next = s.submit(() -> Thread.currentThread().isInterrupted());
            assertFalse(join(s, next), "the next, unrelated goroutine saw the previous one's interrupt flag");
            for (Thread t : TestSupport.liveThreadsNamed(s.name() + "-m")) {
                awaitSteadilyBlocked(t, t.getName());
            }
            // The flag restored by a goroutine that then parks does not follow it either.
            Task<Boolean> parker = s.submit(() -> {
                Thread.currentThread().interrupt();
                Gmp.sleep(Duration.ofMillis(1));
                return Thread.currentThread().isInterrupted();
            });
            assertFalse(join(s, parker));
        }
    }

    /**
     * A thread with its interrupt flag set joins a task (with {@code timed} or without a timeout)
     * that can finish only after the joiner was seen steadily blocked; the join returns the
     * task's value with the flag still set.
     */
    private static void checkInterruptedJoin(boolean timed) throws Exception {
        try (Scheduler s = builder("intr-join").procs(1).build()) {
            CountDownLatch go = new CountDownLatch(1);
            Task<Integer> task = s.submit(() -> {
                Gmp.blocking(() -> go.await());
                return 5;
            });
            AtomicReference<Object> result = new AtomicReference<>();
            Thread joiner = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    int v = timed ? task.join(TestSupport.LIVENESS) : task.join();
                    result.set(Thread.currentThread().isInterrupted() ? v : "flag lost");
                } catch (TimeoutException e) {
                    result.set(e);
                }
            }, "interrupted-joiner");
            joiner.start();
            awaitSteadilyBlocked(joiner, "the interrupted joiner");
            assertFalse(task.isDone());
            go.countDown();
            joiner.join(TestSupport.LIVENESS.toMillis());
            assertEquals(5, result.get(), describe(s));
        }
    }

    @Test
    void joinOnAnInterruptedThreadBlocksUntilTheTaskEndsAndKeepsTheFlag() throws Exception {
        checkInterruptedJoin(false);
    }

    @Test
    void timedJoinOnAnInterruptedThreadBlocksAndKeepsTheFlag() throws Exception {
        checkInterruptedJoin(true);
    }

    @Test
    void sleepOnAnInterruptedThreadSleepsItsFullTimeAndKeepsTheFlag() throws Exception {
        // Not a timing check: a sleep that returned early (the old behaviour, at once) would end the
        // thread before it was seen blocked on 50 consecutive looks; one that spun would never be.
        AtomicReference<Boolean> flagKept = new AtomicReference<>();
        Thread sleeper = new Thread(() -> {
            Thread.currentThread().interrupt();
            Gmp.sleep(Duration.ofSeconds(3));
            flagKept.set(Thread.currentThread().isInterrupted());
        }, "interrupted-sleeper");
        sleeper.start();
        awaitSteadilyBlocked(sleeper, "the interrupted sleeper");
        assertTrue(flagKept.get() == null, "the sleep ended while it was still being watched");
        sleeper.join(TestSupport.LIVENESS.toMillis());
        assertEquals(Boolean.TRUE, flagKept.get(), "the flag was cleared");
    }

    @Test
    void closeOnAnInterruptedThreadWaitsForGoroutinesAndJoinsTheCarriers() throws Exception {
        Scheduler s = builder("intr-close").procs(2).build();
        AtomicBoolean release = new AtomicBoolean();
        Waiter[] parked = new Waiter[1];
        CountDownLatch isParked = new CountDownLatch(1);
        Task<String> waiting = s.submit(() -> {
            parked[0] = Parking.currentWaiter();
            isParked.countDown();
            while (!release.get()) {
                Parking.park(WaitReason.PARK);
            }
            return "finished";
        });
        isParked.await();
        Thread closer = Thread.currentThread();
        Thread releaser = new Thread(() -> {
            awaitSteadilyBlocked(closer, "the interrupted closer");
            release.set(true);
            parked[0].unpark();
        }, "releaser");
        releaser.start();
        closer.interrupt();
        try {
            s.close();
            assertTrue(Thread.currentThread().isInterrupted(), "close cleared the interrupt flag");
        } catch (IllegalStateException e) {
            fail("close gave up on an interrupted thread: " + e.getMessage().lines().findFirst().orElse(""));
        } finally {
            Thread.interrupted();
        }
        releaser.join();
        assertTrue(waiting.isDone());
        assertEquals("finished", waiting.join());
        assertTrue(s.isTerminated());
        assertTrue(TestSupport.liveThreadsNamed(s.name() + "-m").isEmpty(), "carriers left running");
    }
}
