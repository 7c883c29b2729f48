package gmpj.core;

import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.TraceEvent.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flight recorder (the last window of the trace, kept in memory) and the window recording's memory bound. */
class FlightRecorderTest {

    private static boolean created(Trace t, long goroutine) {
        return t.events().stream().anyMatch(e -> e.kind() == Kind.GO_CREATE && e.goroutine() == goroutine);
    }

    @Test
    void itKeepsTheLastWindowAndForgetsWhatCameBefore() {
        Duration window = Duration.ofMillis(200);
        try (Scheduler s = builder("flight-window").procs(2).flightRecorder(window).build()) {
            assertTrue(s.isTracing());
            long early = join(s, s.submit(() -> Gmp.currentG().id));
            long since = System.nanoTime();
            TestSupport.spinUntil(() -> System.nanoTime() - since > 3 * window.toNanos(), "three windows to pass");
            long late = join(s, s.submit(() -> Gmp.currentG().id));
            Trace t = s.flightRecording();
            assertTrue(t.isFlightRecording());
            assertTrue(created(t, late), "the goroutine created just now is in the window: " + t);
            assertFalse(created(t, early), "the one created three windows ago is not: " + t);
            assertTrue(t.durationNanos() <= window.toNanos(), "the recording spans at most its window: " + t.durationNanos());
            assertTrue(s.isTracing(), "taking the recording does not stop the recorder");
        }
    }

