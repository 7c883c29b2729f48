package gmpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.TraceEvent.Kind;
import java.io.StringWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TraceTest {

    @Test
    void aTraceShowsEveryGoroutineCreatedRunParkedAndReadiedByWhom() throws Exception {
        int n = 20;
        Trace t = recordParentAndChildren("traced", "parent", n);
        List<TraceEvent> ev = t.events();
        Map<Long, Integer> created = new HashMap<>();
        Set<Long> slept = new HashSet<>();
        Set<Long> yielded = new HashSet<>();
        Set<Long> exited = new HashSet<>();
        Set<Long> timerReadied = new HashSet<>();
        long last = -1;
        for (TraceEvent e : ev) {
            assertTrue(e.timeNanos() >= last, "time order");
            last = e.timeNanos();
            switch (e.kind()) {
                case GO_CREATE -> created.merge(e.goroutine(), 1, Integer::sum);
                case GO_STOP -> {
                    if (e.waitReason() == WaitReason.SLEEP) {
                        slept.add(e.goroutine());
                    }
                    if (e.stopReason() == TraceEvent.StopReason.YIELD) {
                        yielded.add(e.goroutine());
                    }
                    if (e.stopReason() == TraceEvent.StopReason.EXIT) {
                        exited.add(e.goroutine());
                    }
                }
                case GO_READY -> {
                    if (e.readySource() == TraceEvent.ReadySource.TIMER) {
                        timerReadied.add(e.goroutine());
                    }
                }
                default -> { }
            }
        }
        assertEquals(n + 1, created.size(), "the parent and its children: " + created);
        long parentId = ev.stream().filter(e -> e.kind() == Kind.GO_CREATE && e.arg() == 0).findFirst().orElseThrow().goroutine();
        assertEquals("parent", t.goroutineName(parentId));
        long children = ev.stream().filter(e -> e.kind() == Kind.GO_CREATE && e.arg() == parentId).count();
        assertEquals(n, children, "each child names the parent that created it");
        assertEquals(n, slept.size(), "every child parked to sleep");
        assertEquals(n, timerReadied.size(), "every child was readied by its timer");
        assertEquals(n, yielded.size(), "every child yielded");
        assertEquals(n + 1, exited.size(), "every goroutine exited");
        assertTrue(ev.stream().anyMatch(e -> e.kind() == Kind.GO_START && e.arg() > 0),
                "a child mounted while its siblings waited in the run queue: the start carries the queue's length");
        List<TraceEvent> carrierEvents = ev.stream().filter(e -> e.kind() == Kind.CARRIER_PARK).toList();
        assertFalse(carrierEvents.isEmpty(), "the carriers parked at the end");
        for (TraceEvent e : carrierEvents) {
            assertTrue(e.idleProcessors() >= 0 && e.idleProcessors() <= 2 && e.spinningCarriers() >= 0
                    && e.spinningCarriers() <= 2, "idle and spinning counts within procs: " + e);
        }
        StringWriter json = new StringWriter();
        t.writeJson(json);
        assertTrue(json.toString().contains("\"name\":\"G" + parentId + " parent\""), "the parent's slice by name");
        assertTrue(json.toString().contains("\"ph\":\"C\",\"name\":\"run queue P"), "run-queue counter tracks");
    }

    /**
     * Records a trace of a goroutine named {@code parentName} that starts {@code n} children, each
     * of which sleeps 1 ms, yields and exits; stops it once every goroutine has exited.
     */
    static Trace recordParentAndChildren(String scheduler, String parentName, int n) throws InterruptedException {
        try (Scheduler s = Scheduler.builder().procs(2).name(scheduler).build()) {
            s.startTrace();
            CountDownLatch done = new CountDownLatch(n);
            Task<Object> parent = s.submit(parentName, () -> {
                for (int i = 0; i < n; i++) {
                    s.go("child-" + i, () -> {
                        Gmp.sleep(Duration.ofMillis(1));
                        Gmp.yield();
                        done.countDown();
                    });
                }
                return null;
            });
            parent.join();
            assertTrue(done.await(30, TimeUnit.SECONDS), "the children finish");
            TestSupport.awaitNoLiveGoroutines(s); // each exit is recorded before it counts
            Trace t = s.stopTrace();
            assertFalse(s.isTracing());
            return t;
        }
    }

    @Test
    void startingTwiceOrStoppingUnstartedSaysWhat() {
        try (Scheduler s = Scheduler.builder().procs(1).name("twice").build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, s::stopTrace);
            assertTrue(e.getMessage().contains("startTrace()"), e.getMessage());
            s.startTrace();
            e = assertThrows(IllegalStateException.class, s::startTrace);
            assertTrue(e.getMessage().contains("already recording"), e.getMessage());
            assertNotNull(s.stopTrace());
            IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> s.startTrace(1000));
            assertTrue(a.getMessage().contains("maxBytes") && a.getMessage().contains("1000"), a.getMessage());
        }
    }
}
