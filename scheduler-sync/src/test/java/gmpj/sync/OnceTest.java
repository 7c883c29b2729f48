package gmpj.sync;

import static gmpj.sync.SyncTestSupport.join;
import static gmpj.sync.SyncTestSupport.runTogether;
import static gmpj.sync.SyncTestSupport.scheduler;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import gmpj.core.StealPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Once and Once.value: exactly once, everybody waits for the end, Go's rule for exceptions. */
class OnceTest {

    /** A resource published through the Once only: plain fields, no other synchronisation. */
    private static final class Resource {
        Map<String, Integer> config;
        boolean ready;
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void initialisesASharedResourceOnceForManyGoroutinesAndThreadsAndAllSeeIt(int procs) {
        Once once = new Once();
        AtomicInteger inits = new AtomicInteger();
        Resource r = new Resource();
        try (Scheduler s = scheduler("init", procs)) {
            runTogether(s, 500, 3, i -> {
                once.run(() -> {
                    inits.incrementAndGet();
                    Gmp.sleep(Duration.ofMillis(2)); // long enough that others arrive and wait meanwhile
                    r.config = Map.of("size", 42);
                    r.ready = true; // the last write: a caller that returns early would miss it
                });
                if (!r.ready || r.config.get("size") != 42) {
                    throw new AssertionError("caller " + i + " returned before the action finished, or missed its writes");
                }
            });
        }
        assertEquals(1, inits.get());
        assertTrue(once.isDone());
    }

    @Test
    void throwingActionCountsAsDoneAndOnlyItsRunnerSeesTheException() {
        Once once = new Once();
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> once.run(() -> {
            throw boom;
        }));
        assertSame(boom, thrown);
        assertTrue(once.isDone());
        AtomicInteger again = new AtomicInteger();
        once.run(again::incrementAndGet); // Go's rule: not retried, no exception for later callers
        try (Scheduler s = scheduler("throw", 2)) {
            join(s, s.submit(() -> once.run(again::incrementAndGet)));
        }
        assertEquals(0, again.get());
    }

    @Test
    void runFromInsideItsOwnActionThrowsInsteadOfWaitingForever() {
        Once once = new Once();
        try (Scheduler s = scheduler("recursive", 1)) {
            IllegalStateException e = join(s, s.submit(() -> {
                try {
                    once.run(() -> once.run(() -> { }));
                    return null;
                } catch (IllegalStateException ex) {
                    return ex;
                }
            }));
            assertTrue(e != null && e.getMessage().startsWith("Once.run called from inside its own action"), String.valueOf(e));
        }
        assertTrue(once.isDone());
        IllegalStateException onThread = assertThrows(IllegalStateException.class,
                () -> new Once().run(() -> { throw new IllegalStateException("from the action itself"); }));
        assertEquals("from the action itself", onThread.getMessage());
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void valueComputesOnceAndEveryCallerGetsTheSameResult(int procs) {
        AtomicInteger calls = new AtomicInteger();
        Supplier<int[]> table = Once.value(() -> {
            calls.incrementAndGet();
            Gmp.yield();
            int[] t = new int[100];
            for (int i = 0; i < t.length; i++) {
                t[i] = i * i;
            }
            return t;
        });
        int[][] seen = new int[203][];
        try (Scheduler s = scheduler("value", procs)) {
            runTogether(s, 200, 3, i -> seen[i] = table.get());
        }
        assertEquals(1, calls.get());
        for (int[] t : seen) {
            assertSame(seen[0], t);
        }
        assertEquals(99 * 99, seen[0][99]);
    }

    @Test
    void valueRethrowsTheSameFailureToEveryCaller() {
        AtomicInteger calls = new AtomicInteger();
        Supplier<String> failing = Once.value(() -> {
            calls.incrementAndGet();
            throw new UnsupportedOperationException("no value");
        });
        UnsupportedOperationException first = assertThrows(UnsupportedOperationException.class, failing::get);
        UnsupportedOperationException second = assertThrows(UnsupportedOperationException.class, failing::get);
        assertSame(first, second);
        assertEquals(1, calls.get());
        assertFalse(failing.toString().contains("not run"));
    }

    /**
     * User code that runs on a carrier thread outside any goroutine (here a steal policy, called
     * while a carrier looks for work) may use a Once as a lazy initialiser: the first caller runs
     * the action. It used to ask for the caller's waiter before claiming the action, which throws
     * there, so the policy failed and was replaced by Go's.
     */
    @Test
    void theFirstCallerOnACarrierOutsideAnyGoroutineRunsTheAction() {
        Once once = new Once();
        AtomicInteger inits = new AtomicInteger();
        StealPolicy go = StealPolicy.go();
        StealPolicy lazy = new StealPolicy() {
            @Override
            public int order(int thief, Victims victims, int[] out) {
                once.run(inits::incrementAndGet);
                return go.order(thief, victims, out);
            }

            @Override
            public int amount(int queued) {
                return go.amount(queued);
            }

            @Override
            public String name() {
                return "lazy";
            }
        };
        List<String> diagnostics = new CopyOnWriteArrayList<>();
        try (Scheduler s = Scheduler.builder().name("once-carrier").procs(2).stealPolicy(lazy)
                .diagnostics(diagnostics::add).closeTimeout(SyncTestSupport.LIVENESS).build()) {
            SyncTestSupport.awaitCondition("no carrier ever looked for work to steal", () -> {
                runTogether(s, 64, 0, i -> Gmp.yield());
                return inits.get() > 0 || s.stealPolicy() != lazy;
            });
            assertSame(lazy, s.stealPolicy(), "the policy failed and was replaced: " + diagnostics);
            assertEquals(1, inits.get());
        }
    }
}
