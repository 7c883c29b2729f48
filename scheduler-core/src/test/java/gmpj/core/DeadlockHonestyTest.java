package gmpj.core;

import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import jdk.internal.vm.Continuation;
import org.junit.jupiter.api.Test;

/**
 * The deadlock report tells the truth: what is still running, timed, or waiting on another
 * scheduler is not a deadlock, and a real one is still reported. Each false-report case runs under
 * {@link DeadlockPolicy#FAIL_JOINERS}, where a false report makes the join throw.
 */
class DeadlockHonestyTest {
    private static final String HEADLINE = "all goroutines are asleep - deadlock!";
    private static final String STALL = "is stalled, not deadlocked";
    private static final Duration GRACE = Duration.ofMillis(50);
    /** How long the waits that must not be mistaken for a deadlock last: many graces. */
    private static final long LONG_WAIT_NANOS = GRACE.multipliedBy(20).toNanos();
    private static final long CAP_NANOS = TestSupport.LIVENESS.toNanos();

    private static Scheduler.Builder failJoiners(String test, Queue<String> diag) {
        return builder(test).procs(1).deadlockGrace(GRACE).deadlockPolicy(DeadlockPolicy.FAIL_JOINERS)
                .diagnostics(diag::add);
    }

    private static boolean anyContains(Queue<String> lines, String text) {
        return lines.stream().anyMatch(l -> l.contains(text));
    }

    private static String report(Queue<String> diag) {
        return diag.stream().filter(l -> l.contains(HEADLINE)).findFirst().orElse(null);
    }

