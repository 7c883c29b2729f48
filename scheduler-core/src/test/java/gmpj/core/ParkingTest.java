package gmpj.core;

import static gmpj.core.TestSupport.LIVENESS;
import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static gmpj.core.TestSupport.spinUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/** Park/unpark: permits, lost wake-ups, and the same API from plain threads. */
class ParkingTest {

    @Test
    void unparkBeforeParkIsNotLostInAGoroutine() {
        try (Scheduler s = builder("permit-g").procs(1).build()) {
            Task<Boolean> t = s.submit(() -> {
                Waiter me = Parking.currentWaiter();
                me.unpark();
                Parking.park(WaitReason.PARK); // returns at once: the permit is there
                return me.isGoroutine();
            });
            assertTrue(join(s, t), "a goroutine's waiter is a goroutine");
        }
    }

    @Test
    void unparkBeforeParkIsNotLostOnAPlainThread() {
        assertTimeoutPreemptively(LIVENESS, () -> {
            Waiter me = Parking.currentWaiter();
            assertFalse(me.isGoroutine());
            me.unpark();
            Parking.park(WaitReason.PARK); // would block forever if the permit were lost
        });
    }

    @Test
    void unparkFromAPlainThreadBeforeTheGoroutineParksIsNotLost() {
        try (Scheduler s = builder("permit-t2g").procs(1).build()) {
            AtomicReference<Waiter> published = new AtomicReference<>();
            AtomicBoolean unparked = new AtomicBoolean();
            Task<Void> t = s.submit(() -> {
                published.set(Parking.currentWaiter());
                TestSupport.yieldUntil(unparked::get, "the test thread's unpark");
                Parking.park(WaitReason.PARK);
            });
            awaitCondition(s, "the goroutine's waiter", () -> published.get() != null);
            published.get().unpark();
            unparked.set(true);
            join(s, t);
        }
    }

    @Test
    void unparkFromAGoroutineBeforeAPlainThreadParksIsNotLost() {
        try (Scheduler s = builder("permit-g2t").procs(1).build()) {
            assertTimeoutPreemptively(LIVENESS, () -> {
                Waiter me = Parking.currentWaiter();
                AtomicBoolean unparked = new AtomicBoolean();
                s.go(() -> {
                    me.unpark();
                    unparked.set(true);
                });
                spinUntil(unparked::get, "the goroutine's unpark\n" + describe(s)); // spins: must not eat the permit
                Parking.park(WaitReason.PARK);
            });
        }
    }

    @Test
    void twoUnparksBeforeParkLeaveOnePermit() {
        try (Scheduler s = builder("one-permit").procs(1).build()) {
            Task<Boolean> t = s.submit(() -> {
                Waiter me = Parking.currentWaiter();
                me.unpark();
                me.unpark();
                Parking.park(WaitReason.PARK);
                // A second permit would make this timed park return true at once.
                return Parking.parkNanos(WaitReason.PARK, 20_000_000);
            });
            assertFalse(join(s, t), "permits must not accumulate");
        }
    }

    /**
     * Waiters park in a loop on a per-waiter token; goroutine wakers and plain-thread wakers race to
     * hand out tokens, each unparking only after it set a token, plus noise unparks without a token
     * (spurious wake-ups for the waiters). A lost wake-up leaves a waiter parked with its token set,
     * which no waker will touch again: the test then times out with the waiter's progress.
     */
    @Test
    void parkUnparkStormLosesNoWakeUp() {
        int waiters = 16;
        int rounds = 20_000;
        try (Scheduler s = builder("storm").procs(2).build()) {
            AtomicReferenceArray<Waiter> ws = new AtomicReferenceArray<>(waiters);
            AtomicIntegerArray tokens = new AtomicIntegerArray(waiters);
            AtomicIntegerArray progress = new AtomicIntegerArray(waiters);
            AtomicInteger finished = new AtomicInteger();
            AtomicLong mismatches = new AtomicLong();
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                int me = i;
                tasks.add(s.submit(() -> {
                    Waiter self = Parking.currentWaiter();
                    ws.set(me, self);
                    for (int r = 0; r < rounds; r++) {
                        while (!tokens.compareAndSet(me, 1, 0)) {
                            Parking.park(WaitReason.PARK);
                        }
                        if (Parking.currentWaiter() != self) {
                            mismatches.incrementAndGet();
                        }
                        progress.incrementAndGet(me);
                    }
                    finished.incrementAndGet();
                }));
            }
            Runnable waker = () -> {
                SplittableRandom random = new SplittableRandom(Gmp.goid() ^ Thread.currentThread().threadId());
                while (finished.get() < waiters) {
                    for (int i = 0; i < waiters; i++) {
                        Waiter w = ws.get(i);
                        if (w == null) {
                            continue;
                        }
                        if (tokens.get(i) == 0 && tokens.compareAndSet(i, 0, 1)) {
                            w.unpark();
                        } else if (random.nextInt(8) == 0) {
                            w.unpark(); // noise: a permit without a token
                        }
                    }
                    if (Gmp.inGoroutine()) {
                        Gmp.yield();
                    } else {
                        Thread.yield();
                    }
                }
            };
            List<Task<Void>> goroutineWakers = List.of(s.submit(waker), s.submit(waker));
            List<Thread> threadWakers = List.of(Thread.ofPlatform().start(waker), Thread.ofPlatform().start(waker));
            try {
                awaitCondition(() -> finished.get() == waiters, LIVENESS.multipliedBy(2),
                        () -> "waiters stuck; rounds done per waiter " + progress + ", tokens " + tokens + "\n" + describe(s));
            } finally {
                finished.set(waiters); // stops the wakers even on failure
            }
            TestSupport.joinAll(s, tasks);
            TestSupport.joinAll(s, goroutineWakers);
            for (Thread t : threadWakers) {
                assertTimeoutPreemptively(LIVENESS, () -> t.join());
            }
            assertEquals(0, mismatches.get(), "Parking.currentWaiter() changed identity after a wake-up");
            assertTrue(s.stats().parks() > 0, describe(s));
        }
    }

    @Test
    void parkedGoroutineHoldsNoCarrier() {
        try (Scheduler s = builder("park-frees").procs(1).build()) {
            AtomicReference<Waiter> parked = new AtomicReference<>();
            AtomicBoolean released = new AtomicBoolean();
            Task<Void> first = s.submit(() -> {
                parked.set(Parking.currentWaiter());
                while (!released.get()) {
                    Parking.park(WaitReason.PARK);
                }
            });
            awaitCondition(s, "the first goroutine's waiter", () -> parked.get() != null);
            // With one carrier, this only runs if the parked goroutine gave the carrier up.
            Task<Void> second = s.submit(() -> {
                released.set(true);
                parked.get().unpark();
            });
            join(s, second);
            join(s, first);
        }
    }

    @Test
    void currentWaiterIsTheSameObjectForTheWholeGoroutine() {
        try (Scheduler s = builder("waiter-id").procs(2).build()) {
            Task<Boolean> t = s.submit(() -> {
                Waiter w = Parking.currentWaiter();
                for (int i = 0; i < 100; i++) {
                    Gmp.yield();
                }
                return w == Parking.currentWaiter() && w.isGoroutine();
            });
            assertTrue(join(s, t));
            Waiter a = Parking.currentWaiter();
            assertSame(a, Parking.currentWaiter(), "a thread's waiter is cached");
        }
    }
}
