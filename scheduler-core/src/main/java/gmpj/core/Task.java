package gmpj.core;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * The handle of a goroutine started with {@link Scheduler#submit}: its identity, and its result
 * once it has finished.
 *
 * <p>{@link #join()} parks the calling goroutine (freeing its carrier) or blocks the calling
 * thread until the goroutine finishes. A goroutine may not join itself.
 *
 * <h2>Thread safety</h2>
 * Every method may be called at the same time from any number of goroutines (of any scheduler)
 * and plain threads; every joiner gets the same result or failure. The handle never changes once
 * the goroutine has finished.
 *
 * <h2>Goroutines and plain threads</h2>
 * A joining goroutine parks (wait reason {@code join}); a plain thread blocks in
 * {@code LockSupport}. The wait is uninterruptible: a thread's interrupt neither ends it nor is
 * lost; use {@link #join(Duration)} to bound it. A plain thread or a goroutine of another scheduler
 * also stops waiting when the task's scheduler terminates first ({@link CancellationException}),
 * or when it deadlocks under {@link DeadlockPolicy#FAIL_JOINERS} ({@link IllegalStateException}).
 * Joining on a carrier thread outside any goroutine throws {@link IllegalStateException}.
 *
 * @param <T> the result type
 */
public interface Task<T> {

    /**
     * The goroutine's id, unique within its scheduler.
     *
     * @return the goroutine's id
     */
    long id();

    /**
     * The goroutine's name, or {@code null} if it was started without one.
     *
     * @return the goroutine's name, or null
     */
    String name();

    /**
     * {@code true} once the goroutine has finished, normally, by an exception, or by being abandoned.
     *
     * @return whether the goroutine has finished
     */
    boolean isDone();

    /**
     * Waits for the goroutine to finish and returns its result.
     *
     * @return the goroutine's result
     * @throws CompletionException   if the goroutine threw; the cause is what it threw
     * @throws CancellationException if the scheduler was shut down before the goroutine finished
     * @throws IllegalStateException if called by the goroutine itself (it would wait forever), or,
     *         for a plain thread or a goroutine of another scheduler, if the task's scheduler
     *         deadlocks under {@link DeadlockPolicy#FAIL_JOINERS} (the message carries the report)
     */
    T join();

    /**
     * Like {@link #join()}, but gives up after {@code timeout}.
     *
     * @param timeout the longest time to wait
     * @return the goroutine's result
     * @throws TimeoutException if the goroutine has not finished within {@code timeout}
     */
    T join(Duration timeout) throws TimeoutException;
}
