package gmpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link Scheduler#setProcs}: growing and shrinking a running scheduler, Go's GOMAXPROCS(n). Every
 * wait is for a condition, bounded by {@link TestSupport#LIVENESS}; nothing here asserts a timing.
 */
class ProcsResizeTest {

    /** The processor the calling goroutine runs on (package access: tests only). */
    private static int myProc() {
        return Gmp.currentG().m.p.id;
    }

    private static long runsOf(Scheduler s, int proc) {
        return s.stats().perProc().get(proc).runs();
    }

    /**
     * Two goroutines that run at once on a two-processor scheduler (each spins until the other has
     * started, so they hold both processors): the one on processor 1 runs {@code onProc1}, the other
     * {@code onProc0}.
     */
    private static List<Task<Void>> onBothProcessors(Scheduler s, Runnable onProc1, Runnable onProc0) {
        AtomicInteger started = new AtomicInteger();
        List<Task<Void>> parents = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            parents.add(s.submit(() -> {
                started.incrementAndGet();
                TestSupport.spinUntil(() -> started.get() == 2, "both goroutines running at once");
                (myProc() == 1 ? onProc1 : onProc0).run();
            }));
        }
        return parents;
    }

    /** Spawns {@code n} goroutines that yield {@code yields} times each, and waits for them all. */
    private static void yieldingWork(Scheduler s, int n, int yields) {
        List<Task<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tasks.add(s.submit(() -> {
                for (int k = 0; k < yields; k++) {
                    TestSupport.cpuWork(200);
                    Gmp.yield();
                }
            }));
        }
        TestSupport.joinAll(s, tasks);
    }

    @Test
    void growingBringsNewProcessorsIntoUse() {
        try (Scheduler s = TestSupport.builder("grow").procs(1).maxProcs(3).build()) {
            assertEquals(3, s.maxProcs());
            assertEquals(1, s.stats().perProc().size(), "only processors ever in use are shown");
            assertEquals(1, s.setProcs(3), "setProcs returns the count before the call");
            assertEquals(3, s.procs());
            // The new processors' carriers look for work at once: with goroutines queued, they steal.
            TestSupport.awaitCondition(s, "the added processors never ran a goroutine", () -> {
                yieldingWork(s, 64, 50);
                return runsOf(s, 1) > 0 && runsOf(s, 2) > 0;
            });
            SchedulerStats st = s.stats();
            assertEquals(3, st.perProc().size());
            assertEquals(0, st.retiringProcs());
            assertFalse(st.perProc().get(2).retired());
        }
    }

    @Test
    void shrinkingRetiresTheRemovedProcessorsAndNothingRunsOnThemAfterwards() {
        try (Scheduler s = TestSupport.builder("shrink").procs(3).build()) {
            yieldingWork(s, 32, 20);
            long totalBefore = s.stats().runs();
            assertEquals(3, s.setProcs(1));
            assertEquals(1, s.procs());
            TestSupport.awaitCondition(s, "removed processors not retired", () -> {
                SchedulerStats st = s.stats();
                return st.retiringProcs() == 0 && st.perProc().get(1).retired() && st.perProc().get(2).retired();
            });
            long p1 = runsOf(s, 1);
            long p2 = runsOf(s, 2);
            yieldingWork(s, 32, 20);
            SchedulerStats st = s.stats();
            assertEquals(p1, st.perProc().get(1).runs(), "a goroutine ran on removed processor 1\n" + st);
            assertEquals(p2, st.perProc().get(2).runs(), "a goroutine ran on removed processor 2\n" + st);
            assertTrue(st.runs() >= totalBefore + 32, "totals keep the removed processors' counts\n" + st);
            assertEquals(3, st.perProc().size(), "a removed processor keeps its row");
            assertTrue(st.traceLine().startsWith("procs=1 "), st.traceLine());
        }
    }

    /**
     * A goroutine on processor 1 queues children there (it does not yield, so they stay in its
     * runnext and ring), removes its own processor, and ends: its carrier must move the children to
     * the global queue when it lets the processor go. The other processor is kept busy meanwhile, so
     * it cannot steal them first.
     */
    @Test
    void goroutinesQueuedOnARemovedProcessorAllRun() {
        int children = 100;
        try (Scheduler s = TestSupport.builder("drain").procs(2).hogPolicy(HogPolicy.REPORT_ONLY).build()) {
            s.startTrace();
            AtomicInteger ran = new AtomicInteger();
            AtomicBoolean spawned = new AtomicBoolean();
            AtomicReference<Integer> setter = new AtomicReference<>();
            List<Task<Void>> parents = onBothProcessors(s, () -> {
                for (int c = 0; c < children; c++) {
                    s.go(ran::incrementAndGet);
                }
                setter.set(s.setProcs(1)); // removes the processor this goroutine runs on
                spawned.set(true);
            }, () -> {
                // Busy until processor 1 is let go: it cannot steal processor 1's children first.
                TestSupport.spinUntil(() -> spawned.get() && s.stats().perProc().get(1).retired(), "processor 1 retired");
            });
            TestSupport.joinAll(s, parents);
            TestSupport.awaitCondition(() -> ran.get() == children, TestSupport.LIVENESS,
                    () -> "children lost: " + ran.get() + " of " + children + " ran\n" + TestSupport.describe(s));
            assertEquals(2, setter.get());
            Trace trace = s.stopTrace();
            long drained = trace.events().stream()
                    .filter(e -> e.kind() == TraceEvent.Kind.PROC_RETIRED && e.proc() == 1)
                    .mapToLong(TraceEvent::arg).sum();
            assertEquals(children, drained, "processor 1's queue was not what its carrier moved to the global queue");
            assertEquals(1, trace.events().stream().filter(e -> e.kind() == TraceEvent.Kind.PROCS).count());
        }
    }

    /**
     * Sleepers parked on processor 1 keep their timers in its heap. After processor 1 is removed,
     * processor 0 is kept busy by a pair of goroutines that yield to each other, so it never runs
     * out of local work (where it would look at every heap): the removed heap's timers must still
     * fire.
     */
    @Test
    void timersOfARemovedProcessorFireWhileTheOthersAreBusy() {
        int sleepers = 10;
        try (Scheduler s = TestSupport.builder("timers").procs(2).hogPolicy(HogPolicy.REPORT_ONLY).build()) {
            AtomicInteger asleep = new AtomicInteger();
            AtomicInteger woke = new AtomicInteger();
            List<Task<Void>> parents = onBothProcessors(s, () -> {
                for (int c = 0; c < sleepers; c++) {
                    s.go(() -> {
                        asleep.incrementAndGet();
                        Gmp.sleep(Duration.ofSeconds(1));
                        woke.incrementAndGet();
                    });
                }
                // Park (not yield) so the children run here and arm their timers in this heap.
                Gmp.sleep(Duration.ofMillis(1));
            }, () -> {
                // Busy until they have: processor 0 cannot steal them meanwhile.
                TestSupport.spinUntil(() -> asleep.get() == sleepers, "sleepers asleep");
            });
            TestSupport.joinAll(s, parents);
            TestSupport.awaitCondition(s, "sleepers not asleep", () -> asleep.get() == sleepers);
            TestSupport.awaitCondition(s, "sleepers' timers not all on processor 1: " + s.ps[1].timers.size(),
                    () -> s.ps[1].timers.size() == sleepers);
            s.setProcs(1);
            AtomicBoolean stop = new AtomicBoolean();
            List<Task<Void>> pair = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                pair.add(s.submit(() -> {
                    while (!stop.get()) {
                        Gmp.yield();
                    }
                }));
            }
            try {
                TestSupport.awaitCondition(s, "sleepers of the removed processor never woke (" + woke.get() + " of "
                        + sleepers + ")", () -> woke.get() == sleepers);
            } finally {
                stop.set(true);
            }
            TestSupport.joinAll(s, pair);
        }
    }

    /**
     * A removed processor whose goroutine never yields (and whose hog is only reported) stays with
     * its carrier, counted as retiring, until the goroutine ends; then it is let go.
     */
    @Test
    void aRemovedProcessorRetiresOnlyWhenItsGoroutineLetsGo() {
        try (Scheduler s = TestSupport.builder("retiring").procs(2).hogPolicy(HogPolicy.REPORT_ONLY)
                .diagnostics(d -> { }).build()) {
            AtomicBoolean onP1 = new AtomicBoolean();
            AtomicBoolean release = new AtomicBoolean();
            List<Task<Void>> both = onBothProcessors(s, () -> {
                onP1.set(true);
                TestSupport.spinUntil(release::get, "released"); // never yields, parks or passes a checkpoint
            }, () -> { });
            TestSupport.awaitCondition(s, "a goroutine on processor 1", onP1::get);
            s.setProcs(1);
            SchedulerStats st = s.stats();
            assertEquals(1, st.procs());
            assertEquals(1, st.retiringProcs(), st.toString());
            assertFalse(st.perProc().get(1).retired());
            assertTrue(st.traceLine().startsWith("procs=1 retiring=1 "), st.traceLine());
            release.set(true);
            TestSupport.joinAll(s, both);
            TestSupport.awaitCondition(s, "processor 1 not let go after its goroutine ended",
                    () -> s.stats().retiringProcs() == 0 && s.stats().perProc().get(1).retired());
        }
    }

    /**
     * Growing when no thread can be started (the native thread limit): the added processor waits on
     * the orphan list, the failure is reported once, and sysmon gives it a carrier once threads
     * start again; setProcs itself does not fail.
     */
    @Test
    void anAddedProcessorWhoseCarrierCannotStartYetGetsOneLater() {
        ConcurrentLinkedQueue<String> diagnostics = new ConcurrentLinkedQueue<>();
        AtomicBoolean failStarts = new AtomicBoolean();
        try (Scheduler s = TestSupport.builder("grow-fails").procs(1).maxProcs(2).diagnostics(diagnostics::add)
                .threadStarter(t -> {
                    if (failStarts.get()) {
                        throw new OutOfMemoryError("unable to create native thread: simulated");
                    }
                    t.start();
                }).build()) {
            failStarts.set(true);
            assertEquals(1, s.setProcs(2));
            assertEquals(1, s.carriers.orphanCount, "the added processor waits for a carrier");
            assertTrue(diagnostics.stream().anyMatch(d -> d.contains("could not start a carrier thread")), diagnostics.toString());
            yieldingWork(s, 8, 5); // processor 0 carries on meanwhile
            failStarts.set(false);
            TestSupport.awaitCondition(s, "the added processor never got a carrier", () -> s.carriers.orphanCount == 0);
            TestSupport.awaitCondition(s, "the added processor never ran a goroutine", () -> {
                yieldingWork(s, 64, 50);
                return runsOf(s, 1) > 0;
            });
        }
    }

    /** A steal policy sees the processors added by a resize ({@link StealPolicy.Victims#count()}). */
    @Test
    void aStealPolicySeesTheAddedProcessors() {
        AtomicInteger mostSeen = new AtomicInteger();
        StealPolicy go = StealPolicy.go();
        StealPolicy watching = new StealPolicy() {
            @Override
            public int order(int thief, Victims victims, int[] out) {
                mostSeen.accumulateAndGet(victims.count(), Math::max);
                return go.order(thief, victims, out);
            }

            @Override
            public int amount(int queued) {
                return go.amount(queued);
            }

            @Override
            public String name() {
                return "watching";
            }
        };
        try (Scheduler s = TestSupport.builder("policy").procs(1).maxProcs(3).stealPolicy(watching).build()) {
            s.setProcs(3);
            TestSupport.awaitCondition(s, "no steal pass saw 3 processors (most seen: " + mostSeen.get() + ")", () -> {
                yieldingWork(s, 32, 20);
                return mostSeen.get() == 3;
            });
            assertEquals(3, s.stats().perProc().size());
            assertEquals(watching, s.stealPolicy(), "the policy was replaced: it answered out of range");
        }
    }

    @Test
    void aShrunkSchedulerTerminatesAndDetectsDeadlocks() throws Exception {
        ConcurrentLinkedQueue<String> diagnostics = new ConcurrentLinkedQueue<>();
        Scheduler s = TestSupport.builder("shrink-end").procs(3).deadlockPolicy(DeadlockPolicy.REPORT)
                .deadlockGrace(Duration.ofMillis(50)).diagnostics(diagnostics::add).build();
        yieldingWork(s, 16, 10);
        s.setProcs(1);
        List<AtomicReference<Waiter>> waiters = List.of(new AtomicReference<>(), new AtomicReference<>());
        List<Task<Void>> stuck = new ArrayList<>();
        for (AtomicReference<Waiter> w : waiters) {
            stuck.add(s.submit(() -> {
                w.set(Parking.currentWaiter());
                Parking.park(WaitReason.PARK);
            }));
        }
        // Counted against the processors in use: with the removed ones still counted, "every
        // processor idle" never held and the detector never looked further.
        TestSupport.awaitCondition(s, "no deadlock reported with processors removed: " + diagnostics,
                () -> diagnostics.stream().anyMatch(d -> d.contains("all goroutines are asleep")));
        for (AtomicReference<Waiter> w : waiters) {
            w.get().unpark();
        }
        TestSupport.joinAll(s, stuck);
        s.shutdown();
        assertTrue(s.awaitTermination(TestSupport.LIVENESS), "a shrunk scheduler did not terminate\n" + TestSupport.describe(s));
    }

    /**
     * Resizes at random, from a plain thread and from goroutines, while goroutines spawn, ping-pong
     * through park/unpark and sleep: every goroutine finishes, nothing fails, and the scheduler
     * terminates.
     */
    @Test
    void resizingUnderLoadLosesNothing() throws Exception {
        int rounds = 300;
        try (Scheduler s = TestSupport.builder("storm").procs(2).maxProcs(4).build()) {
            AtomicLong done = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            List<Task<Void>> load = new ArrayList<>();
            for (int i = 0; i < 4; i++) { // spawners
                load.add(s.submit(() -> {
                    while (!stop.get()) {
                        List<Task<Void>> kids = new ArrayList<>();
                        for (int k = 0; k < 16; k++) {
                            kids.add(Gmp.currentScheduler().submit(() -> {
                                Gmp.yield();
                                done.incrementAndGet();
                            }));
                        }
                        for (Task<Void> t : kids) {
                            t.join();
                        }
                        if (ThreadLocalRandom.current().nextInt(8) == 0) {
                            Gmp.currentScheduler().setProcs(1 + ThreadLocalRandom.current().nextInt(4));
                        }
                    }
                }));
            }
            List<AtomicReference<Waiter>> pingPongers = new ArrayList<>();
            for (int i = 0; i < 2; i++) { // ping-pong pairs
                AtomicReference<Waiter> a = new AtomicReference<>();
                AtomicReference<Waiter> b = new AtomicReference<>();
                pingPongers.add(a);
                pingPongers.add(b);
                AtomicLong turn = new AtomicLong();
                load.add(s.submit(() -> pingPong(a, b, turn, 0, stop, done)));
                load.add(s.submit(() -> pingPong(b, a, turn, 1, stop, done)));
            }
            for (int i = 0; i < 4; i++) { // sleepers
                load.add(s.submit(() -> {
                    while (!stop.get()) {
                        Gmp.sleep(Duration.ofNanos(ThreadLocalRandom.current().nextInt(200_000)));
                        done.incrementAndGet();
                    }
                }));
            }
            for (int r = 0; r < rounds; r++) {
                s.setProcs(1 + ThreadLocalRandom.current().nextInt(4));
                long before = done.get();
                TestSupport.awaitCondition(s, "no progress after a resize", () -> done.get() > before);
            }
            stop.set(true);
            for (AtomicReference<Waiter> w : pingPongers) {
                Waiter x = w.get();
                if (x != null) {
                    x.unpark(); // a parked side wakes, sees stop and ends (a permit keeps a late park from sleeping)
                }
            }
            TestSupport.joinAll(s, load);
            SchedulerStats st = s.stats();
            assertEquals(0, st.carrierFailures(), st.toString());
            s.shutdown();
            assertTrue(s.awaitTermination(TestSupport.LIVENESS), "did not terminate\n" + TestSupport.describe(s));
            assertEquals(0, s.liveGoroutines());
        }
    }

    /** One side of a ping-pong over park/unpark: it runs on its turn, hands the turn over and wakes the other side. */
    private static void pingPong(AtomicReference<Waiter> me, AtomicReference<Waiter> other, AtomicLong turn, int side,
                                 AtomicBoolean stop, AtomicLong done) {
        me.set(Parking.currentWaiter());
        while (!stop.get()) {
            if (turn.get() % 2 == side) {
                turn.incrementAndGet();
                done.incrementAndGet();
                Waiter o = other.get();
                if (o != null) {
                    o.unpark();
                }
            } else {
                Parking.park(WaitReason.PARK);
            }
        }
    }

    @Test
    void badCountsAreRejectedAtTheCallNamingTheLimit() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scheduler.builder().maxProcs(0));
        assertTrue(e.getMessage().contains("maxProcs") && e.getMessage().contains("4096") && e.getMessage().contains("0"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Scheduler.builder().maxProcs(4097));
        assertTrue(e.getMessage().contains("4097"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Scheduler.builder().procs(4).maxProcs(2).build());
        assertTrue(e.getMessage().contains("maxProcs (2) must be >= procs (4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Scheduler.builder().procs(2).maxProcs(8).maxThreads(4).build());
        assertTrue(e.getMessage().contains("maxThreads (4) must be >= maxProcs (8)"), e.getMessage());
        Scheduler s = TestSupport.builder("bad").procs(1).maxProcs(2).build();
        try {
            e = assertThrows(IllegalArgumentException.class, () -> s.setProcs(3));
            assertEquals("procs must be between 1 and maxProcs (2, Builder.maxProcs), got 3", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.setProcs(0));
            assertTrue(e.getMessage().endsWith("got 0"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.setProcs(-5));
            assertTrue(e.getMessage().endsWith("got -5"), e.getMessage());
            assertEquals(1, s.procs(), "a rejected call changes nothing");
        } finally {
            s.close();
        }
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> s.setProcs(2));
        assertTrue(closed.getMessage().contains("has stopped"), closed.getMessage());
        AtomicReference<String> bubble = new AtomicReference<>();
        Synctest.run(1, () -> bubble.set(assertThrows(UnsupportedOperationException.class,
                () -> Gmp.currentScheduler().setProcs(1)).getMessage()));
        assertTrue(bubble.get().contains("Synctest.run(seed, procs, body)"), bubble.get());
    }

    @Test
    void defaultMaxProcsCoversTheMachineAndRespectsMaxThreads() {
        int cpus = Runtime.getRuntime().availableProcessors();
        try (Scheduler s = TestSupport.builder("default-max").procs(1).build()) {
            assertEquals(Math.max(1, cpus), s.maxProcs());
        }
        try (Scheduler s = TestSupport.builder("above-cpus").procs(cpus + 2).build()) {
            assertEquals(cpus + 2, s.maxProcs(), "procs above the machine's CPUs is its own bound");
        }
        try (Scheduler s = TestSupport.builder("few-threads").procs(1).maxThreads(1).build()) {
            assertEquals(1, s.maxProcs(), "the default bound never exceeds an explicit maxThreads");
        }
    }
}
