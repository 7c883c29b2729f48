package gmpj.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import gmpj.core.Synctest;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import org.junit.jupiter.api.Test;

/**
 * Every timed wait of {@code gmpj.sync} reads the scheduler's clock: inside a {@link Synctest}
 * bubble it ends at an exact virtual time, however long, and takes no real time.
 */
class VirtualTimeTest {
    private static final Duration DAY = Duration.ofDays(1);

    /** Runs {@code body} in a bubble and fails unless it got to its end (a goroutine that never woke would not). */
    private static void inBubble(Runnable body) {
        AtomicReference<Boolean> finished = new AtomicReference<>(false);
        Synctest.run(() -> {
            body.run();
            finished.set(true);
        });
        assertTrue(finished.get(), "the bubble's body ran to its end");
    }

    // ------------------------------------------------------------------ Context

    @Test
    void aDayLongTimeoutEndsTheDoneWaitAtExactlyADayWithDeadlineExceeded() {
        inBubble(() -> {
            Context.Cancellable ctx = Context.background().withTimeout(DAY);
            assertEquals(Optional.of(DAY), ctx.remaining());
            assertEquals(null, ctx.err(), "a day-long deadline has not passed at the start");
            Chan<Duration> woke = new Chan<>(1);
            Gmp.currentScheduler().go(() -> {
                assertTrue(ctx.done().receive().closed());
                woke.send(Synctest.elapsed());
            });
            Gmp.sleep(Duration.ofHours(1));
            assertEquals(Optional.of(Duration.ofHours(23)), ctx.remaining());
            assertTrue(ctx.toString().contains("[deadline in " + Duration.ofHours(23) + "]"), ctx.toString());
            assertEquals(DAY, woke.receive().value());
            assertEquals(Context.Err.DEADLINE_EXCEEDED, ctx.err());
            assertEquals(Optional.of(Duration.ZERO), ctx.remaining());
        });
    }

    @Test
    void aDeadlineWhoseParentIsCancelledAfterAnHourEndsAtExactlyAnHour() {
        inBubble(() -> {
            Context.Cancellable parent = Context.background().withCancel();
            Context.Cancellable ctx = parent.withTimeout(DAY);
            Chan<Duration> woke = new Chan<>(1);
            Gmp.currentScheduler().go(() -> {
                assertTrue(ctx.done().receive().closed());
                woke.send(Synctest.elapsed());
            });
            Gmp.sleep(Duration.ofHours(1));
            assertEquals(null, ctx.err(), "a day-long deadline has not passed after an hour");
            assertEquals(Optional.of(Duration.ofHours(23)), ctx.remaining());
            parent.cancel();
            assertEquals(Duration.ofHours(1), woke.receive().value());
            assertEquals(Context.Err.CANCELED, ctx.err());
        });
    }

    @Test
    void aWallClockDeadlineIsConvertedOnceThenCountedOnTheVirtualClock() {
        inBubble(() -> {
            // The instant is read against the real wall clock when the context is made, so the
            // virtual wait is a day less the few real microseconds between the two readings.
            Context.Cancellable ctx = Context.background().withDeadline(Instant.now().plus(DAY));
            assertTrue(ctx.done().receive().closed());
            Duration waited = Synctest.elapsed();
            assertTrue(waited.compareTo(DAY) <= 0 && waited.compareTo(DAY.minusMinutes(1)) > 0, "waited " + waited);
            assertEquals(Context.Err.DEADLINE_EXCEEDED, ctx.err());
        });
    }

    @Test
    void aSelectOnADoneChannelEndsAtExactlyTheContextDeadline() {
        inBubble(() -> {
            Context.Cancellable ctx = Context.background().withTimeout(Duration.ofHours(3));
            Chan<String> never = new Chan<>();
            String[] chosen = new String[1];
            new Select()
                    .onReceive(never, r -> chosen[0] = "value")
                    .onReceive(ctx.done(), r -> chosen[0] = "done")
                    .run();
            assertEquals("done", chosen[0]);
            assertEquals(Duration.ofHours(3), Synctest.elapsed());
            assertEquals(Context.Err.DEADLINE_EXCEEDED, ctx.err());
        });
    }

    // ------------------------------------------------------------------ channels and select

    @Test
    void aReceiveAndASendWithTimeoutsGiveUpAtExactlyTheirTimeouts() {
        inBubble(() -> {
            Chan<String> c = new Chan<>();
            assertTrue(c.receive(Duration.ofSeconds(90)).timedOut());
            assertEquals(Duration.ofSeconds(90), Synctest.elapsed());
            assertFalse(c.send("x", Duration.ofMinutes(2)));
            assertEquals(Duration.ofSeconds(210), Synctest.elapsed());
        });
    }

