package gmpj.core;

import static gmpj.core.TestSupport.LIVENESS;
import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Starting, idling, closing and shutting down. */
class LifecycleTest {

    private static String carrierPrefix(Scheduler s) {
        return s.name() + "-m";
    }

    /**
     * {@code close()} promises to join the carriers, so right after it returns none may be alive.
     * Repeated because the window between "carrier said it exited" and "carrier thread ended" is
     * short: one close could miss it by luck. Found a bug: close() waited on a latch the carriers
     * counted down just before their threads ended, and 1 in 4 closes left a carrier alive; it now
     * joins every carrier thread.
     */
    @Test
    void closeLeavesNoCarrierThreadAlive() {
        List<String> survivors = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Scheduler s = builder("close-alive").procs(2).build();
            try (s) {
                assertEquals(2, TestSupport.liveThreadsNamed(carrierPrefix(s)).size(), "carriers start with the scheduler");
                join(s, s.submit(() -> 1));
            }
            List<Thread.State> states = s.carrierStates();
            List<Thread> alive = TestSupport.liveThreadsNamed(carrierPrefix(s));
            if (!alive.isEmpty() || !states.stream().allMatch(st -> st == Thread.State.TERMINATED)) {
                survivors.add("close #" + i + ": alive " + alive + ", states " + states);
            }
        }
        assertTrue(survivors.isEmpty(), "carriers still alive right after close() returned:\n" + String.join("\n", survivors));
    }

    @Test
    void closeWaitsForRunningAndQueuedWork() {
        AtomicInteger done = new AtomicInteger();
        List<Task<Integer>> tasks = new ArrayList<>();
        Scheduler s = builder("close-after-work").procs(2).build();
        try (s) {
            for (int i = 0; i < 1_000; i++) {
                int n = i;
                tasks.add(s.submit(() -> {
                    Gmp.yield();
                    Gmp.currentScheduler().go(done::incrementAndGet); // spawning inside is allowed during shutdown
                    return n;
                }));
            }
        }
        assertTrue(s.isShutdown() && s.isTerminated(), s.toString());
        assertEquals(1_000, done.get(), "every child spawned during shutdown finished before close returned");
        for (int i = 0; i < tasks.size(); i++) {
            assertTrue(tasks.get(i).isDone());
            assertEquals(i, tasks.get(i).join());
        }
        assertEquals(0, s.liveGoroutines(), describe(s));
    }

    @Test
    void closeAbandonsAGoroutineParkedForeverAfterItsTimeout() {
        try (Scheduler s = builder("close-timeout").procs(1).build()) {
            AtomicReference<Waiter> parked = new AtomicReference<>();
            Task<Void> forever = s.submit(() -> {
                parked.set(Parking.currentWaiter());
                for (;;) {
                    Parking.park(WaitReason.PARK);
                }
            });
            awaitCondition(s, "the goroutine's waiter", () -> parked.get() != null);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.close(Duration.ofMillis(50)));
            assertTrue(e.getMessage().contains("1 goroutine(s) still unfinished"), e.getMessage());
            assertTrue(s.isTerminated());
            assertThrows(CancellationException.class, () -> assertTimeoutPreemptively(LIVENESS, () -> forever.join()));
            awaitCondition(s, "carriers to stop", () -> TestSupport.liveThreadsNamed(carrierPrefix(s)).isEmpty());
        }
    }

    @Test
    void shutdownNowAbandonsQueuedGoroutines() {
        // REPORT_ONLY: however long the test takes, the spinner keeps the only processor.
        try (Scheduler s = builder("shutdown-now").procs(1).hogPolicy(HogPolicy.REPORT_ONLY).diagnostics(l -> { }).build()) {
            AtomicBoolean started = new AtomicBoolean();
            AtomicBoolean release = new AtomicBoolean();
            AtomicInteger queuedRan = new AtomicInteger();
            // Holds the only carrier without yielding, so the next two stay queued.
            Task<String> running = s.submit(() -> {
                started.set(true);
                while (!release.get()) {
                    Thread.onSpinWait();
                }
                return "finished";
            });
            awaitCondition(s, "the blocking goroutine to start", started::get);
            Task<Integer> queued1 = s.submit(queuedRan::incrementAndGet);
            Task<Integer> queued2 = s.submit(queuedRan::incrementAndGet);

            AtomicInteger abandoned = new AtomicInteger(-1);
            Thread stopper = Thread.ofPlatform().name("shutdown-now-caller").start(() -> abandoned.set(s.shutdownNow()));
            // shutdownNow has told the carriers to stop before it waits for them.
            awaitCondition(s, "shutdownNow to mark the scheduler stopping", () -> s.lifecycle.stopping);
            release.set(true);
            assertTimeoutPreemptively(LIVENESS, () -> stopper.join());

            assertEquals(2, abandoned.get(), "queued goroutines abandoned\n" + describe(s));
            assertEquals("finished", running.join(), "the running goroutine finishes");
            CancellationException c = assertThrows(CancellationException.class, queued1::join);
            assertTrue(c.getMessage().contains("abandoned"), c.getMessage());
            assertThrows(CancellationException.class, queued2::join);
            assertEquals(0, queuedRan.get(), "abandoned goroutines never run");
            assertTrue(s.isTerminated());
        }
    }

    @Test
    void spawningAfterShutdownIsRejectedWithAHelpfulMessage() {
        try (Scheduler s = builder("rejected").procs(1).build()) {
            s.shutdown();
            RejectedExecutionException e = assertThrows(RejectedExecutionException.class, () -> s.go(() -> {}));
            assertTrue(e.getMessage().contains(s.name()) && e.getMessage().contains("shut down")
                    && e.getMessage().contains("new Scheduler"), e.getMessage());
            assertThrows(RejectedExecutionException.class, () -> s.submit(() -> 1));
            assertThrows(RejectedExecutionException.class, () -> s.go("named", () -> {}));
            awaitCondition(s, "an idle, shut-down scheduler to terminate", s::isTerminated);
        }
    }

    @Test
    void idleSchedulersCarriersAreParkedNotSpinning() {
        try (Scheduler s = builder("idle").procs(4).build()) {
            List<Task<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                tasks.add(s.submit(() -> {
                    TestSupport.cpuWork(1_000);
                    Gmp.yield();
                    return 1;
                }));
            }
            TestSupport.joinAll(s, tasks);
            awaitCondition(s, "every carrier parked, none spinning, every processor idle", () -> {
                SchedulerStats st = s.stats();
                return st.spinningCarriers() == 0 && st.idleProcs() == 4
                        && s.carrierStates().stream().allMatch(t -> t == Thread.State.WAITING || t == Thread.State.TIMED_WAITING);
            });
        }
    }

    @Test
    void freshSchedulerIsIdleWithAllCarriersAlive() {
        try (Scheduler s = builder("fresh").procs(3).build()) {
            awaitCondition(s, "a fresh scheduler to settle", () -> s.stats().idleProcs() == 3
                    && s.carrierStates().stream().allMatch(t -> t == Thread.State.WAITING));
            SchedulerStats st = s.stats();
            assertEquals(3, st.threads());
            assertEquals(0, st.liveGoroutines());
            assertFalse(s.isShutdown());
        }
    }
}
