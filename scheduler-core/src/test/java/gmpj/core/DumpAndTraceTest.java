package gmpj.core;

import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** dump(), goroutines(), schedtrace and scheddetail. */
class DumpAndTraceTest {

    /** Parks as a channel receive would; its name must appear in the goroutine's frames. */
    static Void awaitValueOnEmptyChannel(AtomicReference<Waiter> me, AtomicBoolean released) {
        me.set(Parking.currentWaiter());
        while (!released.get()) {
            Parking.park(WaitReason.CHAN_RECV);
        }
        return null;
    }

    private static GoroutineInfo named(Scheduler s, String name) {
        return s.goroutines().stream().filter(i -> name.equals(i.name())).findFirst().orElse(null);
    }

    @Test
    void dumpAndGoroutinesShowAParkedReceiverAndARunningSpinner() {
        try (Scheduler s = builder("dump").procs(2).build()) {
            AtomicReference<Waiter> me = new AtomicReference<>();
            AtomicBoolean released = new AtomicBoolean();
            AtomicBoolean stopSpinning = new AtomicBoolean();
            Task<Void> receiver = s.submit("receiver", () -> awaitValueOnEmptyChannel(me, released));
            Task<Void> spinner = s.submit("spinner", () -> {
                long end = System.nanoTime() + TestSupport.LIVENESS.toNanos();
                while (!stopSpinning.get() && System.nanoTime() - end < 0) {
                    Gmp.checkpoint();
                }
                return null;
            });
            try {
                awaitCondition(s, "receiver parked", () -> {
                    GoroutineInfo i = named(s, "receiver");
                    return i != null && "waiting".equals(i.state());
                });
                GoroutineInfo r = named(s, "receiver");
                assertEquals(WaitReason.CHAN_RECV, r.waitReason(), r.toString());
                assertTrue(r.stack().stream().anyMatch(f -> f.getMethodName().equals("awaitValueOnEmptyChannel")), r.toString());
                String dump = s.dump();
                assertTrue(dump.contains("goroutine " + r.id() + " \"receiver\" [chan receive"), dump);
                assertTrue(dump.contains("awaitValueOnEmptyChannel"), dump);
                awaitCondition(s, "spinner shown running", () -> {
                    GoroutineInfo i = named(s, "spinner");
                    return i != null && "running".equals(i.state());
                });
            } finally {
                stopSpinning.set(true);
                released.set(true);
                if (me.get() != null) {
                    me.get().unpark();
                }
            }
            join(s, spinner);
            join(s, receiver);
        }
    }

    private static StackTraceElement frame(String cls, String method) {
        return new StackTraceElement(cls, method, null, -1);
    }

    @Test
    void aGoroutinesFramesEndAtItsEntryEvenWhenItRunsRuntimeCodeOnTop() {
        // A running goroutine sampled inside an unpark: its innermost frame is the runtime's.
        StackTraceElement[] running = {
            frame("gmpj.core.G", "unpark"), frame("app.Worker", "handOver"), frame("app.Worker", "run"),
            frame("gmpj.core.G$Entry", "run"), frame("jdk.internal.vm.Continuation", "run"), frame("gmpj.core.M", "execute"),
        };
        assertEquals(Arrays.asList(running).subList(0, 3), Diagnostics.goroutineFrames(running));
        // A goroutine caught while the runtime finds its body (loading a class on the way): no user frame yet.
        StackTraceElement[] starting = {
            frame("java.lang.ClassLoader", "loadClass"), frame("gmpj.core.G", "body"), frame("gmpj.core.G$Entry", "run"),
            frame("jdk.internal.vm.Continuation", "enter"),
        };
        assertEquals(Arrays.asList(starting).subList(0, 1), Diagnostics.goroutineFrames(starting));
        // No entry among them (a partial stack): every frame is the goroutine's.
        StackTraceElement[] partial = {frame("app.Worker", "run")};
        assertEquals(Arrays.asList(partial), Diagnostics.goroutineFrames(partial));
    }

    @Test
    void namesAndWaitReasonsOutliveTheirGoroutinesWhereTheyAreShown() {
        try (Scheduler s = builder("names").procs(1).build()) {
            AtomicReference<Waiter> me = new AtomicReference<>();
            AtomicBoolean released = new AtomicBoolean();
            Task<Void> parked = s.submit("sleeper", () -> awaitValueOnEmptyChannel(me, released));
            try {
                awaitCondition(s, "sleeper parked", () -> {
                    GoroutineInfo i = named(s, "sleeper");
                    return i != null && "waiting".equals(i.state());
                });
                GoroutineInfo i = named(s, "sleeper");
                assertEquals(WaitReason.CHAN_RECV, i.waitReason(), i.toString());
                assertTrue(i.waiting() != null && !i.waiting().isNegative(), i.toString());
                assertEquals("sleeper", parked.name());
            } finally {
                released.set(true);
                if (me.get() != null) {
                    me.get().unpark();
                }
            }
            join(s, parked);
            assertEquals("sleeper", parked.name(), "a finished goroutine keeps its name");
            assertTrue(parked.toString().contains("sleeper"), parked.toString());
            AtomicReference<String> inside = new AtomicReference<>();
            join(s, s.submit("asker", () -> {
                inside.set(Gmp.goroutineName());
                return null;
            }));
            assertEquals("asker", inside.get());
            Task<Integer> anonymous = s.submit(() -> 1);
            join(s, anonymous);
            assertEquals(null, anonymous.name());
        }
    }

    @Test
    void schedtraceDeliversSchedLinesToTheSink() {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler s = builder("trace").procs(2).schedtrace(Duration.ofMillis(50)).diagnostics(diag::add).build()) {
            join(s, s.submit(() -> 1));
            awaitCondition(s, "a SCHED line", () -> diag.stream()
                    .anyMatch(l -> l.startsWith("SCHED ") && l.contains("procs=") && l.contains("idleprocs=")));
        }
    }

    @Test
    void scheddetailAddsProcessorAndCarrierLines() {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler s = builder("detail").procs(2).schedtrace(Duration.ofMillis(50)).scheddetail(true)
                .diagnostics(diag::add).build()) {
            join(s, s.submit(() -> 1));
            awaitCondition(s, "detail lines", () -> diag.stream().anyMatch(msg -> msg.startsWith("SCHED ")
                    && Arrays.stream(msg.split("\n")).anyMatch(l -> l.startsWith("  P0:"))
                    && Arrays.stream(msg.split("\n")).anyMatch(l -> l.startsWith("  M"))));
        }
    }
}
