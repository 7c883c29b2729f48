package gmpj.bench;

import gmpj.bench.Primitives.Join;
import gmpj.sync.Locker;
import java.time.Duration;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * The demo's workloads, Go's classic first concurrent programs, written once against
 * {@link Primitives} so that the demo runs the same code on gmpj and on JDK virtual threads. Each
 * is started and awaited from the calling platform thread and checks its own result.
 */
final class Workloads {
    /** Sleeping tasks, and how long each sleeps. */
    static final int SLEEPERS = 100_000;
    static final Duration SLEEP = Duration.ofMillis(10);
    /** Tasks sharing one counter, and increments by each. */
    static final int COUNTERS = 1_000;
    static final int INCREMENTS_EACH = 1_000;
    /** Tasks a fan-out starts, each computing the Collatz chain length of its own number. */
    static final int FAN_OUT = 100_000;
    /** Round trips of a ping-pong game. */
    static final int ROUNDS = 100_000;

    /** What a workload computed, whether that is right, and a line saying so. */
    record Result(boolean ok, String summary) {}

    private Workloads() {}

    /**
     * {@link #SLEEPERS} tasks each sleep {@link #SLEEP}; right if, once the join lets the caller go,
     * every one has woken, none before its time was up.
     */
    static Result sleepers(Primitives p) {
        LongAccumulator shortest = new LongAccumulator(Math::min, Long.MAX_VALUE);
        LongAccumulator longest = new LongAccumulator(Math::max, 0);
        LongAdder woke = new LongAdder();
        Join join = p.join().apply(SLEEPERS);
        Runnable sleeper = () -> {
            long t0 = System.nanoTime();
            p.sleep().accept(SLEEP);
            long slept = System.nanoTime() - t0;
            shortest.accumulate(slept);
            longest.accumulate(slept);
            woke.increment();
            join.done();
        };
        for (int i = 0; i < SLEEPERS; i++) {
            p.start().execute(sleeper);
        }
        join.await();
        long awake = woke.sum();
        if (awake != SLEEPERS) {
            return new Result(false, String.format("the join returned when only %,d of %,d had woken", awake, SLEEPERS));
        }
        boolean ok = shortest.get() >= SLEEP.toNanos();
        return new Result(ok, String.format("all %,d woke; each slept %.1f to %.1f ms%s", SLEEPERS, shortest.get() / 1e6,
                longest.get() / 1e6, ok ? "" : ": one woke EARLY"));
    }

    /** {@link UnevenWork}: right if the tasks' results add up to the sequential sum. */
    static Result uneven(Primitives p) {
        long sum = UnevenWork.run(p.start());
        boolean ok = sum == UnevenWork.EXPECTED;
        return new Result(ok, ok ? "the " + UnevenWork.TASKS + " results add up to the sequential sum"
                : "the results add up to " + sum + ", not " + UnevenWork.EXPECTED + ": a task was lost or ran twice");
    }

    /** A counter only the tasks of one {@link #counter} run write; plain, so that a race can lose updates. */
    private static final class Counter {
        long value;
    }

    /**
     * {@link #COUNTERS} tasks each add 1 to a shared counter {@link #INCREMENTS_EACH} times, under
     * {@code lock}, or, with a null {@code lock}, with a plain {@code counter++}: a read, an add and
     * a write, which two tasks on two carriers may interleave so that one overwrites the other's
     * update. Locked, the count must come out exact. Racy, any count up to the total is possible,
     * the total included (when the race happens to lose nothing): it is reported, not checked, and
     * the result is always {@code ok}.
     */
    static Result counter(Primitives p, Locker lock) {
        Counter c = new Counter();
        Join join = p.join().apply(COUNTERS);
        Runnable worker = lock == null
                ? () -> {
                    for (int i = 0; i < INCREMENTS_EACH; i++) {
                        c.value++;
                    }
                    join.done();
                }
                : () -> {
                    for (int i = 0; i < INCREMENTS_EACH; i++) {
                        lock.lock();
                        c.value++;
                        lock.unlock();
                    }
                    join.done();
                };
        for (int i = 0; i < COUNTERS; i++) {
            p.start().execute(worker);
        }
        join.await(); // every task's writes happen-before this returns
        long expected = (long) COUNTERS * INCREMENTS_EACH;
        long lost = expected - c.value;
        String count = String.format("counted %,d of %,d", c.value, expected);
        if (lock != null) {
            return new Result(lost == 0, count + (lost == 0 ? "" : String.format(": %,d LOST under the lock", lost)));
        }
        return new Result(true, count + (lost == 0 ? ": no update was lost this time (the race is still there)"
                : String.format(": %,d updates lost to the race", lost)));
    }

    /**
     * Fan-out/fan-in: one root task starts {@link #FAN_OUT} tasks, each writing the Collatz chain
     * length of its number into its own slot, and waits for them all; right if the slots add up to
     * the sequential sum.
     */
    static Result fanOut(Primitives p) {
        long[] steps = new long[FAN_OUT];
        Join rootDone = p.join().apply(1);
        p.start().execute(() -> {
            Join join = p.join().apply(FAN_OUT);
            for (int i = 0; i < FAN_OUT; i++) {
                int n = i;
                p.start().execute(() -> {
                    steps[n] = collatzSteps(n + 1);
                    join.done();
                });
                p.checkpoint().run();
            }
            join.await(); // each done() happens-before await() returns: every slot is visible
            rootDone.done();
        });
        rootDone.await();
        long sum = 0;
        for (long s : steps) {
            sum += s;
        }
        long expected = EXPECTED_COLLATZ_STEPS;
        return new Result(sum == expected, String.format("Collatz steps of 1..%,d: %,d (a plain loop says %,d)", FAN_OUT,
                sum, expected));
    }

    private static final long EXPECTED_COLLATZ_STEPS = sequentialCollatzSteps();

    private static long sequentialCollatzSteps() {
        long sum = 0;
        for (int n = 1; n <= FAN_OUT; n++) {
            sum += collatzSteps(n);
        }
        return sum;
    }

    /** Steps for the Collatz chain of {@code n} to reach 1. */
    private static long collatzSteps(long n) {
        long steps = 0;
        for (long x = n; x != 1; x = (x & 1) == 0 ? x >>> 1 : 3 * x + 1) {
            steps++;
        }
        return steps;
    }

    /** Two tasks play {@link #ROUNDS} round trips of {@link Rally}; right if every hit was made. */
    static Result pingPong(Primitives p) {
        return pingPong(p, ROUNDS);
    }

    /** Two tasks play {@code rounds} round trips of {@link Rally}; right if every hit was made. */
    static Result pingPong(Primitives p, int rounds) {
        Rally rally = new Rally(p);
        Join join = p.join().apply(2);
        for (int side = 0; side < 2; side++) {
            int me = side;
            p.start().execute(() -> {
                rally.play(me, rounds);
                join.done();
            });
        }
        join.await();
        long expected = 2L * rounds;
        return new Result(rally.hits() == expected, String.format("%,d round trips: %,d hits (expected %,d)", rounds,
                rally.hits(), expected));
    }
}
