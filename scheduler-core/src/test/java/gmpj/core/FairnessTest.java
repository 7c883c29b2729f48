package gmpj.core;

import static gmpj.core.TestSupport.LIVENESS;
import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/**
 * A pair of goroutines that keep readying each other into {@code runnext} must not keep a
 * processor to themselves. On one processor nothing else (no steal, no second carrier) can rescue
 * a starved goroutine, so these tests see the scheduler's own fairness rules alone.
 */
class FairnessTest {

    /**
     * Two players hand a token back and forth; each hand-over unparks the partner, which (from a
     * goroutine) puts it into this processor's runnext slot. They stop once {@link #stop} is set
     * by the goroutine they might starve.
     */
    private static final class PingPong {
        final AtomicIntegerArray tokens = new AtomicIntegerArray(new int[] {1, 0});
        final AtomicReferenceArray<Waiter> waiters = new AtomicReferenceArray<>(2);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong rounds = new AtomicLong();

        /** Runs in player {@code me}; {@code beforeHandOver} runs in player 0 before its hand-over of round {@code round}. */
        void play(int me, long round, Runnable beforeHandOver) {
            waiters.set(me, Parking.currentWaiter());
            int other = 1 - me;
            for (long r = 0; ; r++) {
                while (!tokens.compareAndSet(me, 1, 0)) {
                    Parking.park(WaitReason.PARK);
                }
                rounds.incrementAndGet();
                boolean last = stop.get();
                if (me == 0 && r == round) {
                    beforeHandOver.run();
                }
                tokens.set(other, 1);
                Waiter w = waiters.get(other);
                if (w != null) {
                    w.unpark();
                }
                if (last) {
                    return;
                }
            }
        }
    }

    /**
     * Player 0 spawns the third goroutine (into runnext) just before it readies its partner, which
     * displaces the third into the local ring: from then on runnext is never empty. Only the bound
     * on consecutive runnext picks lets the ring's goroutine run.
     */
    @Test
    void runnextPingPongDoesNotStarveTheLocalRing() {
        try (Scheduler s = builder("pingpong-ring").procs(1).build()) {
            PingPong game = new PingPong();
            AtomicLong roundsSeenByThird = new AtomicLong(-1);
            Runnable third = () -> {
                roundsSeenByThird.set(game.rounds.get());
                game.stop.set(true);
            };
            List<Task<Void>> players = List.of(
                    s.submit(() -> game.play(0, 1_000, () -> Gmp.currentScheduler().go(third))),
                    s.submit(() -> game.play(1, -1, () -> {})));
            try {
                awaitCondition(() -> roundsSeenByThird.get() >= 0, LIVENESS,
                        () -> "the ring's goroutine starved by the pair (" + game.rounds + " rounds so far)\n" + describe(s));
            } finally {
                game.stop.set(true);
            }
            TestSupport.joinAll(s, players);
            assertTrue(roundsSeenByThird.get() >= 2 * 1_000, "the third ran while the pair was going: " + roundsSeenByThird);
            assertTrue(s.stats().perProc().get(0).runnextPicks() > 1_000, "the pair must run through runnext\n" + describe(s));
        }
    }

    /**
     * The same pair, with the third goroutine submitted from outside, so it waits in the global
     * queue. Go's rule (every 61st scheduling tick looks at the global queue first) is what must
     * let it in: a single processor has nobody else to take it.
     *
     * <p>Found a bug: the third goroutine starved for as long as the pair played (144 million runs
     * in 30 s). {@code schedtick} only advances on picks that do not inherit the time slice, and
     * every runnext pick inherited it, including the one made after the streak bound when the ring
     * is empty; so the tick never reached the next multiple of 61 and the global queue was never
     * looked at. Go escapes this through sysmon's time-slice preemption. Fixed by making the pick
     * after the streak bound start a new time slice ({@code M.pollLocal}).
     */
    @Test
    void runnextPingPongDoesNotStarveTheGlobalQueue() {
        try (Scheduler s = builder("pingpong-global").procs(1).build()) {
            PingPong game = new PingPong();
            List<Task<Void>> players = List.of(
                    s.submit(() -> game.play(0, -1, () -> {})),
                    s.submit(() -> game.play(1, -1, () -> {})));
            awaitCondition(s, "the pair to get going", () -> game.rounds.get() >= 2_000);
            AtomicLong roundsSeenByThird = new AtomicLong(-1);
            Task<Void> third = s.submit(() -> {
                roundsSeenByThird.set(game.rounds.get());
                game.stop.set(true);
            });
            try {
                awaitCondition(() -> roundsSeenByThird.get() >= 0, LIVENESS,
                        () -> "the global queue's goroutine starved by the pair (" + game.rounds + " rounds so far)\n" + describe(s));
            } finally {
                game.stop.set(true);
            }
            join(s, third);
            TestSupport.joinAll(s, players);
        }
    }
}