    @Test
    void aSelectTimeoutFiresAtExactlyItsTimeout() {
        inBubble(() -> {
            Chan<String> c = new Chan<>();
            String[] chosen = new String[1];
            new Select()
                    .onReceive(c, r -> chosen[0] = "value")
                    .timeout(Duration.ofHours(3), () -> chosen[0] = "timeout")
                    .run();
            assertEquals("timeout", chosen[0]);
            assertEquals(Duration.ofHours(3), Synctest.elapsed());
        });
    }

    @Test
    void aSendThatComesFirstWinsAtExactlyItsTimeUnderEverySeed() {
        Synctest.explore(20, () -> {
            Scheduler s = Gmp.currentScheduler();
            Chan<String> c = new Chan<>();
            s.go(() -> {
                Gmp.sleep(Duration.ofSeconds(10));
                c.send("first");
            });
            assertEquals("first", c.receive(Duration.ofSeconds(90)).value());
            assertEquals(Duration.ofSeconds(10), Synctest.elapsed());
            s.go(() -> {
                Gmp.sleep(Duration.ofSeconds(10));
                c.send("second");
            });
            String[] chosen = new String[1];
            new Select()
                    .onReceive(c, r -> chosen[0] = r.value())
                    .timeout(Duration.ofHours(3), () -> chosen[0] = "timeout")
                    .run();
            assertEquals("second", chosen[0]);
            assertEquals(Duration.ofSeconds(20), Synctest.elapsed());
        });
    }

    @Test
    void tenThousandOneSecondTicksHandedOverAChannelEndAtExactlyTenThousandSeconds() {
        inBubble(() -> {
            int ticks = 10_000;
            Chan<Integer> tick = new Chan<>();
            Gmp.currentScheduler().go(() -> {
                for (int i = 1; i <= ticks; i++) {
                    Gmp.sleep(Duration.ofSeconds(1));
                    tick.send(i);
                }
            });
            for (int i = 1; i <= ticks; i++) {
                Received<Integer> r = tick.receive(Duration.ofSeconds(2));
                assertEquals(i, r.value(), "tick " + i);
                assertEquals(Duration.ofSeconds(i), Synctest.elapsed());
            }
            assertEquals(Duration.ofSeconds(ticks), Synctest.elapsed());
        });
    }

    // ------------------------------------------------------------------ locks and counters

    @Test
    void aTimedTryLockTimesOutAtItsTimeoutOrLocksAtTheRelease() {
        inBubble(() -> {
            Mutex m = new Mutex();
            Chan<Boolean> released = new Chan<>(1);
            Gmp.currentScheduler().go(() -> {
                m.lock();
                Gmp.sleep(Duration.ofMinutes(10));
                m.unlock();
                released.send(true);
            });
            Gmp.sleep(Duration.ofSeconds(1)); // the holder has the lock
            assertFalse(m.tryLock(Duration.ofMinutes(2)));
            assertEquals(Duration.ofSeconds(121), Synctest.elapsed());
            assertTrue(m.tryLock(Duration.ofHours(1)));
            assertEquals(Duration.ofSeconds(600), Synctest.elapsed());
            m.unlock();
            released.receive();
        });
    }

