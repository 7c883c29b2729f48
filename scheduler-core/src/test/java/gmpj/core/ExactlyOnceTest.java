package gmpj.core;

import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * A million goroutines, each run exactly once, whether spawned from outside (the global queue) or
 * from inside a goroutine (runnext, the local ring, its overflow to the global queue, and steals).
 */
class ExactlyOnceTest {
    /**
     * The spawners below never yield: with the default 10 ms slice, sysmon would hand their
     * processor to another carrier after two slices (a hog) and later spawns would go to the global
     * queue. These tests are about the local ring, so the slice is made too long to matter.
     */
    private static final java.time.Duration NO_HOG_HANDOFF = java.time.Duration.ofHours(1);

    private static final int N = 1_000_000;

    /**
     * Checks, once the scheduler is closed (so no goroutine can still run), that every slot was
     * hit exactly once.
     */
    private static void assertEachRanOnce(AtomicIntegerArray hits, String stats) {
        int missing = 0;
        int repeated = 0;
        int firstBad = -1;
        for (int i = 0; i < hits.length(); i++) {
            int h = hits.get(i);
            if (h != 1) {
                missing += h == 0 ? 1 : 0;
                repeated += h > 1 ? 1 : 0;
                firstBad = firstBad < 0 ? i : firstBad;
            }
        }
        if (missing + repeated != 0) {
            fail(missing + " goroutine(s) never ran and " + repeated + " ran more than once (first bad index "
                    + firstBad + ")\n" + stats);
        }
    }

    @Test
    void millionGoroutinesSpawnedFromOutsideEachRunExactlyOnce() {
        AtomicIntegerArray hits = new AtomicIntegerArray(N);
        String stats;
        try (Scheduler s = builder("outside").procs(2).build()) {
            for (int i = 0; i < N; i++) {
                int index = i;
                s.go(() -> hits.incrementAndGet(index));
            }
            TestSupport.awaitNoLiveGoroutines(s);
            stats = describe(s);
            assertEquals(N, s.stats().externalSpawns(), stats);
            assertEquals(N, s.stats().exits(), stats);
        }
        assertEachRanOnce(hits, stats);
    }

    @Test
    void millionGoroutinesSpawnedFromOneGoroutineOnTwoProcsEachRunExactlyOnce() {
        AtomicIntegerArray hits = new AtomicIntegerArray(N);
        String stats;
        try (Scheduler s = builder("inside2").procs(2).runQueueCapacity(4).timeSlice(NO_HOG_HANDOFF).build()) {
            join(s, s.submit(() -> {
                Scheduler self = Gmp.currentScheduler();
                for (int i = 0; i < N; i++) {
                    int index = i;
                    self.go(() -> hits.incrementAndGet(index));
                }
            }));
            TestSupport.awaitNoLiveGoroutines(s);
            SchedulerStats st = s.stats();
            stats = describe(s);
            assertEquals(N + 1, st.spawns(), stats);
            assertEquals(N + 1, st.exits(), stats);
            // The spawner never yields; to keep its 4-slot ring from filling, the other processor
            // would have to steal within every few spawns for a million spawns in a row.
            assertTrue(st.overflows() > 0, "a 4-slot ring fed a million goroutines must overflow\n" + stats);
        }
        assertEachRanOnce(hits, stats);
    }

    @Test
    void millionGoroutinesSpawnedFromOneGoroutineOnOneProcOverflowTheDefaultRing() {
        AtomicIntegerArray hits = new AtomicIntegerArray(N);
        String stats;
        try (Scheduler s = builder("inside1").procs(1).timeSlice(NO_HOG_HANDOFF).build()) {
            join(s, s.submit(() -> {
                Scheduler self = Gmp.currentScheduler();
                for (int i = 0; i < N; i++) {
                    int index = i;
                    self.go(() -> hits.incrementAndGet(index));
                }
            }));
            TestSupport.awaitNoLiveGoroutines(s);
            SchedulerStats st = s.stats();
            stats = describe(s);
            // With one processor and a spawner that never yields, nothing drains the 256-slot ring
            // while the million spawns go on: it must spill to the global queue, every 129 spawns.
            assertTrue(st.overflows() >= (N - 257) / 129, "overflows of a never-drained 256-slot ring\n" + stats);
            assertTrue(st.globalTakes() > 0, "spilled goroutines come back through the global queue\n" + stats);
            assertEquals(N + 1, st.exits(), stats);
        }
        assertEachRanOnce(hits, stats);
    }
}
