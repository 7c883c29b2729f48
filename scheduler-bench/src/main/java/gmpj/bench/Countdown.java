package gmpj.bench;

import gmpj.core.Parking;
import gmpj.core.WaitReason;
import gmpj.core.Waiter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cheapest "wait until N tasks are done" we could think of, shared by every benchmark and the
 * demo so that gmpj and its baselines pay the same for it: each task's last act is
 * {@link #countDown()}, one atomic decrement; the task that reaches zero unparks the one waiter.
 *
 * <p>The waiter is a goroutine or a thread ({@link Parking#currentWaiter()}); for a thread it is
 * {@code LockSupport} underneath, so a baseline running on virtual threads or a ForkJoinPool is
 * measured with the same wake-up as gmpj. One instance is reused across rounds by one waiter:
 * {@link #reset} then start the tasks, then {@link #await()} (or {@link #await(long, String)},
 * which fails instead of waiting forever for a lost task).
 */
public final class Countdown {
    private final AtomicInteger remaining = new AtomicInteger();
    /** Written by the waiter in {@link #reset} before any task starts; read by the last task. */
    private volatile Waiter waiter;

    /** Arms the countdown for {@code tasks} tasks, to be awaited by the calling goroutine or thread. */
    public void reset(int tasks) {
        waiter = Parking.currentWaiter();
        remaining.set(tasks);
    }

    /** Called once by each task as it finishes. */
    public void countDown() {
        if (remaining.decrementAndGet() == 0) {
            waiter.unpark();
        }
    }

    /** Parks until every task has counted down (park may return spuriously: re-check). */
    public void await() {
        while (remaining.get() != 0) {
            Parking.park(WaitReason.PARK);
        }
    }

    /**
     * As {@link #await()}, but throws, naming {@code what}, when tasks have counted down more often
     * than armed for, or when {@code limitNanos} have passed with some still to come (a lost task
     * fails the run instead of hanging it).
     */
    public void await(long limitNanos, String what) {
        long deadline = System.nanoTime() + limitNanos;
        int left;
        while ((left = remaining.get()) != 0) {
            if (left < 0) {
                throw new IllegalStateException(what + ": " + -left + " count-downs more than there were tasks");
            }
            long wait = deadline - System.nanoTime();
            if (wait <= 0) {
                throw new IllegalStateException(what + ": still " + left + " to count down after "
                        + TimeUnit.NANOSECONDS.toSeconds(limitNanos) + " s");
            }
            Parking.parkNanos(WaitReason.PARK, wait);
        }
    }
}