    @Test
    void aGoroutineRunningOnACarrierThatLostItsProcessorIsNotAsleep() {
        // The hog never yields; the goroutine queued behind it makes sysmon hand the only
        // processor to a new carrier, which runs it and goes idle. The hog runs on, without a
        // processor, for many graces: every processor is idle and no timer is armed, yet the hog is
        // about to finish.
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler s = failJoiners("honest-off-processor", diag).build()) {
            AtomicBoolean started = new AtomicBoolean();
            Task<String> hog = s.submit("hog", () -> {
                started.set(true);
                long cap = System.nanoTime() + CAP_NANOS;
                while (!(s.stats().handoffs() >= 1 && s.stats().idleProcs() == 1) && System.nanoTime() - cap < 0) {
                    Thread.onSpinWait(); // no checkpoint, no yield
                }
                long end = System.nanoTime() + LONG_WAIT_NANOS;
                while (System.nanoTime() - end < 0) {
                    Thread.onSpinWait(); // still none, now without a processor
                }
                return "finished";
            });
            awaitCondition(s, "hog started", started::get);
            join(s, s.submit(() -> null)); // runs on the carrier that took the processor over
            assertEquals("finished", join(s, hog), "diagnostics: " + diag);
            assertTrue(s.stats().handoffs() >= 1, describe(s));
            assertEquals(0, s.stats().deadlocks(), "diagnostics: " + diag);
            assertEquals(null, report(diag));
        }
    }

    @Test
    void aTimedPinnedParkIsNotAsleep() {
        // The park cannot unmount (pinned), so it blocks its carrier with a deadline and arms no
        // timer in any heap; sysmon hands the processor to another carrier, which goes idle.
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler s = failJoiners("honest-timed-pinned", diag).build()) {
            Task<String> pinned = s.submit("pinned", () -> {
                Continuation.pin();
                try {
                    long deadline = Parking.deadlineAfterNanos(LONG_WAIT_NANOS);
                    while (Parking.parkUntil(WaitReason.PARK, deadline)) {
                        // spurious wake-up: park again until the deadline
                    }
                } finally {
                    Continuation.unpin();
                }
                return "woke at its deadline";
            });
            assertEquals("woke at its deadline", join(s, pinned), "diagnostics: " + diag);
            long pinnedParks = s.stats().perProc().stream().mapToLong(SchedulerStats.ProcStats::pinnedParks).sum();
            assertTrue(pinnedParks >= 1, describe(s));
            assertTrue(s.stats().handoffs() >= 1, "the processor left the blocked carrier\n" + describe(s));
            assertEquals(0, s.stats().deadlocks(), "diagnostics: " + diag);
            assertEquals(null, report(diag));
        }
    }

    @Test
    void anUntimedPinnedParkNobodyUnparksIsADeadlock() {
        // A park without a deadline ends only by an unpark, pinned or not: it is asleep.
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler s = builder("honest-untimed-pinned").procs(1).deadlockGrace(GRACE).diagnostics(diag::add).build()) {
            AtomicReference<Waiter> me = new AtomicReference<>();
            AtomicBoolean released = new AtomicBoolean();
            Task<String> pinned = s.submit("pinned", () -> TestSupport.parkPinnedUntil(me, released));
            awaitCondition(s, "a deadlock report; diagnostics: " + diag, () -> report(diag) != null);
            assertTrue(report(diag).contains("1 goroutine(s) parked"), report(diag));
            released.set(true);
            me.get().unpark();
            assertEquals("unparked", join(s, pinned));
        }
    }

    @Test
    void joiningATaskOfAnotherActiveSchedulerIsNotADeadlock() {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler b = builder("honest-join-b").procs(1).build();
                Scheduler a = failJoiners("honest-join-a", diag).build()) {
            Task<Integer> slow = b.submit("slow", () -> {
                Gmp.sleep(Duration.ofNanos(LONG_WAIT_NANOS));
                return 42;
            });
            Task<Integer> joiner = a.submit("joiner", () -> slow.join() + 1);
            assertEquals(43, join(a, joiner), "diagnostics: " + diag);
            assertEquals(0, a.stats().deadlocks(), "diagnostics: " + diag);
            assertEquals(null, report(diag));
            assertFalse(anyContains(diag, STALL), "a join of another scheduler's task is that scheduler's: " + diag);
        }
    }

    @Test
    void aParkAnotherActiveSchedulerMayEndIsReportedAsAStallAndFailsNoJoin() {
        // gmpj cannot know who will release a park; while another scheduler is active, it says so
        // once, honestly, and the joiner keeps waiting until the other scheduler's goroutine
        // releases the park (only after it has seen the stall reported).
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler b = builder("honest-park-b").procs(1).build();
                Scheduler a = failJoiners("honest-park-a", diag).build()) {
            AtomicReference<Waiter> me = new AtomicReference<>();
            AtomicBoolean released = new AtomicBoolean();
            Task<Void> parked = a.submit("parked", () -> DeadlockTest.receiveFromChannelNobodySendsOn(me, released));
            Task<Void> releaser = b.submit("releaser", () -> {
                long cap = System.nanoTime() + CAP_NANOS;
                while (!anyContains(diag, STALL) && !anyContains(diag, HEADLINE) && System.nanoTime() - cap < 0) {
                    Gmp.sleep(Duration.ofMillis(1)); // a timer armed: this scheduler is active
                }
                while (me.get() == null && System.nanoTime() - cap < 0) {
                    Gmp.sleep(Duration.ofMillis(1));
                }
                released.set(true);
                me.get().unpark();
                return null;
            });
            join(a, parked);
            join(b, releaser);
            String stall = diag.stream().filter(l -> l.contains(STALL)).findFirst().orElseThrow();
            assertTrue(stall.contains("1 of the 1 wait on primitives that other threads or schedulers may still wake"), stall);
            assertTrue(stall.contains(b.name()), stall);
            assertTrue(stall.contains("receiveFromChannelNobodySendsOn"), stall);
            assertEquals(0, a.stats().deadlocks(), "diagnostics: " + diag);
            assertEquals(null, report(diag));
        }
    }

    @Test
    void aJoinAcrossTwoStalledSchedulersIsStillADeadlock() {
        Queue<String> diagA = new ConcurrentLinkedQueue<>();
        Queue<String> diagB = new ConcurrentLinkedQueue<>();
        try (Scheduler b = builder("honest-both-b").procs(1).deadlockGrace(GRACE).diagnostics(diagB::add).build();
                Scheduler a = builder("honest-both-a").procs(1).deadlockGrace(GRACE).diagnostics(diagA::add).build()) {
            AtomicReference<Waiter> me = new AtomicReference<>();
            AtomicBoolean released = new AtomicBoolean();
            Task<Void> stuck = b.submit("stuck", () -> DeadlockTest.receiveFromChannelNobodySendsOn(me, released));
            Task<Void> joiner = a.submit("joiner", () -> stuck.join());
            awaitCondition(a, "a deadlock report from A; diagnostics: " + diagA, () -> report(diagA) != null);
            awaitCondition(b, "a deadlock report from B; diagnostics: " + diagB, () -> report(diagB) != null);
            String ra = report(diagA);
            assertTrue(ra.contains("1 of them join(s) a task of another scheduler"), ra);
            String rb = report(diagB);
            assertTrue(rb.contains("1 of them wait(s) on primitives (channels, locks, parks) that a thread outside gmpj may "
                    + "still release"), rb);
            released.set(true);
            me.get().unpark();
            join(b, stuck);
            join(a, joiner);
        }
    }
}
