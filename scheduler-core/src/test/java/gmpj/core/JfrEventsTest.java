package gmpj.core;

import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.cpuWork;
import static gmpj.core.TestSupport.join;
import static gmpj.core.TestSupport.yieldUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JDK Flight Recorder events of the scheduler, and the gate that turns them on. */
class JfrEventsTest {
    private static final List<String> EVENTS = List.of("gmpj.GoroutineCreate", "gmpj.GoroutineStart", "gmpj.GoroutineStop",
            "gmpj.Steal", "gmpj.Handoff", "gmpj.Hog", "gmpj.Deadlock");
    private static final int ROUNDS = 20;

    private static boolean jfrOn(Scheduler s) {
        return (s.observing & Tracing.JFR) != 0;
    }

    /** Two goroutines taking turns {@link #ROUNDS} times: each parks until the other unparks it. */
    private static void pingPong(Scheduler s, AtomicLong[] ids) {
        AtomicReferenceArray<Waiter> waiters = new AtomicReferenceArray<>(2);
        AtomicInteger turn = new AtomicInteger();
        List<Task<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int me = i;
            tasks.add(s.submit(me == 0 ? "ping" : "pong", () -> {
                ids[me].set(Gmp.goid());
                waiters.set(me, Parking.currentWaiter());
                yieldUntil(() -> waiters.get(1 - me) != null, "the other side published");
                for (int r = 0; r < ROUNDS; r++) {
                    while (turn.get() % 2 != me) {
                        Parking.park(WaitReason.PARK);
                    }
                    turn.incrementAndGet();
                    waiters.get(1 - me).unpark();
                }
                return null;
            }));
        }
        tasks.forEach(t -> join(s, t));
    }

    /** Rounds of 16 children spawned at once from one goroutine, until the other processor stole some. */
    private static void fanOutUntilStolen(Scheduler s) {
        long deadline = System.nanoTime() + TestSupport.LIVENESS.toNanos();
        while (s.stats().steals() == 0 && System.nanoTime() - deadline < 0) {
            join(s, s.submit("fan-out", () -> {
                List<Task<Void>> children = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    children.add(s.submit(() -> {
                        cpuWork(20_000);
                        return null;
                    }));
                }
                children.forEach(Task::join);
                return null;
            }));
        }
        assertTrue(s.stats().steals() > 0, "no steal within " + TestSupport.LIVENESS + ": " + TestSupport.describe(s));
    }

    private static List<RecordedEvent> of(List<RecordedEvent> all, String type, Scheduler s, Predicate<RecordedEvent> also) {
        return all.stream()
                .filter(e -> e.getEventType().getName().equals(type) && s.name().equals(e.getString("scheduler")))
                .filter(also)
                .toList();
    }

    @Test
    void aRecordingGetsEachGoroutinesStartsStopsWaitReasonsStealsHogsAndDeadlocks(@TempDir Path dir) throws Exception {
        List<RecordedEvent> events;
        AtomicLong[] pingPong = {new AtomicLong(), new AtomicLong()};
        AtomicLong sleeper = new AtomicLong();
        AtomicLong hog = new AtomicLong();
        Scheduler s;
        Scheduler h;
        Scheduler d;
        try (Recording rec = new Recording()) {
            for (String e : EVENTS) {
                rec.enable(e).with("throttle", "off");
            }
            rec.start();
            s = builder("jfr").procs(2).timeSlice(Duration.ofMillis(5)).build();
            h = builder("jfr-hog").procs(1).timeSlice(Duration.ofMillis(5)).diagnostics(l -> { }).build();
            d = builder("jfr-deadlock").procs(1).deadlockGrace(Duration.ofMillis(100)).diagnostics(l -> { }).build();
            try (s; h; d) {
                assertTrue(jfrOn(s), "built while a recording runs: the JFR bit is on");

                pingPong(s, pingPong);
                join(s, s.submit("sleeper", () -> {
                    sleeper.set(Gmp.goid());
                    Gmp.sleep(Duration.ofMillis(1));
                    return null;
                }));
                fanOutUntilStolen(s);

                // A goroutine that computes without a checkpoint while another waits: sysmon reports
                // it after two time slices and hands its processor away.
                AtomicBoolean started = new AtomicBoolean();
                Task<Void> spinner = h.submit("hog", () -> {
                    hog.set(Gmp.goid());
                    started.set(true);
                    long end = System.nanoTime() + TestSupport.LIVENESS.toNanos();
                    while (h.stats().handoffs() == 0 && System.nanoTime() - end < 0) {
                        // no checkpoint, no yield
                    }
                    return null;
                });
                awaitCondition(h, "hog started", started::get);
                join(h, h.submit(() -> null));
                join(h, spinner);
                awaitCondition(h, "hog reported", () -> h.stats().hogs() > 0);

                AtomicReference<Waiter> stuck = new AtomicReference<>();
                AtomicBoolean released = new AtomicBoolean();
                Task<Void> parked = d.submit("stuck", () -> DeadlockTest.receiveFromChannelNobodySendsOn(stuck, released));
                awaitCondition(d, "deadlock reported", () -> d.stats().deadlocks() > 0);
                released.set(true);
                stuck.get().unpark();
                join(d, parked);
            }
            rec.stop();
            Path file = dir.resolve("gmpj.jfr");
            rec.dump(file);
            events = RecordingFile.readAllEvents(file);
        }
        assertTrue(Files.size(dir.resolve("gmpj.jfr")) > 0);

        long ping = pingPong[0].get();
        long pong = pingPong[1].get();
        for (long id : new long[] {ping, pong, sleeper.get()}) {
            List<RecordedEvent> created = of(events, "gmpj.GoroutineCreate", s, e -> e.getLong("goroutine") == id);
            assertEquals(1, created.size(), "one create event for goroutine " + id + ": " + created);
            assertEquals(0, created.get(0).getLong("parent"), "submitted from outside");
            assertFalse(of(events, "gmpj.GoroutineStart", s, e -> e.getLong("goroutine") == id).isEmpty(),
                    "goroutine " + id + " started");
            assertEquals(1, of(events, "gmpj.GoroutineStop", s,
                    e -> e.getLong("goroutine") == id && "exit".equals(e.getString("reason"))).size(), "goroutine " + id + " exited once");
        }
        assertEquals("ping", of(events, "gmpj.GoroutineCreate", s, e -> e.getLong("goroutine") == ping).get(0).getString("name"));
        for (long id : new long[] {ping, pong}) {
            List<RecordedEvent> parks = of(events, "gmpj.GoroutineStop", s,
                    e -> e.getLong("goroutine") == id && "park".equals(e.getString("reason")));
            assertFalse(parks.isEmpty(), "goroutine " + id + " parked");
            parks.forEach(e -> assertEquals("park", e.getString("waitReason"), e.toString()));
        }
        assertFalse(of(events, "gmpj.GoroutineStop", s, e -> e.getLong("goroutine") == sleeper.get()
                && "park".equals(e.getString("reason")) && "sleep".equals(e.getString("waitReason"))).isEmpty(),
                "the sleeper parked to sleep");
        for (RecordedEvent e : of(events, "gmpj.GoroutineStart", s, e -> true)) {
            int p = e.getInt("processor");
            assertTrue(p >= 0 && p < s.procs(), "a start is on a processor: " + e);
        }
        for (RecordedEvent e : of(events, "gmpj.GoroutineStop", s, e -> true)) {
            int p = e.getInt("processor");
            assertTrue(p >= -1 && p < s.procs(), "a stop is on a processor or none: " + e);
            assertEquals("park".equals(e.getString("reason")), e.getString("waitReason") != null, "a wait reason only for a park: " + e);
        }

        List<RecordedEvent> steals = of(events, "gmpj.Steal", s, e -> true);
        assertFalse(steals.isEmpty(), "the fan-out was stolen from");
        for (RecordedEvent e : steals) {
            int thief = e.getInt("processor");
            int victim = e.getInt("victim");
            assertTrue(thief >= 0 && thief < s.procs() && victim >= 0 && victim < s.procs(), e.toString());
            assertNotEquals(thief, victim, e.toString());
            assertTrue(e.getInt("count") >= 1 && e.getLong("goroutine") > 0, e.toString());
        }

        List<RecordedEvent> hogs = of(events, "gmpj.Hog", h, e -> true);
        assertEquals(1, hogs.size(), "one hog report: " + hogs);
        assertEquals(hog.get(), hogs.get(0).getLong("goroutine"));
        assertEquals("hog", hogs.get(0).getString("name"));
        assertEquals(0, hogs.get(0).getInt("processor"));
        assertTrue(hogs.get(0).getLong("ran") > 0, hogs.toString());
        assertFalse(of(events, "gmpj.Handoff", h, e -> e.getLong("goroutine") == hog.get() && e.getInt("processor") == 0).isEmpty(),
                "the hog's processor was handed off");

        List<RecordedEvent> deadlocks = of(events, "gmpj.Deadlock", d, e -> true);
        assertFalse(deadlocks.isEmpty(), "the deadlock was reported");
        assertEquals(1, deadlocks.get(0).getLong("goroutines"), deadlocks.toString());
    }

    @Test
    void theJfrBitIsOnOnlyWhileARecordingRuns() {
        try (Scheduler s = builder("jfr-gate").procs(1).build()) {
            assertFalse(jfrOn(s), "no recording: the JFR bit is off");
            assertEquals(0, s.observing, "nobody observes");
            try (Recording rec = new Recording()) {
                rec.start();
                assertTrue(jfrOn(s), "a recording started: the JFR bit of a live scheduler is on");
                rec.stop();
                assertFalse(jfrOn(s), "the recording stopped: the JFR bit is off again");
            }
            assertEquals(0, s.observing, "nobody observes");
        }
    }
}
