package gmpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The bubble's virtual clock, its deadlock report, and seeds that replay. */
class SynctestTest {

    @Test
    void anHourOfSleepsTakesNoRealTimeAndEndsAtExactlyOneHour() {
        List<Duration> woke = new ArrayList<>();
        Synctest.run(() -> {
            Scheduler s = Gmp.currentScheduler();
            for (int i = 1; i <= 4; i++) {
                int minutes = 15 * i;
                s.go(() -> {
                    Gmp.sleep(Duration.ofMinutes(minutes));
                    woke.add(Synctest.elapsed());
                });
            }
        });
        assertEquals(List.of(Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofMinutes(45), Duration.ofHours(1)), woke);
    }

    @Test
    void tenThousandOneSecondTicksEndAtExactlyTenThousandSeconds() {
        AtomicReference<Duration> end = new AtomicReference<>();
        Synctest.run(() -> {
            for (int i = 0; i < 10_000; i++) {
                Gmp.sleep(Duration.ofSeconds(1));
            }
            end.set(Synctest.elapsed());
        });
        assertEquals(Duration.ofSeconds(10_000), end.get());
    }

    @Test
    void aParkNothingCanEndIsReportedAtOnceAsADeadlock() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Synctest.run(() -> Parking.park(WaitReason.CHAN_RECV)));
        assertTrue(e.getMessage().contains("all goroutines are asleep - deadlock!"), e.getMessage());
        assertTrue(e.getMessage().contains("chan receive"), "the dump shows the wait reason: " + e.getMessage());
    }

    @Test
    void awaitReturnsOnceEveryOtherGoroutineIsParked() {
        Synctest.run(() -> {
            Scheduler s = Gmp.currentScheduler();
            int[] parked = new int[1];
            for (int i = 0; i < 5; i++) {
                s.go(() -> {
                    for (int k = 0; k < 10; k++) {
                        Gmp.yield();
                    }
                    parked[0]++;
                    Gmp.sleep(Duration.ofSeconds(1));
                });
            }
            Synctest.await();
            assertEquals(5, parked[0], "every goroutine got as far as its sleep");
            assertEquals(Duration.ZERO, Synctest.elapsed(), "and no time passed");
        });
    }

    /** Three goroutines append their name twice each, yielding in between; the order is the schedule's. */
    private static String interleaving(long seed) {
        StringBuilder out = new StringBuilder();
        Synctest.run(seed, () -> {
            Scheduler s = Gmp.currentScheduler();
            for (String name : List.of("a", "b", "c")) {
                s.go(() -> {
                    out.append(name);
                    Gmp.yield();
                    out.append(name);
                });
            }
        });
        return out.toString();
    }

    @Test
    void theSameSeedGivesTheSameInterleavingAndOtherSeedsOthers() {
        for (long seed = 0; seed < 20; seed++) {
            assertEquals(interleaving(seed), interleaving(seed), "seed " + seed + " replays");
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (long seed = 0; seed < 50; seed++) {
            seen.add(interleaving(seed));
        }
        assertTrue(seen.size() > 5, "50 seeds give more than five orders: " + seen);
    }

    /** A parent spawns a, b, c and returns; each child appends its name: the order the processors run them in. */
    private static String spawnOrder(long seed, int procs) {
        StringBuilder out = new StringBuilder();
        Synctest.run(seed, procs, () -> {
            Scheduler s = Gmp.currentScheduler();
            for (String name : List.of("a", "b", "c")) {
                s.go(() -> out.append(name));
            }
        });
        return out.toString();
    }

    @Test
    void emulatedProcessorsRunTheLastSpawnedFirstAsGosRunnextDoes() {
        java.util.Set<String> oneProc = new java.util.TreeSet<>();
        for (long seed = 0; seed < 40; seed += 2) { // random-walk seeds: they follow the emulated queues
            String order = spawnOrder(seed, 1);
            assertEquals(order, spawnOrder(seed, 1), "seed " + seed + " replays on one processor");
            oneProc.add(order);
        }
        assertTrue(oneProc.contains("cab"), "unpreempted, the parent leaves c in runnext and a, b in the ring: " + oneProc);
        for (long seed = 0; seed < 40; seed++) {
            assertEquals(spawnOrder(seed, 4), spawnOrder(seed, 4), "seed " + seed + " replays on four processors");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Synctest.run(0, 0, () -> { }));
        assertTrue(e.getMessage().contains("procs") && e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Synctest.explore(10, Synctest.MAX_PROCS + 1, () -> { }));
    }

    @Test
    void aWakeUpFromOutsideTheBubbleIsRefusedAtTheCall() {
        AtomicReference<Waiter> me = new AtomicReference<>();
        AtomicReference<Throwable> outside = new AtomicReference<>();
        assertThrows(IllegalStateException.class, () -> Synctest.run(() -> {
            me.set(Parking.currentWaiter());
            Thread t = new Thread(() -> {
                try {
                    me.get().unpark();
                } catch (Throwable x) {
                    outside.set(x);
                }
            });
            t.start();
            try {
                Gmp.blocking(() -> t.join());
            } catch (InterruptedException x) {
                throw new AssertionError(x);
            }
            Parking.park(WaitReason.PARK);
        }));
        assertTrue(outside.get() instanceof IllegalStateException && outside.get().getMessage().contains("outside the Synctest"),
                String.valueOf(outside.get()));
    }

    /**
     * A socket watched by another scheduler's poller is outside the bubble too: the poller would
     * wake the bubble goroutine from a carrier of that scheduler, across the boundary. The wait is
     * refused at the call (it used to park, and the bubble reported a deadlock, or the other
     * scheduler's poller hit the boundary when the socket became ready).
     */
    @Test
    void aBubbleGoroutineCannotWaitOnAnotherSchedulersSocket() throws Exception {
        try (Scheduler outside = TestSupport.builder("net-outside").procs(1).build()) {
            java.nio.channels.Pipe pipe = java.nio.channels.Pipe.open();
            PollDesc pd = PollDesc.open(outside, pipe.source());
            try {
                Synctest.run(() -> {
                    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                            () -> pd.await(java.nio.channels.SelectionKey.OP_READ));
                    assertTrue(e.getMessage().contains("Synctest bubble") && e.getMessage().contains(outside.name()),
                            e.getMessage());
                });
            } finally {
                pd.close();
                pipe.sink().close();
            }
        }
    }

    @Test
    void whatABubbleCannotDoIsRefusedAtTheCall() {
        Synctest.run(() -> {
            Scheduler s = Gmp.currentScheduler();
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, s::close);
            assertTrue(e.getMessage().contains("close()") && e.getMessage().contains("bubble"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, s::startTrace);
            e = assertThrows(UnsupportedOperationException.class,
                    () -> PollDesc.open(s, java.nio.channels.SocketChannel.open()));
            assertTrue(e.getMessage().contains("sockets cannot be used in a Synctest bubble"), e.getMessage());
            int[] ran = new int[1];
            Gmp.blocking(() -> {
                ran[0] = 7;
            });
            assertEquals(7, ran[0], "a blocking call runs inline");
        });
        AssertionError nested = assertThrows(AssertionError.class, () -> Synctest.run(() -> Synctest.run(() -> { })));
        assertTrue(nested.getCause() instanceof IllegalStateException && nested.getCause().getMessage().contains("inside goroutine"),
                nested.toString());
        assertThrows(IllegalStateException.class, Synctest::await, "await outside a bubble says so");
    }

    @Test
    void aPinnedParkAndAWakeUpFromAnotherSchedulerAreRefused() throws Exception {
        AssertionError pinned = assertThrows(AssertionError.class, () -> Synctest.run(() -> {
            jdk.internal.vm.Continuation.pin();
            try {
                Parking.parkNanos(WaitReason.PARK, 1_000);
            } finally {
                jdk.internal.vm.Continuation.unpin();
            }
        }));
        assertTrue(pinned.getCause() instanceof IllegalStateException
                && pinned.getCause().getMessage().contains("pins its continuation"), pinned.toString());
        try (Scheduler other = TestSupport.builder("synctest-other").procs(1).build()) {
            AtomicReference<Throwable> fromOther = new AtomicReference<>();
            Synctest.run(() -> {
                Waiter me = Parking.currentWaiter();
                java.util.concurrent.CountDownLatch tried = new java.util.concurrent.CountDownLatch(1);
                other.go(() -> {
                    try {
                        me.unpark();
                    } catch (Throwable x) {
                        fromOther.set(x);
                    } finally {
                        tried.countDown();
                    }
                });
                try {
                    Gmp.blocking(() -> tried.await()); // the bubble's thread itself waits: no goroutine parks
                } catch (InterruptedException x) {
                    throw new AssertionError(x);
                }
            });
            assertTrue(fromOther.get() instanceof IllegalStateException, String.valueOf(fromOther.get()));
        }
    }

    @Test
    void theExplorerRunsSeedsUntilItsBudgetIsSpentOrOneFails() {
        int ran = Synctest.explore(Duration.ofMillis(200), () -> Gmp.currentScheduler().go(Gmp::yield));
        assertTrue(ran >= 1, "at least one seed: " + ran);
        AssertionError e = assertThrows(AssertionError.class, () -> Synctest.explore(Duration.ofMinutes(1), () -> {
            StringBuilder order = new StringBuilder();
            Scheduler s = Gmp.currentScheduler();
            Task<?> a = s.submit(() -> order.append('a'));
            Task<?> b = s.submit(() -> order.append('b'));
            a.join();
            b.join();
            assertEquals("ab", order.toString(), "launch order");
        }));
        assertTrue(e.getMessage().startsWith("failed under seed ") && e.getMessage().contains("replay it with Synctest.run("),
                e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Synctest.explore(Duration.ZERO, () -> { }));
        assertTrue(bad.getMessage().contains("budget") && bad.getMessage().contains("PT0S"), bad.getMessage());
    }

    @Test
    void theCallersInterruptIsNeitherSeenByTheBubbleNorLost() {
        Thread.currentThread().interrupt();
        boolean[] seenInside = new boolean[1];
        try {
            Synctest.run(() -> seenInside[0] = Thread.currentThread().isInterrupted());
        } finally {
            assertTrue(Thread.interrupted(), "the caller's interrupt survives the run");
        }
        assertTrue(!seenInside[0], "the bubble's goroutines do not see the caller's interrupt");
    }

    @Test
    void aFailingGoroutineEndsTheRunWithItsSeed() {
        AssertionError e = assertThrows(AssertionError.class, () -> Synctest.run(42, () -> {
            throw new IllegalArgumentException("boom");
        }));
        assertTrue(e.getMessage().contains("(replay: Synctest.run(42, body))") && e.getCause() instanceof IllegalArgumentException,
                e.getMessage());
        assertNotEquals(null, e.getCause());
    }
}
