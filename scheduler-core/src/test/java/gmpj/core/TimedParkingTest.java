package gmpj.core;

import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Timed parks, sleeping and join with a timeout: checked by what happens, never by how long it took. */
class TimedParkingTest {

    private static long timersFired(Scheduler s) {
        return s.stats().perProc().stream().mapToLong(SchedulerStats.ProcStats::timersFired).sum();
    }

    @Test
    void deadlinesBeyondTheNanosecondRangeSaturateTheRightWay() {
        long now = System.nanoTime();
        // Far past: already expired (it used to saturate to "never").
        assertTrue(Parking.deadlineAfter(Duration.ofSeconds(Long.MIN_VALUE / 2)) - System.nanoTime() <= 0);
        assertFalse(Parking.parkUntil(WaitReason.PARK, Parking.deadlineAfter(Duration.ofSeconds(Long.MIN_VALUE / 2))));
        // Far future: still in the future, without overflowing.
        assertTrue(Parking.deadlineAfter(Duration.ofSeconds(Long.MAX_VALUE / 2)) - now > 0);
    }

    @Test
    void parkNanosWithoutUnparkReturnsFalseWhenItsTimeRunsOut() {
        try (Scheduler s = builder("park-timeout").procs(1).build()) {
            Task<Boolean> t = s.submit(() -> Parking.parkNanos(WaitReason.PARK, 20_000_000));
            assertFalse(join(s, t), "nobody unparked it: the time ran out");
            assertTrue(timersFired(s) >= 1, "only its timer could have woken it\n" + describe(s));
            assertEquals(0, s.stats().timers(), describe(s));
        }
    }

    @Test
    void parkUntilAPassedDeadlineReturnsFalseAtOnce() {
        try (Scheduler s = builder("park-past").procs(1).build()) {
            Task<Boolean> t = s.submit(() -> Parking.parkUntil(WaitReason.PARK, System.nanoTime() - 1));
            assertFalse(join(s, t));
            assertFalse(Parking.parkUntil(WaitReason.PARK, System.nanoTime() - 1), "same from a plain thread");
        }
    }

    @Test
    void unparkDuringALongTimedParkWakesItEarly() {
        try (Scheduler s = builder("park-early").procs(2).build()) {
            AtomicReference<Waiter> parked = new AtomicReference<>();
            Task<Boolean> t = s.submit(() -> {
                parked.set(Parking.currentWaiter());
                return Parking.parkNanos(WaitReason.PARK, Duration.ofHours(1).toNanos());
            });
            awaitCondition(s, "the hour-long park's timer", () -> s.stats().timers() == 1);
            parked.get().unpark();
            assertTrue(join(s, t), "an unparked timed park reports true");
            assertEquals(0, s.stats().timers(), "the woken goroutine cancels its timer\n" + describe(s));
        }
    }

    @Test
    void joinWithTimeoutThrowsTimeoutExceptionForAGoroutineParkedForever() {
        try (Scheduler s = builder("join-timeout").procs(2).build()) {
            AtomicReference<Waiter> parked = new AtomicReference<>();
            AtomicBoolean released = new AtomicBoolean();
            Task<String> forever = s.submit(() -> {
                parked.set(Parking.currentWaiter());
                while (!released.get()) {
                    Parking.park(WaitReason.PARK);
                }
                return "released";
            });
            awaitCondition(s, "the goroutine's waiter", () -> parked.get() != null);
            assertThrows(TimeoutException.class, () -> forever.join(Duration.ofMillis(50)), "from a plain thread");
            Task<Boolean> joiner = s.submit(() -> {
                try {
                    forever.join(Duration.ofMillis(50));
                    return false;
                } catch (TimeoutException expected) {
                    return true;
                }
            });
            assertTrue(join(s, joiner), "from a goroutine: join(Duration) must throw TimeoutException");
            assertFalse(forever.isDone());

            released.set(true);
            parked.get().unpark();
            assertEquals("released", join(s, forever));
        }
    }

    @Test
    void sleepFromAGoroutineCompletesOnATimer() {
        try (Scheduler s = builder("sleep").procs(1).build()) {
            Task<Boolean> t = s.submit(() -> {
                Gmp.sleep(Duration.ofMillis(30));
                return Gmp.inGoroutine();
            });
            assertTrue(join(s, t));
            assertTrue(timersFired(s) >= 1, describe(s));
        }
    }

    /**
     * With one carrier, the sleeper can only get past its sleep loop if the other goroutine runs to
     * completion meanwhile: a sleep that held the carrier would spin here forever.
     */
    @Test
    void sleepingGoroutineHoldsNoCarrier() {
        try (Scheduler s = builder("sleep-frees").procs(1).build()) {
            CountDownLatch otherDone = new CountDownLatch(1);
            Task<Integer> sleeper = s.submit(() -> {
                int sleeps = 0;
                while (otherDone.getCount() != 0) {
                    Gmp.sleep(Duration.ofMillis(20));
                    sleeps++;
                }
                return sleeps;
            });
            awaitCondition(s, "the sleeper's timer", () -> s.stats().timers() == 1);
            Task<Void> other = s.submit(otherDone::countDown);
            join(s, other);
            assertTrue(join(s, sleeper) >= 1);
        }
    }

    /** Go's rule: a sleep swallows no wake-up meant for the goroutine's next park. */
    @Test
    void unparkDuringSleepIsKeptForTheNextPark() {
        try (Scheduler s = builder("sleep-permit").procs(2).build()) {
            AtomicReference<Waiter> me = new AtomicReference<>();
            AtomicBoolean unparked = new AtomicBoolean();
            Task<Void> t = s.submit(() -> {
                me.set(Parking.currentWaiter());
                while (!unparked.get()) {
                    Gmp.sleep(Duration.ofMillis(20));
                }
                Parking.park(WaitReason.PARK); // the permit from the unpark during the sleep
            });
            awaitCondition(s, "the sleeper's timer", () -> me.get() != null && s.stats().timers() == 1);
            me.get().unpark();
            unparked.set(true);
            join(s, t);
        }
    }
}
