package gmpj.stress;

import gmpj.core.Parking;
import java.time.Duration;

/**
 * One bounded wait of a test that blocks a jcstress actor thread on a gmpj.sync wait: the
 * deadline it must beat, and the verdict on how it ended.
 *
 * <p>Those tests use the timed waits, so that a lost wake-up costs one sample 5 s and shows as a
 * FORBIDDEN outcome instead of hanging the fork. But a timed wait whose wake-up was lost after the
 * waker had already handed over the value, the signal or the release does not say so: it times
 * out, finds what it was given, and returns it like a wait that was woken ({@code Chan.receive},
 * {@code WaitGroup.await}, {@code Mutex.tryLock} and the rest keep a grant that came before the
 * timeout, as they must). What tells the two apart is when the wait ended. A wait woken by its
 * waker returns microseconds after the wake-up; one whose wake-up was lost returns only when its
 * own deadline has passed. So each test fixes a deadline here before it waits, hands the primitive
 * the time left until it ({@link #timeout()}), and asks afterwards whether the wait ended before
 * it ({@link #endedInTime}).
 *
 * <p>The primitive computes its own deadline from that timeout when it is called, from a later
 * reading of the same clock ({@code System.nanoTime()}), so its deadline is at or after this one.
 * A wait that ended before this deadline therefore ended before its own: its parks were ended by
 * an unpark (or a spurious return, which the primitives' loops absorb), not by running out of
 * time. A wait that ended at or after it either ran out of time or took more than 5 s to get back
 * to the caller after a wake-up; the tests count both as a lost wake-up. The second would need the
 * test JVM to be stopped for 5 s, far beyond any garbage-collection pause of these small heaps;
 * on a machine that starved the test JVM that long, rerun the test before suspecting the code.
 */
final class BoundedWait {
    /** Far longer than any correct wait in these tests (microseconds), short enough to finish a fork. */
    private static final Duration LOST_AFTER = Duration.ofSeconds(5);
    /**
     * Set once a wait ran out in this JVM. The test has failed then; later samples wait no more, so
     * that a systematic loss still ends the fork with outcome counts rather than a jcstress timeout.
     */
    private static volatile boolean broken;

    /** {@code System.nanoTime()} at which this wait counts as lost; {@link Parking#deadlineAfter} built it. */
    private final long deadline;
    /** Whether {@link #broken} was set when this wait started: it then only tries, and is judged on its result. */
    private final boolean triesOnly;

    private BoundedWait(boolean triesOnly) {
        this.triesOnly = triesOnly;
        this.deadline = Parking.deadlineAfter(triesOnly ? Duration.ZERO : LOST_AFTER);
    }

    /** A wait whose deadline is 5 s from now (or now, once a wait of this JVM was lost). */
    static BoundedWait start() {
        return new BoundedWait(broken);
    }

    /** The deadline ({@code System.nanoTime()}), for a test that waits by itself, spinning on a condition. */
    long deadline() {
        return deadline;
    }

    /** The time left until the deadline: the timeout to give the primitive's timed wait, called just before it. */
    Duration timeout() {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /**
     * Whether the wait, which reported {@code got} (it received, was signalled, was released, took
     * the lock), got it before the deadline; called right after the wait returned. Records a
     * failure, so that later waits of this JVM only try.
     */
    boolean endedInTime(boolean got) {
        boolean inTime = got && (triesOnly || System.nanoTime() - deadline < 0);
        if (!inTime) {
            broken = true;
        }
        return inTime;
    }

    /**
     * The verdict of a wait as one result digit: {@code 1} got it in time, {@code 2} got it only at
     * or after the deadline (a lost wake-up whose grant came first), {@code 0} did not get it.
     */
    int verdict(boolean got) {
        return endedInTime(got) ? 1 : got ? 2 : 0;
    }
}
