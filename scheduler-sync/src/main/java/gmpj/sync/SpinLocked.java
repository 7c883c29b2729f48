package gmpj.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A tiny owner-less spin lock, as a base class so that the lock word sits in the object it guards
 * (a wait queue, a channel, a context) with no extra indirection.
 *
 * <h2>Why a spin lock</h2>
 * Every critical section in this package is a few field writes (link or unlink a node, move an
 * element, flip a flag) and never parks, allocates much or calls user code, so a holder leaves the
 * lock within nanoseconds unless the OS deschedules its thread. A {@code java.util.concurrent}
 * lock would park a goroutine's carrier thread instead, stalling its processor, and an
 * owner-tracking lock is unsafe in goroutine code anyway (the owner it records is read from
 * {@code Thread.currentThread()}, which compiled goroutine code may see stale after a migration).
 * After {@link #SPINS_BEFORE_YIELD} failed attempts a contender yields its thread to the OS, which
 * covers a holder that was descheduled.
 *
 * <h2>Memory ordering</h2>
 * {@link #lock()} is a volatile CAS (acquire and more), {@link #unlock()} a release store: every
 * write made under the lock is visible to the next holder.
 */
abstract class SpinLocked {
    /**
     * Failed lock attempts before a contender starts yielding its thread. 64 pauses are a few
     * microseconds: far longer than any critical section of a running holder, short enough that a
     * descheduled holder is not spun on for a whole OS time slice.
     */
    static final int SPINS_BEFORE_YIELD = 64;

    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(SpinLocked.class, "lockWord", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 0 free, 1 held. Accessed through {@link #LOCK}. */
    @SuppressWarnings("unused")
    private volatile int lockWord;

    final void lock() {
        if (!LOCK.compareAndSet(this, 0, 1)) { // volatile CAS: acquires what the last holder wrote
            lockContended();
        }
    }

    private void lockContended() {
        int spins = 0;
        for (;;) {
            // Opaque read: only a hint to avoid hammering the line with CASes; the CAS decides.
            if ((int) LOCK.getOpaque(this) == 0 && LOCK.compareAndSet(this, 0, 1)) { // volatile CAS
                return;
            }
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    final void unlock() {
        LOCK.setRelease(this, 0); // release store: publishes every write of the critical section
    }
}