    @Test
    void aTimedTryLockThroughTheLockViewTimesOutAtItsTimeout() {
        inBubble(() -> {
            Mutex m = new Mutex();
            Gmp.currentScheduler().go(() -> {
                m.lock();
                Gmp.sleep(Duration.ofMinutes(10));
                m.unlock();
            });
            Gmp.sleep(Duration.ofSeconds(1));
            try {
                assertFalse(m.asLock().tryLock(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertEquals(Duration.ofSeconds(31), Synctest.elapsed());
        });
    }

    @Test
    void aMutexMeasuresStarvationOnTheVirtualClockSoASlowDriverDoesNotChangeTheHandOffs() {
        Synctest.explore(10, () -> {
            Mutex m = new Mutex();
            m.lock();
            Gmp.currentScheduler().go(() -> {
                m.lock();
                m.unlock();
            });
            Synctest.await(); // the waiter is queued
            // Real time passes on the driving thread (a collection, a slow machine); virtual time does not.
            try {
                Gmp.blocking(() -> Thread.sleep(2 * Mutex.STARVATION_THRESHOLD_NANOS / 1_000_000));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            m.unlock();
            m.lock();      // barges ahead of the woken waiter, which has waited no virtual time at all
            Synctest.await();
            m.unlock();
            Synctest.await();
            assertEquals(0, m.starvationEntries(), "a waiter that waited no virtual time starved: " + m);
        });
    }

    @Test
    void aTimedSemaphoreAcquireTimesOutAtItsTimeoutOrSucceedsAtTheRelease() {
        inBubble(() -> {
            Semaphore sem = new Semaphore(2);
            Gmp.currentScheduler().go(() -> {
                sem.acquire(2);
                Gmp.sleep(Duration.ofHours(2));
                sem.release(2);
            });
            Gmp.sleep(Duration.ofSeconds(1));
            assertFalse(sem.tryAcquire(1, Duration.ofMinutes(45)));
            assertEquals(Duration.ofSeconds(1).plusMinutes(45), Synctest.elapsed());
            assertTrue(sem.tryAcquire(2, DAY));
            assertEquals(Duration.ofHours(2), Synctest.elapsed());
            sem.release(2);
        });
    }

    @Test
    void aTimedCondWaitTimesOutAtItsTimeoutOrWakesAtTheSignal() {
        inBubble(() -> {
            Mutex m = new Mutex();
            Cond cond = new Cond(m);
            m.lock();
            assertFalse(cond.await(Duration.ofMinutes(5)));
            assertEquals(Duration.ofMinutes(5), Synctest.elapsed());
            Gmp.currentScheduler().go(() -> {
                Gmp.sleep(Duration.ofMinutes(1));
                m.lock();
                cond.signal();
                m.unlock();
            });
            assertTrue(cond.await(Duration.ofHours(1)));
            assertEquals(Duration.ofMinutes(6), Synctest.elapsed());
            m.unlock();
        });
    }

    @Test
    void awaitNanosOfTheConditionViewReportsTheVirtualTimeLeft() {
        inBubble(() -> {
            Mutex m = new Mutex();
            Condition cond = m.asLock().newCondition();
            Gmp.currentScheduler().go(() -> {
                Gmp.sleep(Duration.ofSeconds(40));
                m.lock();
                cond.signal();
                m.unlock();
            });
            m.lock();
            try {
                assertEquals(Duration.ofSeconds(20).toNanos(), cond.awaitNanos(Duration.ofMinutes(1).toNanos()));
                assertEquals(Duration.ofSeconds(40), Synctest.elapsed());
                assertTrue(cond.awaitNanos(Duration.ofSeconds(5).toNanos()) <= 0, "the time ran out: nothing left");
                assertEquals(Duration.ofSeconds(45), Synctest.elapsed());
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                m.unlock();
            }
        });
    }

    @Test
    void aTimedWaitGroupWaitTimesOutAtItsTimeoutOrEndsAtTheLastDone() {
        inBubble(() -> {
            WaitGroup wg = new WaitGroup();
            wg.add(1);
            Gmp.currentScheduler().go(() -> {
                Gmp.sleep(Duration.ofHours(5));
                wg.done();
            });
            assertFalse(wg.await(Duration.ofHours(4)));
            assertEquals(Duration.ofHours(4), Synctest.elapsed());
            assertTrue(wg.await(DAY));
            assertEquals(Duration.ofHours(5), Synctest.elapsed());
        });
    }

    /** Which of several ready cases each select takes, under one seed. */
    private static String selectChoices(long seed) {
        StringBuilder out = new StringBuilder();
        Synctest.run(seed, () -> {
            Chan<Integer> a = new Chan<>(1);
            Chan<Integer> b = new Chan<>(1);
            for (int i = 0; i < 32; i++) {
                a.send(1);
                b.send(2);
                Select sel = new Select();
                sel.onReceive(a, v -> out.append('a'));
                sel.onReceive(b, v -> out.append('b'));
                sel.run();
                (out.charAt(out.length() - 1) == 'a' ? b : a).receive();
            }
        });
        return out.toString();
    }

    @Test
    void aSelectWithSeveralReadyCasesChoosesTheSameWayUnderTheSameSeed() {
        for (long seed = 0; seed < 10; seed++) {
            String first = selectChoices(seed);
            assertEquals(first, selectChoices(seed), "seed " + seed + " replays its select choices");
            assertTrue(first.contains("a") && first.contains("b"), "both ready cases get chosen: " + first);
        }
    }
}
