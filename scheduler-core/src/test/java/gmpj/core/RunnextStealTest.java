package gmpj.core;

import static gmpj.core.TestSupport.LIVENESS;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A thief leaves a busy processor's {@code runnext} goroutine alone while that processor is
 * switching goroutines (its owner will run it), and must still take it from a processor whose
 * goroutine keeps running: the readied goroutine would otherwise wait behind it.
 */
class RunnextStealTest {

    /**
     * Goroutine A unparks B (into A's runnext) and then computes until B has run, without
     * yielding. With two processors the other one's carrier must take B: A's processor mounts
     * nothing meanwhile, so the thief does not spare it. Sysmon only reports hogs here
     * ({@link HogPolicy#REPORT_ONLY}), so no hand-off rescues B: if the thief never took a
     * non-switching victim's runnext, A would spin until its bound and the test would fail.
     */
    @Test
    void aGoroutineReadiedBehindOneThatKeepsRunningIsTakenByTheIdleProcessor() {
        try (Scheduler s = builder("runnext-steal").procs(2).hogPolicy(HogPolicy.REPORT_ONLY).build()) {
            AtomicReference<Waiter> b = new AtomicReference<>();
            AtomicBoolean bRan = new AtomicBoolean();
            Task<Void> tb = s.submit(() -> {
                b.set(Parking.currentWaiter());
                while (!bRan.get()) {
                    Parking.park(WaitReason.PARK);
                    bRan.set(true);
                }
            });
            Task<Boolean> ta = s.submit(() -> {
                while (b.get() == null || !s.stats().perProc().stream().anyMatch(SchedulerStats.ProcStats::idle)) {
                    Gmp.yield(); // B has published its waiter and the other processor has gone idle
                }
                TestSupport.yieldUntil(() -> describeWaiting(s), "B parked");
                b.get().unpark(); // from goroutine code: B goes into this processor's runnext
                long deadline = System.nanoTime() + LIVENESS.toNanos();
                while (!bRan.get()) { // keep the processor: no yield, no park
                    if (System.nanoTime() - deadline > 0) {
                        return false;
                    }
                    Thread.onSpinWait();
                }
                return true;
            });
            assertTrue(join(s, ta), "B stayed in the runnext of a processor whose goroutine kept running, for "
                    + LIVENESS + ":\n" + TestSupport.describe(s));
            join(s, tb);
        }
    }

    /** Whether some goroutine of {@code s} is parked (B, waiting to be unparked). */
    private static boolean describeWaiting(Scheduler s) {
        return s.goroutines().stream().anyMatch(g -> g.state().equals("waiting"));
    }
}
