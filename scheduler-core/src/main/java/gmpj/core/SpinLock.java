package gmpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A tiny non-reentrant lock that does not know its owner: the lock for state touched from
 * goroutine code (timer heaps, the idle list).
 *
 * <h2>Why not {@code ReentrantLock}</h2>
 * {@code ReentrantLock} (like every AQS lock) records its owner as {@code Thread.currentThread()}.
 * JIT-compiled goroutine code may still see the carrier it ran on before a yield after it has
 * migrated to another carrier (C2 treats the current thread as constant within a compiled frame,
 * which holds for virtual threads but not for a continuation that moves between threads). Two
 * goroutines could then both "own" the lock, or a lock could be left held by nobody. This lock
 * is a CAS on an int and nothing else, so who calls it does not matter.
 *
 * <p>Critical sections must be short and must never park, block or call user code. A contender
 * spins with {@link Thread#onSpinWait()}, then yields its thread to the OS so that a holder that
 * was descheduled gets to run.
 *
 * <p>Orderings: {@link #lock()} is a volatile CAS (acquire), {@link #unlock()} a release store, so
 * every write made under the lock happens before the next holder's critical section.
 */
final class SpinLock {
    /** Failed attempts before yielding the thread: a few microseconds, longer than any critical section. */
    private static final int SPINS_BEFORE_YIELD = 100;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SpinLock.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 0 free, 1 held. */
    @SuppressWarnings("unused")
    private volatile int state;

    void lock() {
        if (STATE.compareAndSet(this, 0, 1)) { // volatile CAS: acquires the last holder's writes
            return;
        }
        int spins = 0;
        for (;;) {
            // Opaque read first: spin on a shared line, CAS only when it looks free.
            if ((int) STATE.getOpaque(this) == 0 && STATE.compareAndSet(this, 0, 1)) {
                return;
            }
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    void unlock() {
        STATE.setRelease(this, 0); // release: publishes the critical section's writes
    }

    /** For assertions and diagnostics only. */
    boolean isLocked() {
        return state != 0;
    }
}
