package gmpj.core;

import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** What {@link Scheduler#close(Duration)} promises when goroutines do not finish in time. */
class CloseTest {

    @Test
    void closeWithAShortTimeoutIsBoundedByItAndNamesTheRunningGoroutine() {
        // The builder's closeTimeout is long: close(300 ms) must not fall back to it.
        Scheduler s = builder("close-bounded").procs(1).closeTimeout(Duration.ofSeconds(60)).diagnostics(l -> { }).build();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        s.go("spinner", () -> {
            started.countDown();
            while (!stop.get()) {
                Thread.onSpinWait(); // never yields
            }
        });
        try {
            TestSupport.awaitCondition(() -> started.getCount() == 0, TestSupport.LIVENESS, () -> "spinner started");
            // Closed from another thread, so that a close that overruns its bound is seen as such
            // (the test gives it 20 s, 60 times its timeout) without waiting for the 60 s fallback.
            CloseTimeoutException[] thrown = new CloseTimeoutException[1];
            Thread closer = Thread.ofPlatform().name("closer").start(() -> {
                try {
                    s.close(Duration.ofMillis(300));
                } catch (CloseTimeoutException e) {
                    thrown[0] = e;
                }
            });
            awaitCondition(() -> !closer.isAlive(), Duration.ofSeconds(20),
                    () -> "close(300 ms) still running after 20 s: " + java.util.Arrays.toString(closer.getStackTrace()));
            CloseTimeoutException e = thrown[0];
            assertTrue(e != null, "close gave up, so it throws");
            assertEquals(1, e.unfinished());
            assertTrue(e.getMessage().contains("\"spinner\""), e.getMessage());
            assertTrue(e.getMessage().contains("running"), e.getMessage());
        } finally {
            stop.set(true);
        }
    }

    @Test
    void theMessageStaysShortWithManyGoroutinesAndTheFullDumpHasThemAll() {
        Scheduler s = builder("close-many").procs(2).diagnostics(l -> { }).deadlockPolicy(DeadlockPolicy.IGNORE).build();
        int n = 20_000;
        CountDownLatch parked = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            s.go(() -> {
                parked.countDown();
                Parking.park(WaitReason.PARK); // nobody unparks them
            });
        }
        TestSupport.awaitCondition(() -> parked.getCount() == 0, TestSupport.LIVENESS, () -> "all parked");
        CloseTimeoutException e = assertThrows(CloseTimeoutException.class, () -> s.close(Duration.ofMillis(50)));
        assertEquals(n, e.unfinished());
        assertTrue(e.getMessage().length() < 4_000, "message of " + e.getMessage().length() + " chars");
        assertTrue(e.getMessage().contains(n + " goroutine(s)"), e.getMessage());
        String dump = e.fullDump();
        assertEquals(n, dump.lines().filter(l -> l.startsWith("goroutine ")).count());
    }

    /** A one-processor scheduler with one goroutine parked for good; its waiter is left in {@code waiter[0]}. */
    private static Task<String> parkOneForGood(Scheduler s, Waiter[] waiter) {
        CountDownLatch parked = new CountDownLatch(1);
        AtomicBoolean ran = new AtomicBoolean();
        Task<String> task = s.submit(() -> {
            waiter[0] = Parking.currentWaiter();
            parked.countDown();
            Parking.park(WaitReason.PARK);
            ran.set(true);
            return "ran";
        });
        TestSupport.awaitCondition(() -> parked.getCount() == 0, TestSupport.LIVENESS, () -> "parked");
        TestSupport.awaitCondition(() -> s.stats().idleProcs() == 1, TestSupport.LIVENESS, () -> "processor idle");
        return task;
    }

    @Test
    void anAbandonedParkedGoroutinesTaskIsDoneAndItsJoinThrowsCancellation() {
        Scheduler s = builder("close-isdone").procs(1).diagnostics(l -> { }).deadlockPolicy(DeadlockPolicy.IGNORE).build();
        Waiter[] w = new Waiter[1];
        Task<String> task = parkOneForGood(s, w);
        assertThrows(CloseTimeoutException.class, () -> s.close(Duration.ofMillis(10)));
        assertTrue(task.isDone(), "join throws, so the task is done");
        assertThrows(CancellationException.class, task::join);
        assertTrue(w[0].isAbandoned(), "the parked goroutine is abandoned");
        assertTrue(s.isTerminated());
    }

    @Test
    void shutdownNowAbandonsParkedGoroutinesAndALaterUnparkRunsNothing() {
        Scheduler s = builder("close-late-unpark").procs(1).diagnostics(l -> { }).deadlockPolicy(DeadlockPolicy.IGNORE).build();
        Waiter[] w = new Waiter[1];
        Task<String> task = parkOneForGood(s, w);
        s.shutdownNow();
        assertTrue(task.isDone());
        w[0].unpark(); // it must not be queued on a stopped scheduler, nor run
        assertThrows(CancellationException.class, task::join);
        assertTrue(w[0].isAbandoned());
        assertEquals(0, s.stats().globalQueueLength(), "nothing queued after the stop");
    }

    @Test
    void closeAndAwaitTerminationTakeHugeDurationsAndNameANullOne() throws Exception {
        Scheduler s = builder("close-huge").procs(1).build();
        assertEquals(1, join(s, s.submit(() -> 1)));
        NullPointerException npe = assertThrows(NullPointerException.class, () -> s.awaitTermination(null));
        assertTrue(npe.getMessage().contains("timeout"), npe.getMessage());
        npe = assertThrows(NullPointerException.class, () -> s.close(null));
        assertTrue(npe.getMessage().contains("timeout"), npe.getMessage());
        assertFalse(s.awaitTermination(Duration.ofSeconds(Long.MIN_VALUE)), "negative: does not wait, not terminated");
        s.close(Duration.ofSeconds(Long.MAX_VALUE)); // no ArithmeticException; returns once terminated
        assertTrue(s.awaitTermination(Duration.ofSeconds(Long.MAX_VALUE)));
        assertTrue(s.isTerminated());
    }
}
