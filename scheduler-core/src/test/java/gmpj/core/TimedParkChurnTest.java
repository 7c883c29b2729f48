package gmpj.core;

import static gmpj.core.TestSupport.awaitProgress;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/**
 * Goroutines that keep arming short timed parks and unparking each other at random, on more
 * processors than cores, so that they migrate between carriers all the time.
 *
 * <p>Found a bug: the timer heaps and the idle list were guarded by {@code ReentrantLock}, which
 * records its owner as {@code Thread.currentThread()}. A goroutine cancelling its timer after a
 * park runs compiled code that may still see the carrier it ran on before migrating, so two
 * threads could hold the lock at once (corrupted heaps: NPEs in the heap's sift) or it was left
 * held by nobody (every carrier blocked in {@code TimerQueue.cancel}; the run hung in 2 of 3
 * tries). Both are now {@link SpinLock}s, which do not care who calls them.
 */
class TimedParkChurnTest {

    @Test
    void timedParksRacingRandomUnparksNeitherHangNorCorruptTheTimerHeaps() throws Exception {
        int goroutines = 32;
        int rounds = 20_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong done = new AtomicLong();
        try (Scheduler s = builder("timed-churn").procs(4)
                .uncaughtExceptionHandler((id, name, e) -> failure.compareAndSet(null, e)).build()) {
            AtomicReferenceArray<Waiter> waiters = new AtomicReferenceArray<>(goroutines);
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < goroutines; i++) {
                int me = i;
                tasks.add(s.submit(() -> {
                    waiters.set(me, Parking.currentWaiter());
                    SplittableRandom random = new SplittableRandom(me);
                    for (int k = 0; k < rounds; k++) {
                        Parking.parkNanos(WaitReason.PARK, random.nextInt(100_000));
                        Waiter other = waiters.get(random.nextInt(goroutines));
                        if (other != null) {
                            other.unpark();
                        }
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            long total = (long) goroutines * rounds;
            awaitProgress(done::get, () -> tasks.stream().allMatch(Task::isDone),
                    () -> "stuck after " + done.get() + " of " + total + " rounds\n" + describe(s) + "\n" + s.dump());
            TestSupport.joinAll(s, tasks);
            assertNull(failure.get(), "a goroutine failed");
            assertEquals((long) goroutines * rounds, done.get());
        }
    }
}
