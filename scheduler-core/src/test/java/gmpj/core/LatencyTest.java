package gmpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/**
 * The schedule-latency and run-slice histograms ({@link Scheduler#recordLatency}): every mount
 * counts once in each while recording is on, nothing counts while it is off. Counts only, never
 * durations: the values depend on the machine.
 */
class LatencyTest {
    private static final int GOROUTINES = 40;
    private static final int YIELDS = 3;

    /**
     * Runs {@link #GOROUTINES} goroutines that each sleep (a timer wakes them), yield
     * {@link #YIELDS} times, then park until this thread unparks them: every way of becoming
     * runnable but the network poller. Returns once all have finished.
     */
    private static void workload(Scheduler s) {
        AtomicReferenceArray<Waiter> parked = new AtomicReferenceArray<>(GOROUTINES);
        AtomicBoolean release = new AtomicBoolean();
        List<Task<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < GOROUTINES; i++) {
            int k = i;
            tasks.add(s.submit(() -> {
                Gmp.sleep(Duration.ofMillis(1));
                for (int y = 0; y < YIELDS; y++) {
                    Gmp.yield();
                }
                parked.set(k, Parking.currentWaiter());
                while (!release.get()) {
                    Parking.park(WaitReason.PARK);
                }
            }));
        }
        TestSupport.awaitCondition(s, "all goroutines parked",
                () -> s.goroutineCounts().waiting(WaitReason.PARK) == GOROUTINES);
        release.set(true);
        for (int i = 0; i < GOROUTINES; i++) {
            parked.get(i).unpark();
        }
        TestSupport.joinAll(s, tasks);
        TestSupport.awaitNoLiveGoroutines(s); // every goroutine is off its carrier: its last run slice is in
    }

    /** The mounts of one workload: start, after the sleep, after each yield, after the unpark. */
    private static final long RUNS = GOROUTINES * (YIELDS + 3L);

    private static void assertOrdered(LatencyStats l) {
        assertTrue(l.p50Nanos() <= l.p90Nanos() && l.p90Nanos() <= l.p99Nanos() && l.p99Nanos() <= l.p999Nanos()
                && l.p999Nanos() <= l.maxNanos() && l.meanNanos() <= l.maxNanos(), "percentiles in order: " + l);
        assertTrue(l.maxNanos() > 0, "something took time: " + l);
    }

    @Test
    void everyMountCountsOnceInBothHistogramsWhileRecording() {
        try (Scheduler s = TestSupport.builder("latency-on").procs(2).latencyHistograms(true).build()) {
            assertTrue(s.isRecordingLatency());
            workload(s);
            SchedulerStats st = s.stats();
            assertTrue(st.runs() >= RUNS, "at least the mounts caused: " + st);
            assertEquals(st.runs(), st.scheduleLatency().count(), "one schedule latency per mount\n" + st);
            assertEquals(st.runs(), st.runSlice().count(), "one run slice per mount\n" + st);
            long perProcSched = 0;
            long perProcSlice = 0;
            for (SchedulerStats.ProcStats p : st.perProc()) {
                assertEquals(p.runs(), p.scheduleLatency().count(), "P" + p.id() + ": one schedule latency per mount\n" + st);
                perProcSched += p.scheduleLatency().count();
                perProcSlice += p.runSlice().count();
            }
            assertEquals(st.scheduleLatency().count(), perProcSched, "the merged histogram holds every processor's");
            assertEquals(st.runSlice().count(), perProcSlice, "the merged histogram holds every processor's");
            assertOrdered(st.scheduleLatency());
            assertOrdered(st.runSlice());
            assertTrue(st.latencyRecording());
            assertTrue(st.traceLine().contains(" latency p50/p99="), st.traceLine());
            assertTrue(st.toString().contains("schedule latency | run slice"), st.toString());
        }
    }

    @Test
    void offByDefaultAndTurningItOffStopsRecording() {
        try (Scheduler s = TestSupport.builder("latency-off").procs(2).build()) {
            assertFalse(s.isRecordingLatency());
            workload(s);
            SchedulerStats st = s.stats();
            assertFalse(st.latencyRecording());
            assertSame(LatencyStats.NONE, st.scheduleLatency());
            assertSame(LatencyStats.NONE, st.runSlice());
            st.perProc().forEach(p -> assertSame(LatencyStats.NONE, p.scheduleLatency()));
            assertFalse(st.traceLine().contains("latency"), st.traceLine());

            s.recordLatency(true);
            long before = st.runs();
            workload(s);
            st = s.stats();
            long recorded = st.runs() - before;
            assertTrue(recorded >= RUNS, "at least the mounts caused: " + st);
            assertEquals(recorded, st.scheduleLatency().count(), "only the mounts since recording began\n" + st);
            assertEquals(recorded, st.runSlice().count(), "only the mounts since recording began\n" + st);
            assertOrdered(st.scheduleLatency());

            s.recordLatency(false);
            assertFalse(s.isRecordingLatency());
            workload(s);
            SchedulerStats after = s.stats();
            assertTrue(after.runs() - st.runs() >= RUNS);
            assertEquals(recorded, after.scheduleLatency().count(), "nothing recorded while off\n" + after);
            assertEquals(recorded, after.runSlice().count(), "nothing recorded while off\n" + after);
            assertFalse(after.latencyRecording());
            assertFalse(after.traceLine().contains("latency"), after.traceLine());
            assertTrue(after.toString().contains("(recording off)"), after.toString());
        }
    }

    @Test
    void durationsPrintInTheirLargestUnit() {
        assertEquals("850ns", LatencyStats.format(850));
        assertEquals("12.3us", LatencyStats.format(12_345));
        assertEquals("4.5ms", LatencyStats.format(4_500_000));
        assertEquals("120ms", LatencyStats.format(120_400_000));
        assertEquals("2s", LatencyStats.format(2_000_000_000));
        assertEquals("n=0", LatencyStats.NONE.toString());
    }
}
