package gmpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/**
 * {@link Scheduler#goroutineCounts()}: goroutines by state, the waiting ones by reason. The walk is
 * racy while goroutines switch, so each expectation is polled for until the scheduler shows it
 * (never a sleep then an assertion).
 */
class GoroutineCountsTest {
    private static final int SLEEPERS = 7;
    private static final int PARKERS = 5;
    private static final int JOINERS = 3;

    @Test
    void countsEachGoroutineOnceByStateAndWaitReason() throws Exception {
        try (Scheduler s = TestSupport.builder("counts").procs(1).build()) {
            AtomicBoolean release = new AtomicBoolean();
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < SLEEPERS; i++) {
                tasks.add(s.submit(() -> {
                    while (!release.get()) {
                        Gmp.sleep(Duration.ofHours(1));
                    }
                }));
            }
            AtomicReferenceArray<Waiter> parkers = new AtomicReferenceArray<>(PARKERS);
            List<Task<Void>> parked = new ArrayList<>();
            for (int i = 0; i < PARKERS; i++) {
                int k = i;
                parked.add(s.submit(() -> {
                    parkers.set(k, Parking.currentWaiter());
                    while (!release.get()) {
                        Parking.park(WaitReason.PARK);
                    }
                }));
            }
            tasks.addAll(parked);
            for (int i = 0; i < JOINERS; i++) {
                tasks.add(s.submit(() -> {
                    parked.get(0).join();
                }));
            }
            // Two goroutines computing on the one processor: one running, the other runnable
            // (they take turns at their checkpoints, a time slice each).
            for (int i = 0; i < 2; i++) {
                tasks.add(s.submit(() -> {
                    while (!release.get()) {
                        TestSupport.cpuWork(1000);
                        Gmp.checkpoint();
                    }
                }));
            }
            // One in a blocking call: it holds its carrier, so it counts as running.
            CountDownLatch unblock = new CountDownLatch(1);
            tasks.add(s.submit(() -> {
                Gmp.blocking(() -> unblock.await());
                return null;
            }));

            Map<WaitReason, Integer> reasons = Map.of(WaitReason.SLEEP, SLEEPERS, WaitReason.PARK, PARKERS,
                    WaitReason.JOIN, JOINERS);
            GoroutineCounts expected = new GoroutineCounts(1, 2, SLEEPERS + PARKERS + JOINERS, reasons);
            TestSupport.awaitCondition(s, "counts " + expected + ", last seen " + s.goroutineCounts(),
                    () -> s.goroutineCounts().equals(expected));
            GoroutineCounts c = s.goroutineCounts();
            assertEquals(SLEEPERS, c.waiting(WaitReason.SLEEP));
            assertEquals(0, c.waiting(WaitReason.MUTEX));
            assertEquals(SLEEPERS + PARKERS + JOINERS + 2 + 1, c.total(), "the waiting, two computing, one blocking");
            assertTrue(c.toString().contains("sleep=" + SLEEPERS), c.toString());
            assertTrue(s.diag.detailLines().contains("goroutines=" + c.total()), s.diag.detailLines());

            release.set(true);
            unblock.countDown();
            for (int i = 0; i < PARKERS; i++) {
                parkers.get(i).unpark();
            }
            // The sleepers wait an hour: they are the only ones left once the others finished.
            GoroutineCounts sleepers = new GoroutineCounts(0, 0, SLEEPERS, Map.of(WaitReason.SLEEP, SLEEPERS));
            TestSupport.awaitCondition(s, "only the sleepers left, " + s.goroutineCounts(),
                    () -> s.goroutineCounts().equals(sleepers));
            s.shutdownNow(); // abandons the sleepers
        }
    }
}
