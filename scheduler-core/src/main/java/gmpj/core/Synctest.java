package gmpj.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Deterministic tests of goroutine code: a virtual clock and seeded schedules that replay (Go's
 * {@code testing/synctest}, and a random scheduler in the spirit of PCT).
 *
 * <pre>{@code
 * Synctest.run(() -> {                        // a bubble: its own scheduler, driven by this thread
 *     Chan<String> c = new Chan<>();
 *     Gmp.currentScheduler().go(() -> { Gmp.sleep(Duration.ofHours(1)); c.send("done"); });
 *     assertEquals("done", c.receive().value());   // an hour of virtual time, microseconds of real time
 *     assertEquals(Duration.ofHours(1), Synctest.elapsed());
 * });
 * Synctest.explore(1_000, () -> { ... });      // the same body under 1,000 seeds; a failure names its seed
 * Synctest.run(17, () -> { ... });             // replays seed 17 exactly
 * }</pre>
 *
 * <h2>The bubble</h2>
 * {@link #run} runs {@code body} as the first goroutine of a new scheduler, the <em>bubble</em>, and
 * returns when every goroutine it started (directly or not) has finished. Goroutines start in the
 * bubble with {@link Gmp#currentScheduler()}{@code .go(...)}. They run one at a time, on the calling
 * thread, in an order the seed decides: at every scheduling point (a spawn, a yield, a park, an
 * unpark, a {@link Gmp#checkpoint()}, a timer) the schedule may switch to any runnable goroutine.
 * The same program with the same seed makes the same choices, so it runs the same way and prints the
 * same output, run after run.
 *
 * <h2>Virtual time</h2>
 * The bubble has its own clock. It stands still while any goroutine can run, and when every
 * goroutine is parked it jumps straight to the earliest timer: {@link Gmp#sleep}, timed parks,
 * every timed wait of {@code gmpj.sync}, {@code Context} deadlines, and channel and select timeouts
 * all read it ({@link Parking#nanoTime()}), so an hour of sleeps takes no real time. When every
 * goroutine is parked and no timer is armed, nothing can ever wake them: {@code run} throws at once
 * with the deadlock report and a dump. {@link #await()} returns when every other goroutine is
 * parked, so that a test can check a quiet state; {@link #elapsed()} tells the virtual time.
 *
 * <h2>The boundary</h2>
 * <ul>
 *   <li>Waking a bubble's goroutine, or starting one in it, from another thread (a plain thread, a
 *       goroutine of another scheduler) throws {@link IllegalStateException} at that call: the
 *       bubble's run would depend on when that thread runs.</li>
 *   <li>{@link Gmp#blocking} runs its call on the bubble's thread, which blocks: virtual time stands
 *       still meanwhile. A call that waits for something outside the bubble waits in real time.</li>
 *   <li>Sockets ({@link PollDesc}, {@code gmpj.net}) are refused with {@link UnsupportedOperationException}:
 *       the network is not part of the bubble's deterministic world.</li>
 *   <li>A park the JVM pins (a native frame on the goroutine's stack) throws {@link IllegalStateException}:
 *       it would block the bubble's only thread for good.</li>
 *   <li>A goroutine that loops without yielding, parking or passing a checkpoint keeps the thread:
 *       there is no sysmon in a bubble to preempt it, so the run hangs as such a goroutine would hang
 *       a one-processor scheduler without preemption.</li>
 * </ul>
 *
 * <h2>What it cannot find</h2>
 * Goroutines switch only at scheduling points, and one runs at a time: a data race inside
 * straight-line code between two scheduling points (two goroutines' {@code counter++} on different
 * processors) never interleaves here. Such races are jcstress's job. A bug that needs a rare order is
 * found by some fraction of seeds, not excluded by a passing run.
 *
 * <h2>Threads and goroutines</h2>
 * {@link #run} and {@link #explore} are called from a plain thread (a test's own), never from a
 * goroutine (they throw {@link IllegalStateException}); that thread drives its bubble and is busy
 * until the run ends. Its interrupt flag is set aside for the run (the bubble's goroutines do not
 * see it) and given back afterwards. {@link #await()} and {@link #elapsed()} are for the bubble's
 * goroutines and throw {@link IllegalStateException} anywhere else; {@link #inBubble()} may be
 * called from anywhere. Inside the bubble every wait parks a goroutine and, once all are parked,
 * moves the virtual clock.
 */
public final class Synctest {
    private Synctest() {
    }

    /** The seed {@link #run(Runnable)} uses. */
    public static final long DEFAULT_SEED = 0;
    /**
     * The processors a bubble emulates unless told otherwise: a fixed number, not the machine's,
     * so that a seed replays the same way on every machine.
     */
    public static final int DEFAULT_PROCS = 2;
    /** The most processors a bubble emulates. */
    public static final int MAX_PROCS = 256;

    /**
     * {@link #run(long, Runnable)} with {@link #DEFAULT_SEED}.
     *
     * @param body the code the bubble's first goroutine runs
     */
    public static void run(Runnable body) {
        run(DEFAULT_SEED, body);
    }

    /**
     * Runs {@code body} in a new bubble under the schedule of {@code seed} (an even seed: a random
     * walk; an odd one: PCT) and returns once every goroutine of the bubble has finished.
     *
     * @param seed the seed that picks the schedule
     * @param body the code the bubble's first goroutine runs
     * @throws AssertionError        what escaped a goroutine of the bubble (its cause), with the seed
     *                               and the call that replays it in the message
     * @throws IllegalStateException when every goroutine left is parked and no timer can wake them
     *                               (a deadlock), or when called from a goroutine
     */
    public static void run(long seed, Runnable body) {
        run(seed, DEFAULT_PROCS, body);
    }

    /**
     * {@link #run(long, Runnable)} emulating {@code procs} processors: each has Go's runnext slot
     * and run queue, a goroutine that spawns or wakes another puts it in its own processor's
     * runnext, and an idle processor steals half of a busy one's queue. The schedule picks which
     * processor runs next (or, under PCT, which goroutine).
     *
     * @param seed  the seed that picks the schedule
     * @param procs the number of processors to emulate
     * @param body  the code the bubble's first goroutine runs
     * @throws IllegalArgumentException if {@code procs} is not in 1..{@value #MAX_PROCS}
     */
    public static void run(long seed, int procs, Runnable body) {
        Objects.requireNonNull(body, "body must not be null");
        checkProcs(procs);
        if (Gmp.currentG() != null) {
            throw new IllegalStateException("Synctest.run from inside goroutine " + Gmp.goid() + ": a bubble is driven by "
                    + "a plain thread (a test's own thread); start it there");
        }
        Scheduler s = Scheduler.bubble("synctest-" + seed, Schedule.of(seed), procs);
        s.go("synctest body", body);
        // The bubble's goroutines run on this thread, and a carrier clears the interrupt flag after
        // each goroutine so that none leaks into the next: so the caller's own interrupt is set
        // aside for the run and given back afterwards, neither seen by the goroutines nor lost.
        boolean interrupted = Thread.interrupted();
        try {
            s.bubble.drive();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Runs {@code body} under seeds {@code 0, 1, ..., seeds - 1} (each in its own bubble) until one
     * fails, and throws an {@link AssertionError} that names the seed and the call that replays it.
     * Returns the number of seeds run when none failed.
     *
     * @param seeds the number of seeds to try
     * @param body  the code each bubble's first goroutine runs
     * @return the number of seeds run
     * @throws IllegalArgumentException if {@code seeds} is not positive
     */
    public static int explore(int seeds, Runnable body) {
        return explore(seeds, DEFAULT_PROCS, body);
    }

    /**
     * {@link #explore(int, Runnable)} emulating {@code procs} processors (see {@link #run(long, int, Runnable)}).
     *
     * @param seeds the number of seeds to try
     * @param procs the number of processors to emulate
     * @param body  the code each bubble's first goroutine runs
     * @return the number of seeds run
     */
    public static int explore(int seeds, int procs, Runnable body) {
        if (seeds < 1) {
            throw new IllegalArgumentException("seeds must be at least 1, got " + seeds);
        }
        Objects.requireNonNull(body, "body must not be null");
        checkProcs(procs);
        for (int seed = 0; seed < seeds; seed++) {
            explore(seed, seeds, procs, body);
        }
        return seeds;
    }

    /** Runs seed {@code seed} of {@code of}; a failure becomes the explorer's AssertionError. */
    private static void explore(int seed, int of, int procs, Runnable body) {
        try {
            run(seed, procs, body);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError("failed under seed " + seed + " (" + Schedule.of(seed) + "), the " + (seed + 1)
                    + (seed % 10 == 0 && seed % 100 != 10 ? "st" : seed % 10 == 1 && seed % 100 != 11 ? "nd"
                    : seed % 10 == 2 && seed % 100 != 12 ? "rd" : "th") + " of " + (of > 0 ? of + " seeds" : "the seeds")
                    + "; replay it with " + replayCall(seed, procs) + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@link #explore(int, Runnable)} for as many seeds as fit in {@code budget} of real time (at
     * least one): seeds 0, 1, 2, ... until one fails or the budget is spent. Returns the number of
     * seeds run. The seeds a run reaches depend on the machine's speed; a failure it reports still
     * replays exactly from its seed.
     *
     * @param budget the real time to spend
     * @param body   the code each bubble's first goroutine runs
     * @return the number of seeds run
     * @throws IllegalArgumentException if {@code budget} is zero or negative
     */
    public static int explore(Duration budget, Runnable body) {
        Objects.requireNonNull(budget, "budget must not be null");
        if (budget.isNegative() || budget.isZero()) {
            throw new IllegalArgumentException("budget must be positive, got " + budget);
        }
        Objects.requireNonNull(body, "body must not be null");
        long end = System.nanoTime() + Parking.saturatedNanos(budget);
        int seed = 0;
        do {
            explore(seed, 0, DEFAULT_PROCS, body);
            seed++;
        } while (System.nanoTime() - end < 0 && seed < Integer.MAX_VALUE);
        return seed;
    }

    /** The call that replays {@code seed} on {@code procs} emulated processors. */
    static String replayCall(long seed, int procs) {
        return procs == DEFAULT_PROCS ? "Synctest.run(" + seed + ", body)" : "Synctest.run(" + seed + ", " + procs + ", body)";
    }

    private static void checkProcs(int procs) {
        if (procs < 1 || procs > MAX_PROCS) {
            throw new IllegalArgumentException("procs must be in 1.." + MAX_PROCS + ", got " + procs);
        }
    }

    /**
     * Go's {@code synctest.Wait}: parks the calling goroutine until every other goroutine of its
     * bubble is parked (or finished), so that what they did before parking can be checked.
     *
     * @throws IllegalStateException outside a bubble's goroutine, or if another goroutine already waits here
     */
    public static void await() {
        bubbleOfCaller("Synctest.await()").await(Gmp.currentG());
    }

    /**
     * The virtual time since the calling goroutine's bubble began.
     *
     * @return the bubble's virtual time so far
     */
    public static Duration elapsed() {
        return Duration.ofNanos(bubbleOfCaller("Synctest.elapsed()").now - Bubble.START);
    }

    /**
     * Whether the caller is a goroutine of a bubble.
     *
     * @return whether the caller runs in a bubble
     */
    public static boolean inBubble() {
        G g = Gmp.currentG();
        return g != null && g.scheduler.bubble != null;
    }

    private static Bubble bubbleOfCaller(String what) {
        G g = Gmp.currentG();
        Bubble b = g == null ? null : g.scheduler.bubble;
        if (b == null) {
            throw new IllegalStateException(what + " outside a Synctest bubble: call it from a goroutine that Synctest.run "
                    + "started (or one of theirs)");
        }
        return b;
    }
}
