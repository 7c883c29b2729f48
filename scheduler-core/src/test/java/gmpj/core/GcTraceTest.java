package gmpj.core;

import static gmpj.core.TestSupport.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import gmpj.core.TraceEvent.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Garbage collections in the execution trace, reported by the JVM while a trace records. */
class GcTraceTest {
    private static final long MS = 1_000_000;

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
            TraceEvent found = null;
            long before = 0;
            while (found == null && System.nanoTime() - deadline < 0) {
                int seen = gcs(recording.snapshot()).size();
                before = System.nanoTime();
                System.gc();
                // The JVM reports a collection after it ended, on its own thread.
                List<TraceEvent> now;
                while ((now = gcs(recording.snapshot())).size() == seen && System.nanoTime() - deadline < 0) {
                    Thread.yield();
                }
                TraceEvent latest = now.stream().max(Comparator.comparingLong(TraceEvent::timeNanos)).orElse(null);
                if (latest != null && latest.arg() > 0) {
                    found = latest; // a full collection takes milliseconds: the JVM's clock shows it
                }
            }
            Trace t = s.stopTrace();
            assertFalse(recording.isWatchingGc(), "the trace stopped: no more collections");
            assertTrue(found != null, "System.gc() is reported (G1 reports explicit collections): " + t);
            // The JVM's times are whole milliseconds, and its clock's zero is estimated from above: a
            // collection is never shown more than a millisecond before it began.
            long start = t.startNanos() + found.timeNanos();
            assertTrue(start - (before - MS) > 0, "the collection began after System.gc() was called, less 1 ms: "
                    + (start - before) + " ns after it");
            long at = found.timeNanos();
            TraceEvent gc = gcs(t).stream().filter(e -> e.timeNanos() == at).findFirst().orElseThrow(() -> new AssertionError(t.events().toString()));
            assertTrue(gc.arg() > 0 && gc.timeNanos() + gc.arg() <= t.durationNanos(),
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
