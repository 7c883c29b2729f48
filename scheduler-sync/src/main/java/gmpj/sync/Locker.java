package gmpj.sync;

/**
 * Something that can be locked and unlocked: Go's {@code sync.Locker}. {@link Cond} waits on one.
 *
 * <p>Implemented by {@link Mutex}, by {@link RWMutex} (its write side) and by
 * {@link RWMutex#rlocker()} (its read side).
 */
public interface Locker {
    /** Acquires the lock, parking the calling goroutine (or blocking the calling thread) until it is free. */
    void lock();

    /** Releases the lock; throws {@link IllegalStateException} if it is not locked. */
    void unlock();
}
