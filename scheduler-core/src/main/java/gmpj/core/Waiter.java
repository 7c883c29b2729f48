package gmpj.core;

/**
 * Something that can be parked and later unparked: a goroutine, or a plain Java thread.
 *
 * <p>Obtain the current one with {@link Parking#currentWaiter()}, publish it where a waker will
 * find it, then {@link Parking#park(WaitReason)}. {@link #unpark()} gives the waiter a permit with
 * {@link java.util.concurrent.locks.LockSupport} semantics: an {@code unpark} that comes before the
 * {@code park} makes that {@code park} return at once, so no wake-up is ever lost. Permits do not
 * accumulate: two unparks before one park leave a single permit.
 *
 * <p>{@link #unpark()} may be called from any goroutine or thread, at any time, any number of
 * times; the one exception is a goroutine of a {@link Synctest} bubble, which only code inside its
 * bubble may unpark ({@link IllegalStateException} otherwise). A goroutine's waiter parks by unmounting (its carrier runs other goroutines), a thread's
 * by blocking in {@code LockSupport}; only the code the waiter stands for may park it, through
 * {@link Parking}. The implementations are gmpj's own (the interface is sealed).
 */
public sealed interface Waiter permits G, ThreadWaiter {

    /**
     * Makes the permit available and, if the waiter is parked, wakes it. Safe from any thread.
     *
     * @throws IllegalStateException if the waiter is a goroutine of a {@link Synctest} bubble and
     *         the caller is not inside that bubble
     */
    void unpark();

    /**
     * {@code true} if this waiter is a goroutine, {@code false} if it is a platform or virtual thread.
     *
     * @return whether the waiter is a goroutine
     */
    boolean isGoroutine();

    /**
     * {@code true} once this waiter will never run again: a goroutine whose scheduler stopped
     * ({@link Scheduler#shutdownNow()}, or {@link Scheduler#close()} giving up at its timeout)
     * before it finished. A primitive that hands a value or a unit to one waiter (a channel
     * receive, a semaphore release) must skip an abandoned waiter, or the value is lost. A thread
     * is never abandoned.
     *
     * @return whether the waiter is abandoned
     */
    default boolean isAbandoned() {
        return false;
    }
}
