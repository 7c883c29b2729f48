package gmpj.sync;

/**
 * Something that can be locked and unlocked: Go's {@code sync.Locker}. {@link Cond} waits on one.
 *
 * <p>Implemented by {@link Mutex}, by {@link RWMutex} (its write side) and by
 * {@link RWMutex#rlocker()} (its read side).
 *
 * <p>Those implementations may be used from any goroutine or thread at the same time, have no
 * owner (any caller may unlock what another locked) and wait uninterruptibly: {@code lock} parks
 * a goroutine, freeing its carrier, and blocks a plain thread in {@code LockSupport}. An
 * implementation of one's own should keep that contract if a {@link Cond} is to wait on it from
 * goroutines: a {@code lock} that blocks its thread would stall the goroutine's carrier.
 */
public interface Locker {
    /** Acquires the lock, parking the calling goroutine (or blocking the calling thread) until it is free. */
    void lock();

    /** Releases the lock; throws {@link IllegalStateException} if it is not locked. */
    void unlock();
}
