package gmpj.core;

import static gmpj.core.TestSupport.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import gmpj.core.TraceEvent.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Garbage collections in the execution trace, reported by the JVM while a trace records. */
class GcTraceTest {

    private static List<TraceEvent> gcs(Trace t) {
        return t.events().stream().filter(e -> e.kind() == Kind.GC).toList();
    }

    /** Live objects for a full collection to mark: a few milliseconds of work. */
    private static List<int[]> liveData() {
        List<int[]> keep = new ArrayList<>();
        for (int i = 0; i < 300_000; i++) {
            keep.add(new int[4]);
        }
        return keep;
    }

    @Test
    void aTraceShowsACollectionThatRanWhileItRecordedWithinItsSpan() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.management").isPresent(), "this JVM reports no collections");
        List<int[]> keep = liveData();
        try (Scheduler s = builder("gc-trace").procs(1).build()) {
            s.startTrace();
            Tracer recording = s.tracer;
            assertTrue(recording.isWatchingGc());
            long deadline = System.nanoTime() + TestSupport.LIVENESS.toNanos();
            // The JVM reports a collection after it ended, on its own thread: collect until one is in.
            while (gcs(recording.snapshot()).stream().noneMatch(e -> e.arg() > 0) && System.nanoTime() - deadline < 0) {
                System.gc();
                Thread.onSpinWait();
            }
            Trace t = s.stopTrace();
            assertFalse(recording.isWatchingGc(), "the trace stopped: no more collections");
            List<TraceEvent> gcs = gcs(t);
            assertFalse(gcs.isEmpty(), "System.gc() is reported (G1 reports explicit collections): " + t);
            TraceEvent gc = gcs.stream().filter(e -> e.arg() > 0).findFirst().orElseThrow(() -> new AssertionError(gcs.toString()));
            assertTrue(gc.timeNanos() >= 0 && gc.timeNanos() + gc.arg() <= t.durationNanos(),
                    "the collection lies within the trace: " + gc + " in " + t.durationNanos() + " ns");
            assertEquals(-1, gc.proc());
            assertEquals(TraceEvent.OUTSIDE, gc.carrier());
            long last = -1;
            for (TraceEvent e : t.events()) {
                assertTrue(e.timeNanos() >= last, "time order");
                last = e.timeNanos();
            }
        }
        assertEquals(300_000, keep.size());
    }

    @Test
    void theFlightRecorderStopsListeningWhenItsSchedulerTerminates() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.management").isPresent(), "this JVM reports no collections");
        Tracer recording;
        try (Scheduler s = builder("gc-flight").procs(1).flightRecorder(Duration.ofSeconds(1)).build()) {
            recording = s.tracer;
            assertTrue(recording.isWatchingGc());
        }
        assertFalse(recording.isWatchingGc(), "terminated: no more collections");
    }
}
