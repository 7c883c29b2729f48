package gmpj.core;

import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gmpj.core.Sysmon.Stall;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * Goroutines that never yield: how sysmon judges them ({@link Sysmon#judge}, with made-up clock
 * values), what each {@link HogPolicy} does about them, what the report shows, and a due timer
 * counted as waiting work.
 */
class HogTest {
    /** Close bound: a leftover goroutine (or a missed termination) fails in seconds, not LIVENESS. */
    private static final Duration CLOSE = Duration.ofSeconds(10);
    /** How long a test's spinning goroutine spins at most: less than the join bound, so that it fails by its result. */
    private static final long SPIN_CAP_NANOS = Duration.ofSeconds(20).toNanos();
    private static final long MS = 1_000_000;
    private static final long SLICE = 10 * MS;
    private static final Thread.State RUNNABLE = Thread.State.RUNNABLE;
    /** For verdicts that must not depend on CPU time: reading it would be a wasted system call. */
    private static final LongSupplier NOT_READ = () -> fail("CPU time read although the verdict does not depend on it");

    private static boolean anyContains(Queue<String> lines, String text) {
        return lines.stream().anyMatch(l -> l.contains(text));
    }

    private static String find(Queue<String> lines, String text) {
        return lines.stream().filter(l -> l.contains(text)).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------ the decision, with injected clocks

    @Test
    void aGoroutineWhoseCarrierTheOsDidNotRunIsNotAHogHoweverLongItLooksStuck() {
        // A goroutine that parks all the time, on a CPU-starved machine: its carrier was descheduled
        // in the middle of one short run, so the processor shows no progress for 300 ms, but the
        // carrier used 50 µs of CPU meanwhile. Wall time alone called this a 300 ms hog.
        assertEquals(Stall.STALLED, Sysmon.judge(RUNNABLE, 300 * MS, 30, true, false, SLICE, 290 * MS, () -> 50_000));
        // Off the CPUs for 15 ms is no verdict yet: a busy machine does that to computing threads too.
        assertEquals(Stall.NONE, Sysmon.judge(RUNNABLE, 25 * MS, 5, true, false, SLICE, 15 * MS, () -> 50_000));
        // A goroutine blocked in native code (socket I/O without Gmp.blocking) looks the same.
        assertEquals(Stall.STALLED, Sysmon.judge(RUNNABLE, 110 * MS, 12, true, false, SLICE, 100 * MS, () -> 0));
    }

    @Test
    void aGoroutineWhoseCarrierComputedIsAHogEvenWithOnlyAShareOfACpu() {
        assertEquals(Stall.HOG, Sysmon.judge(RUNNABLE, 20 * MS, 3, true, false, SLICE, 10 * MS, () -> 10 * MS));
        // A busy machine gave the carrier a tenth of a CPU: not stalled, not a hog yet after 30 ms...
        assertEquals(Stall.NONE, Sysmon.judge(RUNNABLE, 40 * MS, 6, true, false, SLICE, 30 * MS, () -> 3 * MS));
        // ...and a hog once it has computed for half a time slice, 50 ms after the first reading.
        assertEquals(Stall.HOG, Sysmon.judge(RUNNABLE, 60 * MS, 9, true, false, SLICE, 50 * MS, () -> 5 * MS));
    }

    @Test
    void aGoroutineThatComputedLessThanTwoSlicesIsNotAHogWhenABusyMachineStretchedItsRun() {
        // A task of 17 ms of CPU time on carriers getting two thirds of a CPU each: stuck for 22 ms,
        // 8 ms of CPU time in the 12 ms since the first reading, about 15 ms computed in all. It
        // ends before it has computed two slices; handing its processor off only adds a thread.
        assertEquals(Stall.NONE, Sysmon.judge(RUNNABLE, 22 * MS, 5, true, true, SLICE, 12 * MS, () -> 8 * MS));
        assertEquals(Stall.NONE, Sysmon.judge(RUNNABLE, 25 * MS, 6, true, true, SLICE, 15 * MS, () -> 10 * MS));
        // Given half a CPU, a goroutine that really computes is a hog once it has computed two slices...
        assertEquals(Stall.HOG, Sysmon.judge(RUNNABLE, 40 * MS, 8, true, true, SLICE, 30 * MS, () -> 15 * MS));
        // ...and given a fifth, once it has been stuck four slices, not ten.
        assertEquals(Stall.NONE, Sysmon.judge(RUNNABLE, 35 * MS, 7, true, true, SLICE, 25 * MS, () -> 5 * MS));
        assertEquals(Stall.HOG, Sysmon.judge(RUNNABLE, 40 * MS, 8, true, true, SLICE, 30 * MS, () -> 6 * MS));
    }

    @Test
    void withoutThreadCpuTimeWallTimeAloneDecides() {
        assertEquals(Stall.HOG, Sysmon.judge(RUNNABLE, 20 * MS, 3, true, false, SLICE, 10 * MS, () -> -1));
    }

    @Test
    void nothingIsAHogBeforeTwoTimeSlicesOrThreeRoundsOrWhileNobodyWaits() {
        assertEquals(Stall.NONE, Sysmon.judge(RUNNABLE, 19 * MS, 9, true, false, SLICE, 9 * MS, NOT_READ));
        assertEquals(Stall.NONE, Sysmon.judge(RUNNABLE, 50 * MS, 2, true, false, SLICE, 40 * MS, NOT_READ));
        assertEquals(Stall.NONE, Sysmon.judge(RUNNABLE, 50 * MS, 9, false, true, SLICE, 40 * MS, NOT_READ));
        // Not yet watched long enough to have used half a slice of CPU time: no reading yet.
        assertEquals(Stall.NONE, Sysmon.judge(RUNNABLE, 20 * MS, 3, true, false, SLICE, 4 * MS, NOT_READ));
        assertEquals(Stall.NONE, Sysmon.judge(RUNNABLE, 20 * MS, 3, true, false, SLICE, -1, NOT_READ));
    }

    @Test
    void aHugeTimeSliceCannotOverflowTheTest() {
        long slice = Long.MAX_VALUE / 2 + 1;
        assertEquals(Stall.NONE, Sysmon.judge(RUNNABLE, Long.MAX_VALUE / 2, 100, true, false, slice, 1, NOT_READ));
    }

    @Test
    void aParkedOrSleepingCarrierIsABlockedCallAndOneBlockedOnAMonitorGoesAtOnce() {
        assertEquals(Stall.BLOCKED, Sysmon.judge(Thread.State.TIMED_WAITING, 20 * MS, 3, true, false, SLICE, 10 * MS, NOT_READ));
        assertEquals(Stall.BLOCKED, Sysmon.judge(Thread.State.WAITING, 20 * MS, 3, true, false, SLICE, 10 * MS, NOT_READ));
        // A carrier entering a monitor is a blocking call: Go's 20 µs rule, not two time slices.
        assertEquals(Stall.MONITOR, Sysmon.judge(Thread.State.BLOCKED, 30_000, 1, true, false, SLICE, -1, NOT_READ));
        assertEquals(Stall.NONE, Sysmon.judge(Thread.State.BLOCKED, 10_000, 1, true, false, SLICE, -1, NOT_READ));
        assertEquals(Stall.NONE, Sysmon.judge(Thread.State.BLOCKED, 30_000, 1, false, false, SLICE, -1, NOT_READ));
        assertEquals(Stall.MONITOR, Sysmon.judge(Thread.State.BLOCKED, 30_000, 1, false, true, SLICE, -1, NOT_READ));
        assertEquals(Stall.MONITOR, Sysmon.judge(Thread.State.BLOCKED, 10 * MS, 1, false, false, SLICE, -1, NOT_READ));
    }

    @Test
    void sysmonBacksOffToHalfASliceAtMostAndStartsOverAfterABlockedCarrier() {
        long min = 20_000;
        assertEquals(min, Sysmon.nextDelay(5 * MS, 0, SLICE), "a hand-off of a blocked carrier: 20 µs rounds again");
        assertEquals(min, Sysmon.nextDelay(min, 50, SLICE), "50 rounds before the back-off");
        assertEquals(2 * min, Sysmon.nextDelay(min, 51, SLICE));
        assertEquals(5 * MS, Sysmon.nextDelay(4 * MS, 70, SLICE), "half a slice at most");
        assertEquals(10 * MS, Sysmon.nextDelay(8 * MS, 70, Duration.ofSeconds(100).toNanos()), "10 ms at most");
        assertEquals(min, Sysmon.nextDelay(min, 70, 10_000), "never below 20 µs");
    }

    /**
     * Every goroutine that runs past its time slice gets a preempt request; under CPU-bound work
     * that is one every slice. Each used to bring back sysmon's 50 rounds of 20 µs, so it woke
     * thousands of times a second on a busy CPU (a few per cent of a two-core machine's time).
     * With Go's rule a preempt request is not activity: sysmon stays at its back-off, a few rounds
     * per slice.
     */
    @Test
    void preemptRequestsDoNotKeepSysmonPollingEvery20Microseconds() {
        try (Scheduler s = builder("preempt-backoff").procs(1).closeTimeout(CLOSE).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            Task<Void> worker = s.submit(() -> {
                long end = System.nanoTime() + SPIN_CAP_NANOS;
                while (!stop.get() && System.nanoTime() - end < 0) {
                    TestSupport.cpuWork(1_000);
                    Gmp.checkpoint(); // yields at each preempt request, and the next slice begins
                }
                return null;
            });
            awaitCondition(s, "a few preempt requests, past sysmon's start", () -> s.stats().preemptRequests() >= 5);
            SchedulerStats before = s.stats();
            long from = before.preemptRequests();
            awaitCondition(s, "20 more preempt requests", () -> s.stats().preemptRequests() >= from + 20);
            SchedulerStats after = s.stats();
            stop.set(true);
            join(s, worker);
            long requests = after.preemptRequests() - before.preemptRequests();
            long rounds = after.sysmonRounds() - before.sysmonRounds();
            // Rounds at least half a slice apart; a request a slice after sysmon saw the new slice
            // begin, itself up to a round late: at most four rounds per request (a slow round only
            // lowers it). 20 µs rounds made it over 50.
            assertTrue(rounds <= 5 * requests + 20, rounds + " sysmon rounds for " + requests + " preempt requests\n"
                    + describe(s));
        }
    }

    /**
     * A hog's hand-off is CPU-bound work going on, not a blocking call that others may follow:
     * like a preempt request, it must not bring back sysmon's 20 µs rounds. A chain of hogs, each
     * spawning the next (queued behind it, so its processor is handed off after two slices) keeps
     * the processor busy throughout, so sysmon never sleeps deeply and starts over.
     */
    @Test
    void hogHandOffsDoNotKeepSysmonPollingEvery20Microseconds() {
        int chain = 10;
        try (Scheduler s = builder("hog-backoff").procs(1).closeTimeout(CLOSE).diagnostics(l -> { }).build()) {
            SchedulerStats[] window = new SchedulerStats[2];
            long[] at = new long[2];
            Task<Void> first = s.submit(() -> {
                hogLink(s, 1, chain, window, at);
                return null;
            });
            join(s, first);
            awaitCondition(s, "the whole chain ran", () -> s.stats().exits() >= chain);
            long handoffs = window[1].handoffs() - window[0].handoffs();
            long rounds = window[1].sysmonRounds() - window[0].sysmonRounds();
            long slices = (at[1] - at[0]) / SLICE;
            assertTrue(handoffs >= chain - 2, handoffs + " hand-offs\n" + describe(s));
            // Rounds at least half a slice apart: two per slice (a slow round only lowers it). With
            // 50 rounds of 20 µs after each hand-off it was over 50 per hand-off.
            assertTrue(rounds <= 3 * slices + 20, rounds + " sysmon rounds in " + slices + " slices with " + handoffs
                    + " hand-offs\n" + describe(s));
        }
    }

    /**
     * Hog {@code k} of {@code chain}: spawns hog {@code k + 1} (it waits behind this one) and spins
     * until the processor has been handed off {@code k} times. Hog 2 and the last one note the
     * stats and the time, for the window the test looks at.
     */
    private static void hogLink(Scheduler s, int k, int chain, SchedulerStats[] window, long[] at) {
        if (k == 2 || k == chain) {
            int i = k == 2 ? 0 : 1;
            at[i] = System.nanoTime();
            window[i] = s.stats();
        }
        if (k == chain) {
            return;
        }
        s.go(() -> hogLink(s, k + 1, chain, window, at));
        long end = System.nanoTime() + SPIN_CAP_NANOS;
        while (s.stats().handoffs() < k && System.nanoTime() - end < 0) {
            // no checkpoint, no yield
        }
    }

    @Test
    void aHogsHandOffIsCountedWithTheCarrierStartedForIt() {
        try (Scheduler s = builder("hog-carrier-count").procs(1).closeTimeout(CLOSE).diagnostics(l -> { }).build()) {
            assertEquals(1, s.stats().carriersStarted(), describe(s));
            AtomicBoolean started = new AtomicBoolean();
            Task<Void> hog = s.submit("hog", () -> {
                started.set(true);
                spinUntilHandedOff(s);
                return null;
            });
            awaitCondition(s, "hog started", started::get);
            assertEquals("ran", join(s, s.submit(() -> "ran")), describe(s));
            join(s, hog);
            SchedulerStats st = s.stats();
            assertEquals(1, st.handoffs(), describe(s));
            assertEquals(2, st.carriersStarted(), "the first carrier and the one the hand-off started\n" + describe(s));
        }
    }

    @Test
    void aTimerIsDueAtItsDeadlineAndNeverWhenThereIsNone() {
        assertTrue(Sysmon.timerDue(100, 100));
        assertTrue(Sysmon.timerDue(Long.MIN_VALUE + 5, Long.MIN_VALUE + 6)); // nanoTime may be negative
        assertFalse(Sysmon.timerDue(101, 100));
        assertFalse(Sysmon.timerDue(Long.MAX_VALUE, Long.MIN_VALUE + 6));
    }

    // ------------------------------------------------------------------ the policies, on a real scheduler

    /**
     * The hog's own frame, for the report to show: spins until its processor has been handed off,
     * then returns at once. Its carrier then waits as a spare, so a stack sampled after the
     * hand-off shows the carrier's wait ({@code M.awaitHandOff}) instead of this method.
     */
    private static void spinUntilHandedOff(Scheduler s) {
        long end = System.nanoTime() + SPIN_CAP_NANOS;
        while (s.stats().handoffs() == 0 && System.nanoTime() - end < 0) {
            // no checkpoint, no yield
        }
    }

    @Test
    void theHogReportShowsTheGoroutinesOwnFramesSampledBeforeTheHandOff() {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler s = builder("hog-frames").procs(1).closeTimeout(CLOSE).diagnostics(diag::add).build()) {
            AtomicBoolean started = new AtomicBoolean();
            Task<Void> hog = s.submit("hog", () -> {
                started.set(true);
                spinUntilHandedOff(s);
                return null;
            });
            awaitCondition(s, "hog started", started::get);
            assertEquals("ran", join(s, s.submit(() -> "ran")), describe(s));
            join(s, hog);
            awaitCondition(s, "hog reported; diagnostics: " + diag, () -> anyContains(diag, "without yielding"));
            String report = find(diag, "without yielding");
            assertTrue(report.contains("spinUntilHandedOff"), report);
            assertFalse(report.contains("awaitHandOff"), report);
            assertTrue(report.contains("HAND_OFF"), report);
            assertTrue(s.stats().hogs() >= 1, describe(s));
        }
    }

    @Test
    void underHandOffTheStatsCountTheHogRunningBesideTheProcessorsGoroutine() {
        try (Scheduler s = builder("hog-extra").procs(1).closeTimeout(CLOSE).diagnostics(l -> { }).build()) {
            AtomicBoolean started = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean otherRuns = new AtomicBoolean();
            Task<Void> hog = s.submit("hog", () -> {
                started.set(true);
                long end = System.nanoTime() + SPIN_CAP_NANOS;
                while (!stop.get() && System.nanoTime() - end < 0) {
                    // no checkpoint, no yield
                }
                return null;
            });
            awaitCondition(s, "hog started", started::get);
            Task<Void> other = s.submit(() -> {
                otherRuns.set(true);
                TestSupport.yieldUntil(stop::get, "the test to end"); // keeps the processor busy too
                return null;
            });
            awaitCondition(s, "the hog counted as running beside the processor's goroutine",
                    () -> otherRuns.get() && s.stats().extraRunning() == 1);
            assertTrue(s.stats().traceLine().contains("extra=1"), describe(s));
            stop.set(true);
            join(s, hog);
            join(s, other);
            awaitCondition(s, "nothing extra once both finished", () -> s.stats().extraRunning() == 0);
        }
    }

    @Test
    void underReportOnlyTheHogKeepsItsProcessorAndNothingRunsBesideIt() {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        try (Scheduler s = builder("hog-report-only").procs(1).hogPolicy(HogPolicy.REPORT_ONLY).closeTimeout(CLOSE)
                .diagnostics(diag::add).build()) {
            AtomicBoolean started = new AtomicBoolean();
            Task<Boolean> hog = s.submit("hog", () -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                started.set(true);
                long end = System.nanoTime() + SPIN_CAP_NANOS;
                while (!anyContains(diag, "without yielding") && System.nanoTime() - end < 0) {
                    // no checkpoint, no yield: runs until sysmon has reported it
                }
                running.decrementAndGet();
                return anyContains(diag, "without yielding");
            });
            awaitCondition(s, "hog started", started::get);
            Task<Void> other = s.submit(() -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                running.decrementAndGet();
                return null;
            });
            assertTrue(join(s, hog), "the hog was reported while it kept its processor; diagnostics: " + diag + "\n" + describe(s));
            join(s, other);
            assertEquals(1, maxRunning.get(), "goroutines running at once on procs(1)\n" + describe(s));
            assertEquals(0, s.stats().handoffs(), describe(s));
            assertEquals(1, s.stats().hogs(), "counted once\n" + describe(s));
            assertEquals(1, s.stats().threads(), describe(s));
            assertTrue(find(diag, "without yielding").contains("REPORT_ONLY"), diag.toString());
        }
    }

    @Test
    void aDueTimerBehindAGoroutineThatNeverYieldsGetsTheProcessor() {
        try (Scheduler s = builder("hog-due-timer").procs(1).closeTimeout(CLOSE).diagnostics(l -> { }).build()) {
            CountDownLatch slept = new CountDownLatch(1);
            Task<Void> sleeper = s.submit(() -> {
                Gmp.sleep(Duration.ofMillis(50));
                slept.countDown();
                return null;
            });
            awaitCondition(s, "the sleeper parked on its timer", () -> s.stats().timers() == 1);
            // Nothing is queued behind the spinner: only the sleeper's timer, due in 50 ms, waits.
            Task<Boolean> spinner = s.submit(() -> {
                long end = System.nanoTime() + SPIN_CAP_NANOS;
                while (slept.getCount() != 0 && System.nanoTime() - end < 0) {
                    // no checkpoint, no yield
                }
                return slept.getCount() == 0;
            });
            assertTrue(join(s, spinner), "the sleeper woke while the spinner held the only carrier\n" + describe(s));
            join(s, sleeper);
            assertTrue(s.stats().handoffs() >= 1, describe(s));
        }
    }
}
