package gmpj.core;

import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * One idle carrier waits for time (the timekeeper, {@link Timers}); the others wait for work. A
 * deadline must wake the timekeeper, not every idle carrier.
 */
class TimekeeperTest {

    /**
     * With a timer armed and every processor idle, one carrier waits with a deadline (the
     * timekeeper) and the others wait for work. Every carrier is first made to run at once (a
     * goroutine per processor, each spinning until all have started), so each of them goes idle
     * while an hour-long timer is armed; then their thread states are read. A carrier waiting
     * with a deadline is {@code TIMED_WAITING}, one waiting for work {@code WAITING} (only the
     * carriers holding a processor are read: a spare left by a hand-off waits for its keep-alive). When every
     * idle carrier parked until the earliest deadline (checked with {@link Timers#idleWait} made to
     * do that), all of them were {@code TIMED_WAITING}, and at that deadline all would wake.
     */
    @Test
    void withATimerArmedOneIdleCarrierWaitsForTimeTheOthersForWork() throws Exception {
        final int procs = 8;
        Scheduler s = builder("timekeeper-one").procs(procs).closeTimeout(Duration.ZERO).diagnostics(l -> {}).build();
        try {
            s.go(() -> Gmp.sleep(Duration.ofHours(1)));
            java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
            java.util.List<Task<Void>> all = new java.util.ArrayList<>();
            for (int i = 0; i < procs; i++) {
                all.add(s.submit(() -> {
                    started.incrementAndGet();
                    while (started.get() < procs) {
                        Thread.onSpinWait(); // holds this carrier until every carrier runs one of us
                    }
                }));
            }
            for (Task<Void> t : all) {
                join(s, t);
            }
            TestSupport.awaitCondition(s, "every processor idle, one timer armed",
                    () -> s.stats().idleProcs() == procs && s.stats().timers() == 1);
            // The carriers holding the processors (spares left by a hand-off wait for their keep-alive, timed too).
            java.util.function.Supplier<java.util.List<Thread.State>> holders = () -> java.util.Arrays.stream(s.ps)
                    .map(p -> p.m.getState()).toList();
            TestSupport.awaitCondition(s, "every carrier parked", () -> holders.get().stream()
                    .allMatch(st -> st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING));
            java.util.List<Thread.State> states = holders.get();
            long timed = states.stream().filter(st -> st == Thread.State.TIMED_WAITING).count();
            assertEquals(1, timed, "idle carriers waiting with a deadline: " + states + "\n" + describe(s));
        } finally {
            try {
                s.close();
            } catch (CloseTimeoutException expected) {
                // the hour-long sleeper is abandoned
            }
        }
    }

    /**
     * A timer armed earlier than the one the timekeeper waits for must wake the timekeeper, which
     * then waits for the new one. One goroutine sleeps an hour, and its carrier, idle, keeps time
     * for that hour, parked; meanwhile another goroutine, busy on the other carrier until then,
     * sleeps 1 ms, and its carrier goes idle without a deadline (someone keeps time). Only the
     * keeper's wake-up brings the 1 ms sleeper back; without it (checked with the wake-up in
     * {@link Timers#armed} removed) nothing wakes before the hour and the bounded join fails.
     */
    @Test
    void anEarlierTimerWakesTheTimekeeper() throws Exception {
        Scheduler s = builder("timekeeper-earlier").procs(2).closeTimeout(Duration.ZERO).build();
        try {
            s.go(() -> Gmp.sleep(Duration.ofHours(1)));
            Task<String> early = s.submit(() -> {
                M keeper;
                while ((keeper = s.timers.keeper()) == null || keeper.getState() != Thread.State.TIMED_WAITING) {
                    Thread.onSpinWait(); // keep this carrier busy until the other one keeps time for the hour, parked
                }
                Gmp.sleep(Duration.ofMillis(1));
                return "woke";
            });
            assertEquals("woke", early.join(TestSupport.LIVENESS), describe(s));
        } finally {
            try {
                s.close();
            } catch (CloseTimeoutException expected) {
                // the hour-long sleeper is abandoned
            }
        }
    }
}
