package gmpj.core;

import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The runtime's own failures: a broken steal policy, carrier code that throws, a carrier thread
 * that cannot start, and carriers left over after a burst of blocking calls.
 */
class CarrierFailureTest {
    private static final int GOROUTINES = 2_000;

    /** A policy that behaves like Go's except for one broken answer. */
    private abstract static class Broken implements StealPolicy {
        @Override
        public String name() {
            return "broken";
        }

        @Override
        public int amount(int queued) {
            return StealPolicy.go().amount(queued);
        }
    }

    private static long count(Queue<String> lines, String text) {
        return lines.stream().filter(l -> l.contains(text)).count();
    }

    /** Runs {@link #GOROUTINES} goroutines spawned by one goroutine, so the other processor must steal. */
    private static void runAllStolenWork(Scheduler s) {
        AtomicInteger ran = new AtomicInteger();
        Task<Void> spawner = s.submit(() -> {
            for (int i = 0; i < GOROUTINES; i++) {
                s.go(() -> {
                    TestSupport.cpuWork(2_000);
                    ran.incrementAndGet();
                });
            }
            return null;
        });
        join(s, spawner);
        awaitCondition(s, "all goroutines ran, " + ran + " of " + GOROUTINES, () -> ran.get() == GOROUTINES);
    }