    @Test
    void aDeadlockReportWritesTheRecordingToTheDumpDirectoryAndSaysWhere(@TempDir Path dir) throws IOException {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler s = builder("flight-deadlock").procs(1).deadlockGrace(Duration.ofMillis(100)).diagnostics(diag::add)
                .flightRecorder(Duration.ofSeconds(5)).flightRecorderDumps(dir.resolve("dumps")).build()) {
            AtomicReference<Waiter> me = new AtomicReference<>();
            AtomicBoolean released = new AtomicBoolean();
            Task<Void> stuck = s.submit("stuck", () -> DeadlockTest.receiveFromChannelNobodySendsOn(me, released));
            awaitCondition(s, "the flight recording's message", () -> diag.stream().anyMatch(l -> l.contains("flight recording")));
            String line = diag.stream().filter(l -> l.contains("flight recording")).findFirst().orElseThrow();
            List<Path> files;
            try (Stream<Path> list = Files.list(dir.resolve("dumps"))) {
                files = list.sorted().toList();
            }
            assertEquals(2, files.size(), "a .html and a .json: " + files);
            for (Path f : files) {
                assertTrue(line.contains(f.toString()), "the message names " + f + ": " + line);
                String name = f.getFileName().toString();
                assertTrue(name.startsWith("gmpj-") && name.contains("flight-deadlock") && name.contains("-deadlock-2"), name);
            }
            String json = Files.readString(files.stream().filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow());
            assertTrue(json.contains("deadlock (1 goroutines)"), "the deadlock itself is in the recording");
            assertTrue(json.contains("\"stuck\"") || json.contains(" stuck\""), "and the goroutine that parked for good, by name");
            released.set(true);
            me.get().unpark();
            join(s, stuck);
        }
    }

    @Test
    void aHogReportWritesTheRecordingWithTheHogInIt(@TempDir Path dir) throws IOException {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler s = builder("flight-hog").procs(1).timeSlice(Duration.ofMillis(5)).diagnostics(diag::add)
                .flightRecorder(Duration.ofSeconds(5)).flightRecorderDumps(dir).build()) {
            AtomicBoolean started = new AtomicBoolean();
            long[] hog = new long[1];
            Task<Void> spinner = s.submit("hog", () -> {
                hog[0] = Gmp.goid();
                started.set(true);
                long end = System.nanoTime() + TestSupport.LIVENESS.toNanos();
                while (s.stats().handoffs() == 0 && System.nanoTime() - end < 0) {
                    // no checkpoint, no yield: a hog once another goroutine waits
                }
                return null;
            });
            awaitCondition(s, "the hog to start", started::get);
            join(s, s.submit(() -> null));
            join(s, spinner);
            awaitCondition(s, "the flight recording's message", () -> diag.stream().anyMatch(l -> l.contains("flight recording")));
            Path json;
            try (Stream<Path> list = Files.list(dir)) {
                json = list.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow();
            }
            assertTrue(json.getFileName().toString().contains("-hog-"), json.toString());
            assertTrue(Files.readString(json).contains("\"name\":\"hog G" + hog[0] + " hog ("),
                    "the hog report itself is in the recording, naming the goroutine");
        }
    }

    @Test
    void aFlightRecorderForgetsTheNamesOfGoroutinesThatExitedBeforeItsWindow() {
        Duration window = Duration.ofMillis(200);
        try (Scheduler s = builder("flight-names").procs(2).flightRecorder(window).build()) {
            for (int i = 0; i < 1_000; i++) {
                s.go("short-lived-" + i, Gmp::yield);
            }
            TestSupport.awaitNoLiveGoroutines(s);
            long since = System.nanoTime();
            TestSupport.spinUntil(() -> System.nanoTime() - since > 3 * window.toNanos(), "three windows to pass");
            s.flightRecording();
            assertEquals(0, s.tracer.names.size(), "no name kept for the 1,000 goroutines that exited windows ago");
            AtomicReference<Waiter> me = new AtomicReference<>();
            Task<Void> parked = s.submit("still-here", () -> {
                me.set(Parking.currentWaiter());
                Parking.park(WaitReason.PARK);
                return null;
            });
            awaitCondition(s, "the goroutine to park", () -> me.get() != null);
            long id = parked.id();
            assertEquals("still-here", s.flightRecording().goroutineName(id), "a live goroutine is named");
            me.get().unpark();
            join(s, parked);
        }
    }

    @Test
    void aWindowRecordingPastItsMemoryBoundDropsAndCountsWhatItCannotKeep() {
        try (Scheduler s = builder("trace-bound").procs(1).build()) {
            s.startTrace(Scheduler.MIN_TRACE_BYTES);
            join(s, s.submit(() -> {
                for (int i = 0; i < 100_000; i++) {
                    Gmp.yield();
                }
                return null;
            }));
            Trace t = s.stopTrace();
            long capacity = Scheduler.MIN_TRACE_BYTES / (Tracer.EVENT_LONGS * Long.BYTES);
            assertTrue(t.events().size() <= capacity, t.events().size() + " events kept, bound " + capacity);
            assertTrue(t.droppedEvents() > 0, "200,000 stops and starts do not fit in 1 MiB: " + t);
            assertEquals(t.events().size() + t.droppedEvents() >= 200_000, true, "kept + dropped covers every run: " + t);
        }
    }

    @Test
    void badSettingsAndMisuseAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Scheduler.builder().flightRecorder(Duration.ZERO));
        assertTrue(e.getMessage().contains("window") && e.getMessage().contains("PT0S"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Scheduler.builder().flightRecorder(Duration.ofMinutes(61)));
        assertTrue(e.getMessage().contains("60 minutes") && e.getMessage().contains("PT1H1M"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Scheduler.builder().flightRecorderDumps(Path.of("x")).build());
        assertTrue(e.getMessage().contains("flightRecorder(window)"), e.getMessage());
        assertThrows(NullPointerException.class, () -> Scheduler.builder().flightRecorder(null));
        try (Scheduler s = builder("flight-misuse").procs(1).flightRecorder(Duration.ofSeconds(1)).build()) {
            IllegalStateException i = assertThrows(IllegalStateException.class, s::startTrace);
            assertTrue(i.getMessage().contains("flight recorder"), i.getMessage());
            i = assertThrows(IllegalStateException.class, s::stopTrace);
            assertTrue(i.getMessage().contains("startTrace()"), i.getMessage());
        }
        try (Scheduler s = builder("no-flight").procs(1).build()) {
            IllegalStateException i = assertThrows(IllegalStateException.class, s::flightRecording);
            assertTrue(i.getMessage().contains("Builder.flightRecorder(window)"), i.getMessage());
        }
    }
}
