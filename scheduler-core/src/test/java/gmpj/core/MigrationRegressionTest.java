package gmpj.core;

import static gmpj.core.TestSupport.LIVENESS;
import static gmpj.core.TestSupport.awaitProgress;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/**
 * Regression test for a bug found while building the runtime: a goroutine's identity used to be
 * looked up through {@code Thread.currentThread()} (the carrier, then its current goroutine). Once
 * the goroutine code was JIT-compiled, C2 kept a {@code currentThread()} value from before a park,
 * so after the goroutine woke up on the other carrier it read the old carrier, and with it another
 * goroutine: about 40% of the checks below failed. Identity now comes from the mounted
 * continuation ({@link Gmp#currentG()}), which is the goroutine itself.
 *
 * <p>The set-up forces migrations: an outside thread readies the goroutines, so they go to the
 * global queue and either carrier may take them; 200k rounds each get the loop JIT-compiled.
 */
class MigrationRegressionTest {

    @Test
    void goroutineIdentityIsStableAcrossMigrationsBetweenCarriers() {
        int goroutines = 8;
        int rounds = 200_000;
        try (Scheduler s = builder("migration").procs(2).build()) {
            AtomicReferenceArray<Waiter> waiters = new AtomicReferenceArray<>(goroutines);
            AtomicIntegerArray tokens = new AtomicIntegerArray(goroutines);
            AtomicIntegerArray progress = new AtomicIntegerArray(goroutines);
            AtomicInteger finished = new AtomicInteger();
            AtomicLong checks = new AtomicLong();
            AtomicLong mismatches = new AtomicLong();
            AtomicReference<String> firstMismatch = new AtomicReference<>();
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < goroutines; i++) {
                int slot = i;
                tasks.add(s.submit(() -> {
                    long id = Gmp.goid();
                    Waiter me = Parking.currentWaiter();
                    waiters.set(slot, me);
                    long local = 0;
                    for (int r = 0; r < rounds; r++) {
                        while (!tokens.compareAndSet(slot, 1, 0)) {
                            Parking.park(WaitReason.PARK);
                        }
                        long nowId = Gmp.goid();
                        Waiter nowWaiter = Parking.currentWaiter();
                        if (nowId != id || nowWaiter != me) {
                            mismatches.incrementAndGet();
                            firstMismatch.compareAndSet(null, "goroutine " + id + " in round " + r + " saw goid " + nowId
                                    + " and waiter " + nowWaiter + " instead of " + me);
                        }
                        local++;
                        progress.lazySet(slot, r + 1);
                    }
                    checks.addAndGet(local);
                    finished.incrementAndGet();
                }));
            }
            Thread unparker = Thread.ofPlatform().name("migration-unparker").start(() -> {
                while (finished.get() < goroutines) {
                    for (int i = 0; i < goroutines; i++) {
                        Waiter w = waiters.get(i);
                        if (w != null && tokens.get(i) == 0 && tokens.compareAndSet(i, 0, 1)) {
                            w.unpark();
                        }
                    }
                    Thread.onSpinWait();
                }
            });
            try {
                awaitProgress(() -> rounds(progress), () -> finished.get() == goroutines,
                        () -> "goroutines did not finish their rounds: " + progress + "\n" + describe(s));
            } finally {
                finished.set(goroutines); // stops the unparker even on failure
            }
            assertTimeoutPreemptively(LIVENESS, () -> unparker.join());
            TestSupport.joinAll(s, tasks);

            SchedulerStats st = s.stats();
            assertEquals((long) goroutines * rounds, checks.get());
            assertEquals(0, mismatches.get(), mismatches.get() + " of " + checks.get() + " identity checks failed; first: "
                    + firstMismatch.get());
            assertTrue(st.externalReadies() > 0 && st.perProc().stream().allMatch(p -> p.runs() > 0),
                    "the set-up must ready goroutines from outside onto both carriers\n" + st);
        }
    }

    /** Rounds completed by all goroutines together. */
    private static long rounds(AtomicIntegerArray progress) {
        long sum = 0;
        for (int i = 0; i < progress.length(); i++) {
            sum += progress.get(i);
        }
        return sum;
    }
}
