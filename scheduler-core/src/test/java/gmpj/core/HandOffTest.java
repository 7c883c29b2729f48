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
import org.junit.jupiter.api.Test;

/** Sysmon takes the processor from a carrier stuck in a goroutine or a blocking call (procs=1). */
class HandOffTest {
    /** Close bound: a leftover goroutine (or a missed termination) fails in seconds, not LIVENESS. */
    private static final Duration CLOSE = Duration.ofSeconds(10);
    private static final long CAP_NANOS = TestSupport.LIVENESS.toNanos();

    private static boolean anyContains(Queue<String> lines, String text) {
        return lines.stream().anyMatch(l -> l.contains(text));
    }

    @Test
    void goroutineSpinningWithoutCheckpointsLosesItsProcessorToTheNextGoroutine() {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler s = builder("handoff-hog").procs(1).closeTimeout(CLOSE).diagnostics(diag::add).build()) {
            AtomicBoolean started = new AtomicBoolean();
            AtomicBoolean flag = new AtomicBoolean();
            Task<Boolean> hog = s.submit("hog", () -> {
                started.set(true);
                long end = System.nanoTime() + CAP_NANOS;
                while (!flag.get() && System.nanoTime() - end < 0) {
                    // no checkpoint, no yield
                }
                return flag.get();
            });
            awaitCondition(s, "hog started", started::get);
            Task<Void> other = s.submit(() -> {
                flag.set(true);
                return null;
            });
            join(s, other);
            assertTrue(join(s, hog), "the hog stopped because the other goroutine ran\n" + describe(s));
            assertTrue(s.stats().handoffs() >= 1, describe(s));
            // Sysmon reports the hog just after handing its processor off: the other goroutine may finish first.
            awaitCondition(s, "hog counted", () -> s.stats().hogs() >= 1);
            awaitCondition(s, "hog reported; diagnostics: " + diag, () -> anyContains(diag, "without yielding"));
        }
    }

    @Test
    void aTimedParkOnACarrierThatLostItsProcessorWakesAnIdleCarrierForItsTimer() {
        // The hog loses its processor to a new carrier, which runs the other goroutine and goes
        // idle with no timer armed. Only then does the hog sleep 1 ms, on its processor-less
        // carrier: its timer goes into the processor's heap, and the idle carrier must be woken to
        // fire it. Before the fix nobody woke it, and the hog slept forever (jcstress caught this
        // as goroutines lost under CPU starvation, when sysmon hands processors off often).
        try (Scheduler s = builder("handoff-timer").procs(1).closeTimeout(CLOSE).diagnostics(l -> { }).build()) {
            AtomicBoolean started = new AtomicBoolean();
            AtomicBoolean flag = new AtomicBoolean();
            Task<Boolean> hog = s.submit("hog", () -> {
                started.set(true);
                long end = System.nanoTime() + CAP_NANOS;
                while (!flag.get() && System.nanoTime() - end < 0) {
                    // no checkpoint, no yield: sysmon hands the processor to another carrier
                }
                while (!(s.stats().idleProcs() == 1 && s.carrierStates().contains(Thread.State.WAITING))
                        && System.nanoTime() - end < 0) {
                    Thread.onSpinWait(); // until the new carrier is parked idle, no timer armed
                }
                Gmp.sleep(Duration.ofMillis(1));
                return flag.get();
            });
            awaitCondition(s, "hog started", started::get);
            join(s, s.submit(() -> {
                flag.set(true);
                return null;
            }));
            assertTrue(TestSupport.join(s, hog), "the hog woke from its sleep\n" + describe(s));
            assertTrue(s.stats().handoffs() >= 1, describe(s));
        }
    }

    @Test
    void goroutineInsideGmpBlockingLosesItsProcessorAndItsResultArrivesViaJoin() throws Exception {
        try (Scheduler s = builder("handoff-blocking").procs(1).closeTimeout(CLOSE).build()) {
            AtomicBoolean started = new AtomicBoolean();
            AtomicBoolean flag = new AtomicBoolean();
            Task<String> blocker = s.submit(() -> Gmp.blocking(() -> {
                started.set(true);
                long end = System.nanoTime() + CAP_NANOS;
                while (!flag.get() && System.nanoTime() - end < 0) {
                    Thread.sleep(1); // the blocking call under test, inside Gmp.blocking; ends when the flag is set
                }
                return flag.get() ? "released" : "gave up";
            }));
            awaitCondition(s, "blocking call started", started::get);
            Task<Void> other = s.submit(() -> {
                flag.set(true);
                return null;
            });
            join(s, other);
            assertEquals("released", join(s, blocker), describe(s));
            assertTrue(s.stats().handoffs() >= 1, describe(s));
        }
    }

    @Test
    void goroutineSleepingInThreadSleepUnmanagedLosesItsProcessor() {
        try (Scheduler s = builder("handoff-unmanaged").procs(1).closeTimeout(CLOSE).build()) {
            AtomicBoolean started = new AtomicBoolean();
            AtomicBoolean flag = new AtomicBoolean();
            Task<Boolean> sleeper = s.submit(() -> {
                started.set(true);
                long end = System.nanoTime() + CAP_NANOS;
                while (!flag.get() && System.nanoTime() - end < 0) {
                    Thread.sleep(1); // blocks the carrier; gmpj cannot see it
                }
                return flag.get();
            });
            awaitCondition(s, "sleeper started", started::get);
            Task<Void> other = s.submit(() -> {
                flag.set(true);
                return null;
            });
            join(s, other);
            assertTrue(join(s, sleeper), describe(s));
            assertTrue(s.stats().handoffs() >= 1, describe(s));
        }
    }

    @Test
    void withMaxThreadsOneTheHogKeepsItsProcessorAndTheLimitIsReported() {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler s = builder("handoff-maxthreads").procs(1).closeTimeout(CLOSE).maxThreads(1).diagnostics(diag::add).build()) {
            AtomicBoolean started = new AtomicBoolean();
            AtomicBoolean flag = new AtomicBoolean();
            Task<Boolean> hog = s.submit("hog", () -> {
                started.set(true);
                long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                // Stops by itself: once the limit is reported (or after 10 s at worst).
                while (!flag.get() && !anyContains(diag, "maxThreads") && System.nanoTime() - end < 0) {
                    // no checkpoint
                }
                return flag.get();
            });
            awaitCondition(s, "hog started", started::get);
            Task<Void> other = s.submit(() -> {
                flag.set(true);
                return null;
            });
            assertFalse(join(s, hog), "the other goroutine ran while the hog held the only carrier\n" + describe(s));
            join(s, other);
            assertTrue(anyContains(diag, "maxThreads"), "diagnostics: " + diag + "\n" + describe(s));
            assertEquals(0, s.stats().handoffs(), describe(s));
            assertEquals(1, s.stats().threads(), describe(s));
        }
    }
}
