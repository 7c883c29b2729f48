package gmpj.core;

import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** Gmp.sleep and timed parks: every sleeper wakes, never early, on timers rather than carriers. */
class SleepAndTimersTest {

    @Test
    void hundredThousandSleepersAllWakeNoneEarlyOnTwoCarriers() {
        final int n = 100_000;
        final int procs = 2;
        final long sleepNanos = Duration.ofMillis(10).toNanos();
        try (Scheduler s = builder("sleep-100k").procs(procs).build()) {
            LongAdder woke = new LongAdder();
            AtomicInteger early = new AtomicInteger();
            AtomicLong worstEarlyNanos = new AtomicLong();
            for (int i = 0; i < n; i++) {
                s.go(() -> {
                    long before = System.nanoTime();
                    Gmp.sleep(Duration.ofMillis(10));
                    long after = System.nanoTime();
                    if (after - before < sleepNanos) {
                        early.incrementAndGet();
                        worstEarlyNanos.accumulateAndGet(sleepNanos - (after - before), Math::max);
                    }
                    woke.increment();
                });
            }
            boolean sawTimers = false;
            int maxThreads = 0;
            long deadline = System.nanoTime() + TestSupport.LIVENESS.toNanos();
            while (woke.sum() < n) {
                SchedulerStats st = s.stats();
                sawTimers |= st.timers() > 0;
                maxThreads = Math.max(maxThreads, st.threads());
                // A sleeper holds a timer, never a carrier. An extra carrier could only come from a
                // hand-off (a carrier stalled, e.g. by the OS); any such one must be counted there.
                assertTrue(st.threads() <= procs + st.handoffs(), "a carrier per sleeper?\n" + describe(s));
                assertTrue(System.nanoTime() - deadline < 0, "sleepers did not all wake: " + woke.sum() + "/" + n
                        + "\n" + describe(s));
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertEquals(0, early.get(), "sleepers woke before their deadline (worst by "
                    + worstEarlyNanos.get() + " ns)\n" + describe(s));
            assertTrue(sawTimers, "timers were never seen armed while goroutines slept\n" + describe(s));
            SchedulerStats st = s.stats();
            assertTrue(maxThreads <= procs + st.handoffs(), "max carriers " + maxThreads + "\n" + describe(s));
            TestSupport.awaitNoLiveGoroutines(s);
            awaitCondition(s, "timers left armed", () -> s.stats().timers() == 0);
        }
    }

    @Test
    void aDueTimerFiresWhileTheRunQueueIsNeverEmpty() {
        // Four goroutines yield to each other on one processor, so its run queue is never empty.
        // A sleeper's timer must still fire (Go checks timers before the run queues); before the
        // fix timers fired only once every queue had drained, and the yielders spun until their
        // liveness bound.
        try (Scheduler s = builder("timer-vs-queue").procs(1).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger gaveUp = new AtomicInteger();
            List<Task<Void>> yielders = new ArrayList<>();
            long giveUpAt = System.nanoTime() + Duration.ofSeconds(5).toNanos(); // a liveness bound, far above 1 ms
            for (int i = 0; i < 4; i++) {
                yielders.add(s.submit(() -> {
                    while (!stop.get()) {
                        if (System.nanoTime() - giveUpAt > 0) {
                            gaveUp.incrementAndGet();
                            return null;
                        }
                        Gmp.yield();
                    }
                    return null;
                }));
            }
            Task<Void> sleeper = s.submit(() -> {
                Gmp.sleep(Duration.ofMillis(1));
                stop.set(true);
                return null;
            });
            join(s, sleeper);
            TestSupport.joinAll(s, yielders);
            assertEquals(0, gaveUp.get(), "yielders ran out their liveness bound: the timer did not fire\n" + describe(s));
        }
    }

    /**
     * Four sleepers, armed out of order, wake in deadline order. The deadlines are set from a base a
     * margin ahead, so that every sleeper has armed its timer before the first one is due; on a
     * machine so loaded that one armed late (its deadline already past, so the order is not
     * defined), the round is run again with a four times larger margin, and the test fails (never
     * skips) if even the last margin was too short.
     */
    @Test
    void timersFireInDeadlineOrderOnOneProcessor() {
        try (Scheduler s = builder("sleep-order").procs(1).build()) {
            // Offsets from a common base: child k wakes at base + offsets[k]; submitted out of order.
            long[] offsetsMs = {150, 0, 100, 50};
            List<String> late = new ArrayList<>();
            for (long marginMs = 300; marginMs <= 19_200; marginMs *= 4) {
                AtomicBoolean allArmedInTime = new AtomicBoolean(true);
                List<Integer> order = wakeOrder(s, millisToNanos(offsetsMs), marginMs * 1_000_000, allArmedInTime);
                if (allArmedInTime.get()) {
                    assertEquals(List.of(1, 3, 2, 0), order, "wake-up order by deadline (margin " + marginMs + " ms)\n"
                            + describe(s));
                    return;
                }
                late.add(marginMs + " ms");
            }
            fail("a sleeper armed its timer after the first deadline with every margin tried (" + late + ")\n" + describe(s));
        }
    }

    /**
     * Timers that come due together, a microsecond apart, and so are fired in one batch, must still
     * run their goroutines in deadline order. Once, when a batch went to runnext one by one (each
     * displacing the one before), the last fired ran first. The carrier fires due timers on two
     * paths (every 8th pass of its search, into runnext; and after the queues, onto the ring), so
     * the round is repeated enough times to take both.
     */
    @Test
    void sleepersDueTogetherRunInDeadlineOrder() {
        try (Scheduler s = builder("sleep-batch").procs(1).build()) {
            long[] offsetsNanos = {3_000, 0, 2_000, 1_000};
            int checked = 0;
            for (int round = 0; round < 64; round++) {
                AtomicBoolean allArmedInTime = new AtomicBoolean(true);
                List<Integer> order = wakeOrder(s, offsetsNanos, Duration.ofMillis(5).toNanos(), allArmedInTime);
                if (allArmedInTime.get()) {
                    assertEquals(List.of(1, 3, 2, 0), order, "run order of sleepers due together, round " + round + "\n"
                            + describe(s));
                    checked++;
                }
            }
            assertTrue(checked >= 32, "only " + checked + " of 64 rounds armed every timer before the first was due\n"
                    + describe(s));
        }
    }

    private static long[] millisToNanos(long[] millis) {
        long[] nanos = new long[millis.length];
        for (int i = 0; i < millis.length; i++) {
            nanos[i] = Duration.ofMillis(millis[i]).toNanos();
        }
        return nanos;
    }

    /**
     * Spawns one sleeper per offset from a goroutine, each parking until {@code base + offset}
     * where {@code base} is {@code marginNanos} ahead, and returns the indices in the order the
     * sleepers woke. Clears {@code allArmedInTime} if one began its park after {@code base}.
     */
    private static List<Integer> wakeOrder(Scheduler s, long[] offsetsNanos, long marginNanos, AtomicBoolean allArmedInTime) {
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        Task<Void> parent = s.submit(() -> {
            long base = System.nanoTime() + marginNanos;
            List<Task<Void>> kids = new ArrayList<>();
            for (int k = 0; k < offsetsNanos.length; k++) {
                final int idx = k;
                final long myDeadline = base + offsetsNanos[k];
                kids.add(s.submit(() -> {
                    if (System.nanoTime() - base >= 0) {
                        allArmedInTime.set(false); // armed after the first deadline: order not defined
                    }
                    while (System.nanoTime() - myDeadline < 0) {
                        Parking.parkUntil(WaitReason.SLEEP, myDeadline);
                    }
                    order.add(idx);
                    return null;
                }));
            }
            for (Task<Void> kid : kids) {
                kid.join();
            }
            return null;
        });
        join(s, parent);
        return order;
    }

    @Test
    void earlyUnparkCancelsTheTimerAndTheCancelledTimerNeverWakesALaterPark() {
        try (Scheduler s = builder("sleep-cancel").procs(2).build()) {
            AtomicReference<Waiter> parked = new AtomicReference<>();
            AtomicBoolean timedParkUnparked = new AtomicBoolean();
            AtomicBoolean earlyWakeDone = new AtomicBoolean();
            AtomicBoolean released = new AtomicBoolean();
            AtomicInteger untimedReturns = new AtomicInteger();
            Task<Void> g = s.submit("cancel-victim", () -> {
                parked.set(Parking.currentWaiter());
                timedParkUnparked.set(Parking.parkNanos(WaitReason.PARK, Duration.ofMillis(200).toNanos()));
                earlyWakeDone.set(true);
                while (!released.get()) {
                    Parking.park(WaitReason.CHAN_RECV);
                    if (!released.get()) {
                        untimedReturns.incrementAndGet();
                    }
                }
                return null;
            });
            awaitCondition(s, "the timed park's timer", () -> s.stats().timers() == 1);
            parked.get().unpark();
            awaitCondition(s, "early wake", earlyWakeDone::get);
            assertTrue(timedParkUnparked.get(), "woken by unpark, not by its timer\n" + describe(s));
            awaitCondition(s, "the cancelled timer disarmed", () -> s.stats().timers() == 0);
            awaitCondition(s, "goroutine parked again without a deadline", () -> s.goroutines().stream()
                    .anyMatch(i -> "cancel-victim".equals(i.name()) && "waiting".equals(i.state())
                            && i.waitReason() == WaitReason.CHAN_RECV));
            // Outlast the cancelled timer's deadline by a later timer: timers fire in deadline order.
            Task<Void> later = s.submit(() -> {
                Gmp.sleep(Duration.ofMillis(400));
                return null;
            });
            join(s, later);
            assertEquals(0, untimedReturns.get(), "the cancelled timer woke the goroutine's later park\n" + describe(s));
            assertTrue(s.goroutines().stream().anyMatch(i -> "cancel-victim".equals(i.name()) && "waiting".equals(i.state())),
                    "still parked\n" + s.dump());
            released.set(true);
            parked.get().unpark();
            join(s, g);
            assertEquals(0, s.stats().timers(), describe(s));
        }
    }
}
