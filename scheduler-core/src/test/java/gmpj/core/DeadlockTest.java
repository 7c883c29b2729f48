package gmpj.core;

import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Sysmon's "all goroutines are asleep - deadlock!" and the three policies. */
class DeadlockTest {
    private static final String HEADLINE = "all goroutines are asleep - deadlock!";
    private static final Duration GRACE = Duration.ofMillis(100);

    /** Parks until released; its name must show up in the deadlock report's frames. */
    static Void receiveFromChannelNobodySendsOn(AtomicReference<Waiter> me, AtomicBoolean released) {
        me.set(Parking.currentWaiter());
        while (!released.get()) {
            Parking.park(WaitReason.CHAN_RECV);
        }
        return null;
    }

    private static void release(AtomicReference<Waiter> me, AtomicBoolean released) {
        released.set(true);
        me.get().unpark();
    }

    private static String report(Queue<String> diag) {
        return diag.stream().filter(l -> l.contains(HEADLINE)).findFirst().orElse(null);
    }

    @Test
    void goroutineParkedForeverIsReportedWithItsFramesAndWaitReason() {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler s = builder("deadlock-report").procs(1).deadlockGrace(GRACE).diagnostics(diag::add).build()) {
            AtomicReference<Waiter> me = new AtomicReference<>();
            AtomicBoolean released = new AtomicBoolean();
            Task<Void> stuck = s.submit("stuck", () -> receiveFromChannelNobodySendsOn(me, released));
            awaitCondition(s, "a deadlock report", () -> report(diag) != null);
            String r = report(diag);
            assertTrue(r.contains("receiveFromChannelNobodySendsOn"), r);
            assertTrue(r.contains("chan receive"), r);
            assertTrue(r.contains("\"stuck\""), r);
            assertTrue(s.stats().deadlocks() >= 1, describe(s));
            release(me, released);
            join(s, stuck);
        }
    }

    @Test
    void failJoinersMakesABlockedJoinThrowIllegalStateException() {
        try (Scheduler s = builder("deadlock-fail").procs(1).deadlockGrace(GRACE)
                .deadlockPolicy(DeadlockPolicy.FAIL_JOINERS).diagnostics(l -> {}).build()) {
            AtomicReference<Waiter> me = new AtomicReference<>();
            AtomicBoolean released = new AtomicBoolean();
            Task<Void> stuck = s.submit(() -> receiveFromChannelNobodySendsOn(me, released));
            IllegalStateException e = assertTimeoutPreemptively(TestSupport.LIVENESS,
                    () -> assertThrows(IllegalStateException.class, stuck::join), () -> describe(s) + "\n" + s.dump());
            assertTrue(e.getMessage().contains("deadlock"), e.getMessage());
            assertTrue(s.stats().deadlocks() >= 1, describe(s));
            awaitCondition(s, "waiter published", () -> me.get() != null);
            release(me, released);
            TestSupport.awaitNoLiveGoroutines(s);
        }
    }

    @Test
    void joinSucceedsOnceAnOutsiderBreaksTheDeadlock() {
        try (Scheduler s = builder("deadlock-broken").procs(1).deadlockGrace(GRACE)
                .deadlockPolicy(DeadlockPolicy.FAIL_JOINERS).diagnostics(l -> {}).build()) {
            AtomicReference<Waiter> me = new AtomicReference<>();
            AtomicBoolean released = new AtomicBoolean();
            Task<Void> stuck = s.submit(() -> receiveFromChannelNobodySendsOn(me, released));
            awaitCondition(s, "deadlock detected", () -> s.stats().deadlocks() >= 1 && me.get() != null);
            release(me, released); // the deadlock is over: the goroutine will finish
            join(s, stuck);
        }
    }

    @Test
    void ignorePolicyReportsNothing() {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler s = builder("deadlock-ignore").procs(1).deadlockGrace(GRACE)
                .deadlockPolicy(DeadlockPolicy.IGNORE).diagnostics(diag::add).build()) {
            AtomicReference<Waiter> me = new AtomicReference<>();
            AtomicBoolean released = new AtomicBoolean();
            Task<Void> stuck = s.submit(() -> receiveFromChannelNobodySendsOn(me, released));
            try {
                awaitCondition(s, "goroutine parked", () -> me.get() != null
                        && s.goroutines().stream().anyMatch(i -> "waiting".equals(i.state())));
                // No report while the goroutine has been asleep for 3x the grace, as the scheduler
                // itself reports its waiting time (an absence can only be checked for a while).
                awaitCondition(s, "goroutine asleep for 3x the grace", () -> s.goroutines().stream()
                        .anyMatch(i -> i.waiting() != null && i.waiting().compareTo(GRACE.multipliedBy(3)) >= 0));
                assertEquals(null, report(diag), "diagnostics: " + diag);
                assertEquals(0, s.stats().deadlocks(), describe(s));
            } finally {
                if (me.get() != null) {
                    release(me, released);
                }
            }
            join(s, stuck);
        }
    }

    @Test
    void ignorePolicyLetsSysmonSleepUntilWokenWhileEverythingIsAsleep() {
        // Driven by hand on a scheduler whose threads never start: one goroutine parked for good,
        // its processor idle. Under IGNORE nothing is ever reported, so sysmon must sleep until a
        // processor goes busy, not come straight back for a deadlock check it then skips (it spun
        // at 100 % of a core).
        Scheduler s = Scheduler.builder().procs(1).deadlockPolicy(DeadlockPolicy.IGNORE).buildUnstarted();
        s.go(() -> {});
        G g = s.global.poll();
        g.toRunning();
        assertTrue(g.commitPark(null), "the goroutine parks");
        assertTrue(s.idle.park(s.ps[0]), "the processor goes idle");
        assertTrue(s.deadlocks.stalled() != null, describe(s));
        assertEquals(Long.MAX_VALUE, s.sysmon.beginDeepSleep(System.nanoTime()), "sysmon sleeps until woken");
    }

    @Test
    void closeWithAParkedGoroutineLeftOverThrowsIllegalStateException() {
        Scheduler s = builder("deadlock-close").procs(1).deadlockGrace(GRACE).diagnostics(l -> {}).build();
        try (s) {
            AtomicReference<Waiter> me = new AtomicReference<>();
            AtomicBoolean released = new AtomicBoolean();
            s.submit(() -> receiveFromChannelNobodySendsOn(me, released));
            awaitCondition(s, "goroutine parked", () -> me.get() != null && s.goroutines().stream()
                    .anyMatch(i -> "waiting".equals(i.state())));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.close(Duration.ofMillis(200)));
            assertTrue(e.getMessage().contains("receiveFromChannelNobodySendsOn"), e.getMessage());
        }
    }
}
