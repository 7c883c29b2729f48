package gmpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A small non-reentrant lock that does not know its owner, for critical sections of a few field
 * reads and writes. Unlike {@code synchronized} and the {@code java.util.concurrent} locks it is
 * safe in goroutine code, and in plain threads too; gmpj guards its timer heaps, its scheduler's
 * lists, its wait queues and its channels with it. It plays the part of the Go runtime's internal
 * {@code mutex} (not {@code sync.Mutex}, which is {@code gmpj.sync.Mutex} here).
 *
 * <p>Any goroutine or thread may call it at the same time. It never parks a goroutine: a
 * goroutine that contends waits on its carrier thread, as the Waiting section describes, and a
 * plain thread waits the same way; neither is interruptible.
 *
 * <pre>{@code
 * lock.lock();
 * try {
 *     // a few field reads and writes
 * } finally {
 *     lock.unlock();
 * }
 * }</pre>
 *
 * <h2>Why not {@code ReentrantLock} or {@code synchronized}</h2>
 * {@code ReentrantLock} (like every AQS lock) records its owner as {@code Thread.currentThread()}.
 * JIT-compiled goroutine code may still see the carrier it ran on before a yield after it has
 * migrated to another carrier (C2 treats the current thread as constant within a compiled frame,
 * which holds for virtual threads but not for a continuation that moves between threads). Two
 * goroutines could then both "own" the lock, or a lock could be left held by nobody. A monitor
 * ({@code synchronized}) is owned by the carrier thread, with the hazards the package description
 * lists. This lock is a CAS on an int and nothing else, so who calls it does not matter: any
 * goroutine or thread may release it, wherever it took it.
 *
 * <h2>Rules</h2>
 * Hold it for a few field accesses only: never park, sleep, block, yield a goroutine or call user
 * code while holding it. It is not reentrant (a holder that locks it again waits for ever), not
 * fair, and not interruptible.
 *
 * <h2>Waiting</h2>
 * Taking a free lock is one CAS. A contender backs off in three phases, re-reading the lock word
 * between steps and trying the CAS only when it looks free:
 * <ol>
 *   <li>{@value #SPINS} rounds of {@link Thread#onSpinWait()}: a few microseconds, longer than any
 *       critical section whose holder is running;</li>
 *   <li>{@value #YIELDS} {@link Thread#yield()}s: the holder's thread may have been descheduled,
 *       and may be waiting for this CPU;</li>
 *   <li>{@link LockSupport#parkNanos(Object, long)}, from {@value #MIN_PARK_NANOS} ns, doubling up
 *       to {@value #MAX_PARK_NANOS} ns: the holder has been off a CPU for a while (a busy machine,
 *       a stopped or debugged thread), and a contender should not take the CPU it needs.</li>
 * </ol>
 * Nothing wakes a parked contender: the lock keeps no list of waiters, so that {@link #unlock()}
 * stays one store. A contender sees the lock free at the end of its current park, at most
 * {@value #MAX_PARK_NANOS} ns late and, thanks to the doubling, not much later than it had already
 * waited. After each park it spins again (phase 1, not phase 2) before the next: a lock that
 * running contenders keep taking is free only for moments, which one look per park would rarely
 * catch. In goroutine code a parked contender blocks its carrier thread, so its processor waits
 * too; a carrier that stays parked here for two time slices is treated by sysmon like one in a
 * blocking call: its processor goes to another carrier.
 *
 * <h2>Interrupts and permits</h2>
 * {@code LockSupport.parkNanos} returns at once while the thread's interrupt flag is set, which
 * would turn the park phase into a spin. So a contender takes the flag down ({@link
 * Thread#interrupted()}) before every park, remembers that it was set, and sets it again once it
 * holds the lock; an interrupt never ends the wait.
 *
 * <p>A park in the lock may also consume a {@link LockSupport#unpark} meant for a later park of the
 * same thread, and the caller may go on to that park without looking at its condition again. So a
 * contender that parked gives its thread a permit back once it holds the lock (setting the
 * interrupt flag again does that too). At worst the thread's next park returns at once: a spurious
 * wake-up, which every park loop must tolerate anyway.
 *
 * <h2>Memory ordering</h2>
 * {@link #lock()} and a successful {@link #tryLock()} take the lock by a volatile CAS (acquire),
 * {@link #unlock()} frees it by a release store: every write made under the lock happens before
 * the next holder's critical section. Reads of the word while waiting are opaque, only a hint for
 * when to try the CAS. A failed {@code tryLock()} orders nothing.
 *
 * <h2>Extending</h2>
 * The class is not final so that an object guarded by it can be the lock itself, with the lock word
 * in its own fields: no separate lock object, no dereference (gmpj's wait queues do this). The
 * methods are final. A public class that extends it publishes {@code lock()} and {@code unlock()}
 * with it, so such a class keeps the lock in a field instead (as gmpj's channels do).
 */
public class SpinLock {
    /** Failed attempts with {@link Thread#onSpinWait()} before yielding, and after each park: a few microseconds. */
    static final int SPINS = 100;
    /** Then {@link Thread#yield()}s before parking. */
    static final int YIELDS = 10;
    /** The first park, in nanoseconds; each further park doubles it, up to {@link #MAX_PARK_NANOS}. */
    static final long MIN_PARK_NANOS = 10_000L;
    /** The longest park, in nanoseconds: how late a parked contender may see the lock free. */
    static final long MAX_PARK_NANOS = 1_000_000L;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SpinLock.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 0 free, 1 held. Accessed through {@link #STATE}. */
    @SuppressWarnings("unused")
    private volatile int state;

    /** A free lock. */
    public SpinLock() {}

    /** Takes the lock, waiting as the class description says. Not interruptible. */
    public final void lock() {
        if (!STATE.compareAndSet(this, 0, 1)) { // volatile CAS: acquires what the last holder wrote
            lockContended();
        }
    }

    /**
     * Takes the lock if it is free, without waiting.
     *
     * @return {@code true} if the caller now holds the lock
     */
    public final boolean tryLock() {
        // Opaque read: a held lock is not hammered with CASes; the CAS decides (volatile: acquire).
        return (int) STATE.getOpaque(this) == 0 && STATE.compareAndSet(this, 0, 1);
    }

    /**
     * Frees the lock. Any goroutine or thread may free it: the lock does not know who took it.
     *
     * @throws IllegalStateException if the lock is not held (only this mistake is detected: freeing
     *         a lock someone else took cannot be told from freeing one's own)
     */
    public final void unlock() {
        if ((int) STATE.get(this) == 0) { // plain read: a holder reads its own CAS's 1
            throw new IllegalStateException("unlock() of a SpinLock that is not locked");
        }
        STATE.setRelease(this, 0); // release store: publishes the critical section's writes
    }

    private void lockContended() {
        int spins = 0;
        int yields = 0;
        long parkNanos = MIN_PARK_NANOS;
        boolean parked = false;
        boolean interrupted = false;
        while (!tryLock()) {
            if (spins < SPINS) {
                spins++;
                Thread.onSpinWait();
            } else if (yields < YIELDS) {
                yields++;
                Thread.yield();
            } else {
                interrupted |= Thread.interrupted(); // a set flag would make parkNanos return at once
                LockSupport.parkNanos(this, parkNanos);
                parked = true;
                parkNanos = Math.min(parkNanos << 1, MAX_PARK_NANOS);
                spins = 0; // spin again before the next park: see the class description
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt(); // also leaves a permit: see the class description
        } else if (parked) {
            LockSupport.unpark(Thread.currentThread()); // gives back a permit a park may have taken
        }
    }
}
