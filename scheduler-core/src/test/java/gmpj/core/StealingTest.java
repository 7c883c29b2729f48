package gmpj.core;

import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static gmpj.core.TestSupport.yieldUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Work stealing under an unbalanced load, and every built-in policy under a mixed workload. */
class StealingTest {

    /**
     * One goroutine spawns every worker, so they all start on its processor; workers keep
     * yielding (back onto that processor's ring, never the global queue) until both processors
     * have run goroutines. The ring (100 of 256 slots) never overflows, so the only way the other
     * processor gets work is to steal it.
     */
    @Test
    void unbalancedLoadIsStolenSoEveryProcessorRunsGoroutines() {
        try (Scheduler s = builder("unbalanced").procs(2).stealPolicy(StealPolicy.go()).build()) {
            AtomicBoolean done = new AtomicBoolean();
            List<Task<Void>> workers = new ArrayList<>();
            join(s, s.submit(() -> {
                Scheduler self = Gmp.currentScheduler();
                for (int i = 0; i < 100; i++) {
                    workers.add(self.submit(() -> {
                        while (!done.get()) {
                            TestSupport.cpuWork(2_000);
                            Gmp.yield();
                        }
                    }));
                }
            }));
            try {
                awaitCondition(s, "expected steals and runs on every processor",
                        () -> s.stats().steals() > 0 && s.stats().perProc().stream().allMatch(p -> p.runs() > 0));
            } finally {
                done.set(true);
            }
            TestSupport.joinAll(s, workers);
            SchedulerStats st = s.stats();
            assertEquals(0, st.overflows(), "the load must stay in the local ring for this test to mean anything\n" + st);
            assertTrue(st.stolen() >= st.steals(), "each steal moves at least one goroutine\n" + st);
        }
    }

    static Stream<Arguments> policiesAndProcs() {
        return StealPolicy.builtIns().stream()
                .flatMap(p -> Stream.of(1, 2, 4).map(procs -> Arguments.of(p, procs)));
    }

    /**
     * Parents spawned from outside each spawn two children and a few fire-and-forget goroutines;
     * the children yield, one parks until the other unparks it, and the parent joins both.
     */
    @ParameterizedTest(name = "{0}, procs={1}")
    @MethodSource("policiesAndProcs")
    void everyBuiltInPolicyCompletesAMixedWorkload(StealPolicy policy, int procs) {
        int parents = 300;
        int fireAndForget = 3;
        try (Scheduler s = builder("mixed-" + policy.name() + "-" + procs).procs(procs).stealPolicy(policy).build()) {
            AtomicInteger sideEffects = new AtomicInteger();
            List<Task<Long>> tasks = new ArrayList<>();
            for (int i = 0; i < parents; i++) {
                long n = i;
                tasks.add(s.submit(() -> {
                    Scheduler self = Gmp.currentScheduler();
                    AtomicReference<Waiter> parked = new AtomicReference<>();
                    AtomicBoolean released = new AtomicBoolean();
                    Task<Long> sleeper = self.submit(() -> {
                        Gmp.yield();
                        parked.set(Parking.currentWaiter());
                        while (!released.get()) {
                            Parking.park(WaitReason.PARK);
                        }
                        return n;
                    });
                    Task<Long> waker = self.submit(() -> {
                        Gmp.yield();
                        yieldUntil(() -> parked.get() != null, "the sleeper's waiter");
                        released.set(true);
                        parked.get().unpark();
                        Gmp.yield();
                        return 2 * n;
                    });
                    for (int k = 0; k < fireAndForget; k++) {
                        self.go(sideEffects::incrementAndGet);
                    }
                    return sleeper.join() + waker.join();
                }));
            }
            for (int i = 0; i < parents; i++) {
                assertEquals(3L * i, join(s, tasks.get(i)), "parent " + i);
            }
            awaitCondition(s, "fire-and-forget goroutines", () -> sideEffects.get() == parents * fireAndForget);
            TestSupport.awaitNoLiveGoroutines(s);
            SchedulerStats st = s.stats();
            assertEquals(parents * (3L + fireAndForget), st.exits(), describe(s));
            assertTrue(st.parks() > 0, "the workload parks\n" + st);
            if (policy == StealPolicy.none()) {
                assertEquals(0, st.steals(), "policy none must never steal\n" + st);
            }
        }
    }
}
