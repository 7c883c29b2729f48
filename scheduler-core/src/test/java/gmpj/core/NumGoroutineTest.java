package gmpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/**
 * {@link Gmp#numGoroutine()}: the process-wide count of live goroutines. Other test classes of the
 * same JVM may leave schedulers behind that are not yet collected, so each expectation is about the
 * count minus what those other schedulers report, polled for until it holds (the count is exact
 * only once quiet).
 */
class NumGoroutineTest {
    private static final int IN_A = 3;
    private static final int IN_B = 2;

    /** Live goroutines of every scheduler in {@link Scheduler#all()} other than {@code mine}. */
    private static long others(Scheduler... mine) {
        long n = 0;
        outer:
        for (Scheduler s : Scheduler.all()) {
            for (Scheduler m : mine) {
                if (s == m) {
                    continue outer;
                }
            }
            n += s.liveGoroutines();
        }
        return n;
    }

    /** Spawns {@code count} goroutines on {@code s} that park until {@code release}; records their waiters. */
    private static List<Task<Void>> parkers(Scheduler s, int count, AtomicBoolean release,
            AtomicReferenceArray<Waiter> waiters, int from) {
        List<Task<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int k = from + i;
            tasks.add(s.submit(() -> {
                waiters.set(k, Parking.currentWaiter());
                while (!release.get()) {
                    Parking.park(WaitReason.PARK);
                }
            }));
        }
        return tasks;
    }

    @Test
    void countsTheParkedGoroutinesOfEveryScheduler() {
        try (Scheduler a = TestSupport.builder("num-a").procs(1).build();
                Scheduler b = TestSupport.builder("num-b").procs(2).build()) {
            AtomicBoolean release = new AtomicBoolean();
            AtomicReferenceArray<Waiter> waiters = new AtomicReferenceArray<>(IN_A + IN_B);
            List<Task<Void>> tasks = new ArrayList<>(parkers(a, IN_A, release, waiters, 0));
            tasks.addAll(parkers(b, IN_B, release, waiters, IN_A));

            AtomicLong seen = new AtomicLong();
            TestSupport.awaitCondition(() -> {
                seen.set(Gmp.numGoroutine() - others(a, b));
                return seen.get() == IN_A + IN_B && a.goroutineCounts().waiting(WaitReason.PARK) == IN_A
                        && b.goroutineCounts().waiting(WaitReason.PARK) == IN_B;
            }, TestSupport.LIVENESS, () -> "expected " + (IN_A + IN_B) + " parked goroutines of a and b, last seen " + seen
                    + "\na: " + TestSupport.describe(a) + "\nb: " + TestSupport.describe(b));
            assertEquals(IN_A, a.liveGoroutines());
            assertEquals(IN_B, b.liveGoroutines());

            release.set(true);
            for (int i = 0; i < IN_A + IN_B; i++) {
                waiters.get(i).unpark();
            }
            TestSupport.joinAll(a, tasks.subList(0, IN_A));
            TestSupport.joinAll(b, tasks.subList(IN_A, IN_A + IN_B));
            TestSupport.awaitCondition(() -> {
                seen.set(Gmp.numGoroutine() - others(a, b));
                return seen.get() == 0;
            }, TestSupport.LIVENESS, () -> "expected none left, last seen " + seen);
        }
    }

    /** The documented exception: a bubble is not among the schedulers the count sums over. */
    @Test
    void leavesOutTheGoroutinesOfASynctestBubble() {
        AtomicBoolean listed = new AtomicBoolean();
        Synctest.run(() -> {
            Scheduler bubble = Gmp.currentScheduler();
            listed.set(Arrays.asList(Scheduler.all()).contains(bubble));
        });
        assertFalse(listed.get(), "a bubble among the schedulers Gmp.numGoroutine sums");
    }
}
