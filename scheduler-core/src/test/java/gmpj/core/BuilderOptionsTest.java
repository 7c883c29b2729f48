package gmpj.core;

import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Validation of the sysmon-related builder options, and pinCarriers never failing a scheduler. */
class BuilderOptionsTest {

    private static void rejected(String option, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(option), "message should name " + option + ": " + e.getMessage());
    }

    @Test
    void zeroOrNegativeTimeSliceIsRejected() {
        rejected("time slice", () -> Scheduler.builder().timeSlice(Duration.ZERO));
        rejected("time slice", () -> Scheduler.builder().timeSlice(Duration.ofMillis(-1)));
    }

    @Test
    void zeroOrNegativeSchedtraceIsRejected() {
        rejected("schedtrace", () -> Scheduler.builder().schedtrace(Duration.ZERO));
        rejected("schedtrace", () -> Scheduler.builder().schedtrace(Duration.ofMillis(-5)));
    }

    @Test
    void maxThreadsBelowOneIsRejected() {
        rejected("maxThreads", () -> Scheduler.builder().maxThreads(0));
        rejected("maxThreads", () -> Scheduler.builder().maxThreads(-1));
    }

    @Test
    void negativeDeadlockGraceIsRejectedButZeroIsAllowed() {
        rejected("deadlock grace", () -> Scheduler.builder().deadlockGrace(Duration.ofMillis(-1)));
        Scheduler.builder().deadlockGrace(Duration.ZERO);
    }

    @Test
    void pinCarriersBuildsAndRunsGoroutinesWhetherOrNotPinningWorks() {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler s = builder("pin").procs(2).pinCarriers(true).diagnostics(diag::add).build()) {
            assertEquals(42, join(s, s.submit(() -> 42)));
            assertTrue(diag.stream().allMatch(l -> l.contains("cannot pin carriers")), "unexpected diagnostics: " + diag);
        }
    }
}