    private static void checkPolicyReplaced(StealPolicy broken, String what) {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler s = builder("policy-" + what).procs(2).stealPolicy(broken).diagnostics(diag::add).build()) {
            runAllStolenWork(s);
            awaitCondition(s, "the failure reported: " + diag, () -> count(diag, "steal policy 'broken'") == 1);
            assertSame(StealPolicy.go(), s.stealPolicy(), "replaced by Go's policy");
            runAllStolenWork(s); // and reported once only
            assertEquals(1, count(diag, "steal policy"), diag.toString());
            assertEquals(0, count(diag, "failed outside any goroutine"), "no carrier died: " + diag);
        }
    }

    @Test
    void aStealPolicyThatThrowsIsReportedOnceAndReplaced() {
        checkPolicyReplaced(new Broken() {
            @Override
            public int order(int thief, Victims victims, int[] out) {
                throw new IllegalStateException("policy bug");
            }
        }, "throws");
    }

    @Test
    void aStealPolicyNamingAVictimOutOfRangeIsReportedOnceAndReplaced() {
        checkPolicyReplaced(new Broken() {
            @Override
            public int order(int thief, Victims victims, int[] out) {
                out[0] = 99;
                return 1;
            }
        }, "bad-victim");
    }

    @Test
    void aStealPolicyReturningTooManyVictimsIsReportedOnceAndReplaced() {
        checkPolicyReplaced(new Broken() {
            @Override
            public int order(int thief, Victims victims, int[] out) {
                return victims.count() + 5;
            }
        }, "oversized");
    }

    @Test
    void aCarrierKilledByAnErrorHandsItsProcessorOnAndIsReported() {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        StealPolicy fatal = new Broken() {
            @Override
            public int order(int thief, Victims victims, int[] out) {
                throw new AssertionError("fatal policy bug");
            }
        };
        try (Scheduler s = builder("carrier-dies").procs(2).stealPolicy(fatal).diagnostics(diag::add).build()) {
            runAllStolenWork(s);
            awaitCondition(s, "the carrier's death reported: " + diag, () -> count(diag, "failed outside any goroutine") == 1);
            assertTrue(diag.stream().anyMatch(l -> l.contains("fatal policy bug") && l.contains("goes to another carrier")),
                    diag.toString());
            assertEquals(2, s.carrierStates().size(), "the dead carrier was replaced: " + describe(s));
            assertEquals(1, s.stats().carrierFailures(), describe(s));
            runAllStolenWork(s); // both processors still work
        }
    }

    @Test
    void aProcessorWhoseReplacementCarrierCannotStartYetIsAdoptedLater() {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        AtomicBoolean armed = new AtomicBoolean();
        AtomicBoolean failNextStart = new AtomicBoolean();
        Consumer<Thread> starter = t -> {
            if (failNextStart.compareAndSet(true, false)) {
                throw new OutOfMemoryError("unable to create native thread: simulated");
            }
            t.start();
        };
        StealPolicy fatalOnce = new Broken() {
            @Override
            public int order(int thief, Victims victims, int[] out) {
                if (armed.compareAndSet(true, false)) {
                    throw new AssertionError("fatal policy bug");
                }
                return StealPolicy.go().order(thief, victims, out);
            }
        };
        try (Scheduler s = builder("orphan").procs(2).stealPolicy(fatalOnce).diagnostics(diag::add).threadStarter(starter).build()) {
            failNextStart.set(true);
            armed.set(true);
            runAllStolenWork(s);
            awaitCondition(s, "the carrier died: " + diag, () -> count(diag, "failed outside any goroutine") == 1);
            awaitCondition(s, "the processor adopted: " + diag, () -> s.carrierStates().size() == 2 && s.carriers.orphanCount == 0);
            assertEquals(1, count(diag, "could not start a carrier thread"), diag.toString());
            runAllStolenWork(s);
        }
    }

    @Test
    void aHandOffWhoseCarrierCannotStartLeavesTheProcessorWithItsHolder() {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        AtomicInteger starts = new AtomicInteger();
        Consumer<Thread> starter = t -> {
            if (starts.incrementAndGet() > 2) { // the carrier and sysmon start; every later carrier fails
                throw new OutOfMemoryError("unable to create native thread: simulated");
            }
            t.start();
        };
        Scheduler s = builder("handoff-start-fails").procs(1).diagnostics(diag::add).threadStarter(starter).build();
        AtomicBoolean release = new AtomicBoolean();
        Task<Void> blocked = s.submit(() -> {
            Gmp.blocking(() -> {
                while (!release.get()) {
                    Thread.onSpinWait();
                }
                return null;
            });
            return null;
        });
        awaitCondition(s, "blocking call entered", () -> s.stats().blockingCalls() == 1);
        AtomicInteger ran = new AtomicInteger();
        List<Task<Integer>> others = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            others.add(s.submit(ran::incrementAndGet));
        }
        awaitCondition(s, "the failed start reported: " + diag, () -> count(diag, "could not start a carrier thread") == 1);
        release.set(true);
        awaitCondition(s, "the 100 ran, " + ran + " so far", () -> ran.get() == 100);
        join(s, blocked);
        TestSupport.joinAll(s, others);
        s.close(TestSupport.LIVENESS); // throws if anything was stranded
        assertEquals(0, s.stats().handoffs());
    }

    @Test
    void spareCarriersRetireAfterTheirKeepAlive() {
        int blockers = 20;
        try (Scheduler s = builder("spares").procs(1).spareKeepAlive(Duration.ofMillis(100)).diagnostics(l -> { }).build()) {
            CountDownLatch release = new CountDownLatch(1);
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < blockers; i++) {
                tasks.add(s.submit(() -> {
                    Gmp.blocking(() -> {
                        release.await();
                        return null;
                    });
                    return null;
                }));
            }
            awaitCondition(s, "all in blocking calls", () -> s.stats().blockingCalls() == blockers);
            assertTrue(s.carrierStates().size() >= blockers, describe(s));
            release.countDown();
            TestSupport.joinAll(s, tasks);
            awaitCondition(s, "spares retired", () -> s.carrierStates().size() == 1
                    && TestSupport.liveThreadsNamed(s.name() + "-m").size() == 1);
            assertEquals(7, join(s, s.submit(() -> 7)), "the remaining carrier still runs goroutines");
            assertTrue(s.stats().sparesRetired() >= blockers - 1, describe(s));
        }
    }
}
