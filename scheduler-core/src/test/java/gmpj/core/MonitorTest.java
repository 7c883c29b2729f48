package gmpj.core;

import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static gmpj.core.TestSupport.joinAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Goroutines and {@code synchronized}: a goroutine that parks while holding a monitor keeps its
 * carrier under {@code checkMonitors(true)}, and a carrier blocked entering a monitor loses its
 * processor. Without the check, the first two tests wedged the scheduler for good: the owner was
 * unmounted with the monitor locked and the others blocked every carrier on it.
 */
class MonitorTest {
    /** Close bound: a leftover goroutine fails in seconds, not {@link TestSupport#LIVENESS}. */
    private static final Duration CLOSE = Duration.ofSeconds(10);

    private static long pinnedParks(Scheduler s) {
        return s.stats().perProc().stream().mapToLong(SchedulerStats.ProcStats::pinnedParks).sum();
    }

    @Test
    void twoGoroutinesSleepingInsideSynchronizedOnOneProcessorBothFinish() {
        Object lock = new Object();
        try (Scheduler s = builder("monitor-two").procs(1).checkMonitors(true).closeTimeout(CLOSE)
                .diagnostics(l -> { }).build()) {
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                tasks.add(s.submit(() -> {
                    synchronized (lock) {
                        Gmp.sleep(Duration.ofMillis(20));
                    }
                }));
            }
            joinAll(s, tasks);
            // Each sleep kept its carrier: the first on its processor (a pinned park), the second
            // on a carrier whose processor had gone to another one meanwhile. None unmounted.
            assertTrue(pinnedParks(s) >= 1, describe(s));
            assertEquals(0, s.stats().parks(), describe(s));
        }
    }

    @Test
    void twoThousandGoroutinesSleepingInsideSynchronizedAllFinishWithinMaxThreads() {
        int n = 2_000;
        int maxThreads = 64;
        Object lock = new Object();
        AtomicInteger finished = new AtomicInteger();
        try (Scheduler s = builder("monitor-2000").procs(1).maxThreads(maxThreads).checkMonitors(true)
                .closeTimeout(CLOSE).diagnostics(l -> { }).build()) {
            for (int i = 0; i < n; i++) {
                s.go(() -> {
                    synchronized (lock) {
                        Gmp.sleep(Duration.ofMillis(1)); // each holds it in turn: 2,000 sleeps one after another
                    }
                    finished.incrementAndGet();
                });
            }
            awaitCondition(s, finished.get() + " of " + n + " finished", () -> finished.get() == n);
            assertTrue(s.carrierStates().size() <= maxThreads, describe(s));
            assertTrue(s.stats().threads() <= maxThreads, describe(s));
        }
    }

    @Test
    void mutualExclusionHoldsWhileGoroutinesParkAndYieldInsideSynchronized() throws InterruptedException {
        Object lock = new Object();
        synchronized (lock) {
            // Inflate the monitor first. A goroutine entering an inflated monitor is recorded as
            // owning it through its carrier thread: unmounted, it would let the next goroutine of
            // that carrier in, and could not release it from another carrier.
            lock.wait(1);
        }
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger maxHolders = new AtomicInteger();
        AtomicInteger entries = new AtomicInteger();
        try (Scheduler s = builder("monitor-exclusion").procs(2).checkMonitors(true).closeTimeout(CLOSE)
                .diagnostics(l -> { }).build()) {
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                tasks.add(s.submit(() -> {
                    for (int k = 0; k < 3; k++) {
                        synchronized (lock) {
                            entries.incrementAndGet();
                            maxHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
                            Gmp.yield();
                            Gmp.sleep(Duration.ofMillis(1));
                            holders.decrementAndGet();
                        }
                    }
                }));
            }
            joinAll(s, tasks);
            assertEquals(300, entries.get(), describe(s));
            assertEquals(1, maxHolders.get(), "goroutines inside the monitor at once\n" + describe(s));
        }
        synchronized (lock) {
            assertEquals(0, holders.get(), "the monitor was released: this thread got in");
        }
    }

    @Test
    void aGoroutineBlockedEnteringAMonitorLosesItsProcessorAndTheReportNamesTheOwner() throws InterruptedException {
        Object lock = new Object();
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread owner = new Thread(() -> {
            synchronized (lock) {
                locked.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "monitor-test-owner");
        owner.start();
        locked.await();
        try (Scheduler s = builder("monitor-blocked").procs(1).closeTimeout(CLOSE).diagnostics(diag::add).build()) {
            Task<Void> blocked = s.submit("enters-monitor", () -> {
                synchronized (lock) {
                    return null;
                }
            });
            awaitCondition(s, "the goroutine's carrier blocked on the monitor",
                    () -> s.carrierStates().contains(Thread.State.BLOCKED));
            assertEquals("ran", join(s, s.submit(() -> "ran")), "the processor went to another carrier\n" + describe(s));
            awaitCondition(s, "monitor report; diagnostics: " + diag, () -> diag.stream().anyMatch(
                    l -> l.contains("entering the monitor of java.lang.Object") && l.contains("monitor-test-owner")));
            assertTrue(s.stats().handoffs() >= 1, describe(s));
            release.countDown();
            join(s, blocked);
        } finally {
            release.countDown();
            owner.join();
        }
    }
}
