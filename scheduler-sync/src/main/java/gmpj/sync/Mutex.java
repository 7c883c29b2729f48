package gmpj.sync;

import gmpj.core.Gmp;
import gmpj.core.Parking;
import gmpj.core.Scheduler;
import gmpj.core.WaitReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A mutual-exclusion lock: Go's {@code sync.Mutex}. A goroutine waiting for it parks and frees its
 * carrier; a plain thread blocks.
 *
 * <p>Not reentrant, and not owned: any goroutine or thread may unlock a mutex that another one
 * locked, as in Go. Unlocking an unlocked mutex throws {@link IllegalStateException}.
 *
 * <h2>Two modes (Go's design)</h2>
 * <ul>
 *   <li><b>Normal.</b> Waiters queue in FIFO order, but a woken waiter does not own the lock: it
 *       competes with goroutines arriving right now, which are already running and usually win. A
 *       waiter that loses goes back to the <em>front</em> of the queue. Arrivals may spin briefly
 *       first. Throughput is best in this mode: a running goroutine can take the lock many times in
 *       a row.</li>
 *   <li><b>Starvation.</b> Entered when a waiter that has waited more than
 *       {@link #STARVATION_THRESHOLD_NANOS 1 ms} loses again. Unlock then hands ownership straight to
 *       the head waiter; arrivals neither spin nor take the lock, they queue at the tail. Left when
 *       the waiter given the lock is the last one queued, or had waited less than 1 ms. This bounds
 *       the tail latency of waiters.</li>
 * </ul>
 * {@link #starvationEntries()}, {@link #starvationExits()} and {@link #handoffs()} count what
 * happened, for tests and for people studying the behaviour.
 *
 * <h2>Thread safety</h2>
 * Every method, and every method of the {@link #asLock()} view, may be called at the same time
 * from any goroutine (of any scheduler) or plain thread. The observers ({@link #isLocked()},
 * {@link #queuedWaiters()}, the counters) are snapshots.
 *
 * <h2>Goroutines and plain threads</h2>
 * A caller that finds the mutex held may spin for about a microsecond (only on a multi-core
 * machine, and for a goroutine only when its scheduler has more than one processor), then waits: a
 * goroutine parks (dumps show {@code sync.Mutex.Lock}) and frees its carrier, a plain thread
 * blocks in {@code LockSupport}. {@link #lock()} and {@link #tryLock(Duration)} are
 * uninterruptible, like Go's: a thread's interrupt neither ends the wait nor is lost. The
 * {@link Lock} view's {@code lockInterruptibly} and timed {@code tryLock} honour a plain thread's
 * interrupt; goroutines have none. In starvation mode, a goroutine whose unlock hands the mutex to
 * a waiting goroutine then yields, as Go's does, so that the new owner runs at once. Waiting on a
 * carrier thread outside any goroutine throws {@link IllegalStateException}.
 *
 * <h2>State word</h2>
 * One {@code int}, {@link #state}: bit 0 {@code LOCKED}, bit 1 {@code WOKEN} (a waiter is awake or
 * spinning and will compete, so an unlock need not wake another), bit 2 {@code STARVING}, and above
 * them the number of queued waiters. The waiter count changes only under the queue's lock, together
 * with the queue itself, so under that lock the count and the queue always agree; the other bits
 * also change outside it, by CAS. {@code STARVING} without {@code LOCKED} means "owned by whoever
 * the pending hand-off picks": no one else may take it.
 *
 * <h2>The running caller's paths</h2>
 * A lock and an unlock by a caller that does not wait are one CAS each, whatever else the word
 * holds: each reads the word first (an opaque read, only a guess) and CASes the bit in or out of
 * the value it read; a wrong guess costs a failed CAS, never a wrong decision, because only the
 * CAS decides. This matters under contention: while a woken waiter is on its way or others are
 * queued, the word is neither {@code LOCKED} nor 0, so a CAS that expected one of those would fail
 * and need a second one, in the lock and in the unlock. Reading first also means that a caller
 * that finds the mutex held writes nothing before it spins or queues, so the holder keeps its
 * cache line (test and test-and-set).
 * An unlock that finds {@code LOCKED} clear throws only after a volatile read confirms it.
 *
 * <h2>Memory ordering</h2>
 * Every change of the word is a volatile CAS (or compare-and-exchange): the one that sets
 * {@code LOCKED} acquires what the last owner wrote, the one that clears it releases what the
 * critical section wrote. The opaque guesses order nothing. A waiter woken or granted reads its
 * node's volatile {@code status}, written by the waker under the queue lock ({@link WaitNode}).
 */
public final class Mutex implements Locker {
    static final int LOCKED = 1;
    static final int WOKEN = 1 << 1;
    static final int STARVING = 1 << 2;
    static final int WAITER_SHIFT = 3;
    static final int ONE_WAITER = 1 << WAITER_SHIFT;

    /**
     * A waiter that has waited longer than this switches the mutex to starvation mode: Go's 1 ms,
     * long against a critical section (nanoseconds to microseconds), short against the latency a
     * user notices. Waits are measured on {@link Parking#nanoTime()}, like deadlines: in a
     * {@code Synctest} bubble a real-time measure would make the hand-off order depend on how fast
     * the driving thread ran, and a seed would no longer replay its run.
     */
    public static final long STARVATION_THRESHOLD_NANOS = 1_000_000L;
    /**
     * Spin rounds before queueing, and pauses per round: Go's 4 rounds of 30 PAUSEs, about a
     * microsecond in all. Longer spinning only burns the CPU the lock holder may need.
     */
    static final int SPIN_ROUNDS = 4;
    static final int PAUSES_PER_ROUND = 30;
    /** Spinning on a single CPU can only delay the holder. */
    private static final boolean MULTICORE = Runtime.getRuntime().availableProcessors() > 1;

    /** What {@link #acquireSlow} reports; the give-ups are {@link WaitNode}'s. */
    private static final int ACQUIRED = 0;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Mutex.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** See the class comment. Accessed through {@link #STATE}. */
    @SuppressWarnings("unused")
    private volatile int state;
    private final WaitQueue queue = new WaitQueue();

    // Counters: written only under the queue lock (one writer at a time), volatile for lock-free readers.
    private volatile long starvationEntries;
    private volatile long starvationExits;
    private volatile long handoffs;

    /** An unlocked mutex. */
    public Mutex() {}

    // ------------------------------------------------------------------ locking

    /** Locks the mutex, parking the calling goroutine (or blocking the thread) until it is free. */
    @Override
    public void lock() {
        lock(WaitReason.MUTEX);
    }

    /** {@link #lock()} recording {@code reason} while waiting (an {@link RWMutex} writer says so). */
    void lock(WaitReason reason) {
        if (!acquireFast()) {
            acquireSlow(reason, false, 0L, false);
        }
    }

    /**
     * One try without waiting, for the lock calls: read the word, and if the mutex is free and not
     * promised to a waiter, one CAS that sets LOCKED in it. So a running caller takes a free mutex
     * in one atomic operation whether or not waiters are counted in the word, and a caller that
     * finds it held writes nothing: its line stays with the holder (test and test-and-set).
     */
    private boolean acquireFast() {
        int s = (int) STATE.getOpaque(this); // a guess: the CAS decides
        if (s == 0) {
            // The CAS's operands are constants here, not the value just read, so the common case
            // (no waiters) does not wait on the read's result.
            return STATE.compareAndSet(this, 0, LOCKED); // volatile CAS: acquires the last owner's writes
        }
        return (s & (LOCKED | STARVING)) == 0 && STATE.compareAndSet(this, s, s | LOCKED); // volatile CAS, as above
    }

    /**
     * Locks the mutex if it is free and not promised to a waiter; never waits. Go's
     * {@code TryLock}: in starvation mode the lock belongs to the queue, so this fails.
     *
     * @return {@code true} if the mutex is now locked by this call
     */
    public boolean tryLock() {
        int s = (int) STATE.getVolatile(this);
        return (s & (LOCKED | STARVING)) == 0 && STATE.compareAndSet(this, s, s | LOCKED); // volatile CAS
    }

    /**
     * Like {@link #lock()}, giving up after {@code timeout}. May succeed after the timeout if the
     * lock was handed to this caller as it gave up.
     *
     * @param timeout how long to wait for the lock
     * @return {@code true} if the mutex is now locked by this call
     */
    public boolean tryLock(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (acquireFast()) {
            return true;
        }
        return acquireSlow(WaitReason.MUTEX, true, Parking.deadlineAfter(timeout), false) == ACQUIRED;
    }

    /**
     * For the {@link Lock} view: like {@link #lock()} or, with {@code timed}, {@link #tryLock(Duration)}
     * up to {@code deadline}; a plain thread that is interrupted stops waiting.
     *
     * @return {@code false} if the deadline passed first
     */
    boolean lockInterruptibly(boolean timed, long deadline) throws InterruptedException {
        boolean thread = !Gmp.inGoroutine();
        if (thread && Thread.interrupted()) {
            throw new InterruptedException("interrupted before locking the mutex");
        }
        if (acquireFast()) {
            return true;
        }
        int outcome = acquireSlow(WaitReason.MUTEX, timed, deadline, thread);
        if (outcome == WaitNode.INTERRUPTED) {
            throw new InterruptedException("interrupted while waiting for the mutex");
        }
        return outcome == ACQUIRED;
    }

    /**
     * Go's {@code lockSlow}: spin while it can pay off, else queue and park; a woken waiter competes
     * again and re-queues at the front; a waiter that waited past the threshold switches the mutex
     * to starvation mode, where the unlocker hands it the lock directly.
     *
     * @return {@link #ACQUIRED}, {@link WaitNode#TIMED_OUT} or {@link WaitNode#INTERRUPTED}
     */
    private int acquireSlow(WaitReason reason, boolean timed, long deadline, boolean interruptible) {
        Gmp.checkpoint();
        boolean spinPays = spinCanPayOff();
        WaitNode.MutexNode node = null;
        boolean starving = false; // this caller has waited past the threshold (sticky, as in Go)
        boolean awoke = false;    // this caller set WOKEN, or was woken with it: it must clear it
        int gaveUp = 0;           // TIMED_OUT or INTERRUPTED once the wait was abandoned
        int spins = 0;
        int s = (int) STATE.getVolatile(this);
        for (;;) {
            if ((s & (LOCKED | STARVING)) == LOCKED && spinPays && spins < SPIN_ROUNDS && gaveUp == 0
                    && (!timed || deadline - Parking.nanoTime() > 0)) {
                // Tell unlockers someone is awake, so they do not wake a queued waiter needlessly.
                if (!awoke && (s & WOKEN) == 0 && (s >>> WAITER_SHIFT) != 0
                        && STATE.compareAndSet(this, s, s | WOKEN)) { // volatile CAS
                    awoke = true;
                }
                spinRound();
                spins++;
                s = (int) STATE.getVolatile(this);
                continue;
            }
            if ((s & (LOCKED | STARVING)) == 0) {
                int next = awoke ? (s | LOCKED) & ~WOKEN : s | LOCKED;
                if (STATE.compareAndSet(this, s, next)) { // volatile CAS: acquires the last owner's writes
                    if (gaveUp == WaitNode.INTERRUPTED) {
                        Thread.currentThread().interrupt(); // acquired anyway: keep the interrupt for the caller
                    }
                    return ACQUIRED;
                }
                s = (int) STATE.getVolatile(this);
                continue;
            }
            if (gaveUp == 0 && timed && deadline - Parking.nanoTime() <= 0) {
                gaveUp = WaitNode.TIMED_OUT;
            }
            if (gaveUp != 0) {
                // Locked (or promised to the queue) and we stop waiting: hand back WOKEN if we hold it,
                // so that the next unlock wakes a queued waiter.
                if (!awoke || STATE.compareAndSet(this, s, s & ~WOKEN)) { // volatile CAS
                    return gaveUp;
                }
                s = (int) STATE.getVolatile(this);
                continue;
            }
            // Locked, or starving: queue up.
            if (node == null) {
                node = new WaitNode.MutexNode(Parking.currentWaiter());
                node.waitStart = Parking.nanoTime();
            }
            if (!enqueue(node, starving, awoke)) {
                s = (int) STATE.getVolatile(this); // freed, or changed under us: look again
                continue;
            }
            awoke = false;
            int outcome = node.await(reason, timed, deadline, interruptible);
            if (outcome < 0) {
                int settled = leaveQueue(node);
                if (settled == WaitNode.WAITING) {
                    return outcome; // unlinked before anyone woke us
                }
                gaveUp = outcome; // woken or granted as we gave up: settle that first
                outcome = settled;
            }
            if (outcome == WaitNode.GRANTED) {
                // Handed off in starvation mode: the unlocker already set LOCKED for us.
                if (gaveUp == WaitNode.INTERRUPTED) {
                    Thread.currentThread().interrupt();
                }
                return ACQUIRED;
            }
            // WOKEN: the unlocker set WOKEN for us and took us off the queue; compete again.
            starving = starving || Parking.nanoTime() - node.waitStart > STARVATION_THRESHOLD_NANOS;
            awoke = true;
            spins = 0;
            s = (int) STATE.getVolatile(this);
        }
    }

    /**
     * Under the queue lock: counts the caller as a waiter (turning starvation on if it is starving
     * and the mutex is locked; clearing WOKEN if it held it) and links its node, at the front if it
     * had queued before. Returns {@code false}, changing nothing, if the mutex is free to compete
     * for or the state moved under us.
     */
    private boolean enqueue(WaitNode.MutexNode node, boolean starving, boolean awoke) {
        queue.lock();
        try {
            int s = (int) STATE.getVolatile(this);
            if ((s & (LOCKED | STARVING)) == 0) {
                return false;
            }
            int next = s + ONE_WAITER;
            // Only a locked mutex may turn starving: a hand-off needs an unlock to trigger it.
            boolean enterStarvation = starving && (s & (LOCKED | STARVING)) == LOCKED;
            if (enterStarvation) {
                next |= STARVING;
            }
            if (awoke) {
                next &= ~WOKEN;
            }
            if (!STATE.compareAndSet(this, s, next)) { // volatile CAS; the waiter count is ours to change here
                return false;
            }
            if (enterStarvation) {
                starvationEntries++;
            }
            node.status = WaitNode.WAITING; // volatile store, before the node is reachable by wakers
            if (node.queuedBefore) {
                queue.addFirst(node); // Go's rule: a waiter that lost the race keeps its place at the front
            } else {
                queue.addLast(node);
                node.queuedBefore = true;
            }
            return true;
        } finally {
            queue.unlock();
        }
    }

    /**
     * A waiter that timed out or was interrupted leaves the queue, if it is still in it. Returns
     * {@link WaitNode#WAITING} if it unlinked itself, else the status a waker gave it meanwhile.
     * The last waiter leaving a starving mutex turns starvation off: there is nobody to hand to.
     */
    private int leaveQueue(WaitNode node) {
        queue.lock();
        try {
            int st = node.status;
            if (st != WaitNode.WAITING) {
                return st;
            }
            dropWaiterLocked(node);
            return WaitNode.WAITING;
        } finally {
            queue.unlock();
        }
    }

    /**
     * Under the queue lock: unlinks {@code node} and uncounts it. The last waiter leaving a
     * starving mutex turns starvation off: there is nobody to hand to.
     */
    private void dropWaiterLocked(WaitNode node) {
        queue.remove(node);
        for (;;) {
            int s = (int) STATE.getVolatile(this);
            int next = s - ONE_WAITER;
            boolean exitStarvation = (next >>> WAITER_SHIFT) == 0 && (next & STARVING) != 0;
            if (exitStarvation) {
                next &= ~STARVING;
            }
            if (STATE.compareAndSet(this, s, next)) { // volatile CAS; the waiter count is ours to change here
                if (exitStarvation) {
                    starvationExits++;
                }
                return;
            }
        }
    }

    private static boolean spinCanPayOff() {
        if (!MULTICORE) {
            return false;
        }
        Scheduler s = Gmp.currentScheduler();
        return s == null || s.procs() > 1; // on one P the holder cannot run while we spin
    }

    private static void spinRound() {
        for (int i = 0; i < PAUSES_PER_ROUND; i++) {
            Thread.onSpinWait();
        }
        Gmp.checkpoint();
    }

    // ------------------------------------------------------------------ unlocking

    /**
     * Unlocks the mutex, waking a waiter if one should compete (normal mode) or handing it the
     * lock (starvation mode).
     *
     * @throws IllegalStateException if the mutex is not locked
     */
    @Override
    public void unlock() {
        // Opaque read, a guess at the word: usually this caller locked it a moment ago and its line is
        // still in this core's cache. The CAS decides (volatile: releases the critical section's writes).
        int s = (int) STATE.getOpaque(this);
        if (s != LOCKED || !STATE.compareAndSet(this, LOCKED, 0)) {
            unlockSlow(s);
        }
    }

    /**
     * Clears LOCKED from the word, starting from the guess {@code s} (each failed exchange returns
     * the next word to try, so the loop reads nothing else), then wakes or hands off if the word
     * says so. With waiters counted this is still one atomic operation when the guess was right.
     */
    private void unlockSlow(int s) {
        for (;;) {
            if ((s & LOCKED) == 0 && ((s = (int) STATE.getVolatile(this)) & LOCKED) == 0) { // a guess cannot convict
                throw new IllegalStateException("unlock of an unlocked Mutex: every unlock() must match exactly one "
                        + "earlier lock() or successful tryLock()");
            }
            int witness = (int) STATE.compareAndExchange(this, s, s & ~LOCKED); // volatile: releases the section's writes
            if (witness == s) {
                break;
            }
            s = witness;
        }
        s &= ~LOCKED;
        if ((s & STARVING) == 0 && ((s >>> WAITER_SHIFT) == 0 || (s & WOKEN) != 0)) {
            return; // nobody queued, or someone is already awake to take it
        }
        wakeOrHandOff();
    }

    /**
     * Under the queue lock: in starvation mode, give the lock to the head waiter (set LOCKED for
     * it); in normal mode, wake the head waiter to compete (set WOKEN). Re-reads the state, so a
     * stale caller does nothing: the mutex was re-locked, someone else is awake, or nobody waits.
     * An abandoned head waiter ({@link gmpj.core.Waiter#isAbandoned()}) is dropped first: it would
     * never run to take the lock or clear WOKEN, so handing either to it would wedge the mutex.
     */
    private void wakeOrHandOff() {
        WaitNode chosen;
        boolean handoff;
        queue.lock();
        try {
            for (;;) {
                int s = (int) STATE.getVolatile(this);
                int waiters = s >>> WAITER_SHIFT;
                if (waiters == 0 || (s & LOCKED) != 0) {
                    return;
                }
                // Non-null: under this lock the count and the queue agree; a Mutex queues only its own nodes.
                WaitNode.MutexNode head = (WaitNode.MutexNode) queue.peekFirst();
                if (head.waiter.isAbandoned()) {
                    dropWaiterLocked(head);
                    continue;
                }
                int next;
                boolean leaveStarvation = false;
                if ((s & STARVING) != 0) {
                    // Go's exit rule, decided here with the head's own wait time: it is the last
                    // waiter, or it has not waited long enough to be starving.
                    leaveStarvation = waiters == 1 || Parking.nanoTime() - head.waitStart < STARVATION_THRESHOLD_NANOS;
                    next = (s - ONE_WAITER) | LOCKED;
                    if (leaveStarvation) {
                        next &= ~STARVING;
                    }
                    handoff = true;
                } else {
                    if ((s & WOKEN) != 0) {
                        return;
                    }
                    next = (s - ONE_WAITER) | WOKEN;
                    handoff = false;
                }
                if (!STATE.compareAndSet(this, s, next)) { // volatile CAS
                    continue;
                }
                queue.remove(head);
                if (handoff) {
                    handoffs++;
                    if (leaveStarvation) {
                        starvationExits++;
                    }
                }
                head.status = handoff ? WaitNode.GRANTED : WaitNode.WOKEN; // volatile store: the waiter reads it
                chosen = head;
                break;
            }
        } finally {
            queue.unlock();
        }
        chosen.waiter.unpark();
        if (handoff && chosen.waiter.isGoroutine() && Gmp.inGoroutine()) {
            Gmp.yield(); // as Go does: let the new owner run now instead of at the end of our time slice
        }
    }

    // ------------------------------------------------------------------ observation

    /**
     * Whether the mutex is locked now (or promised to a waiter in starvation mode). A snapshot.
     *
     * @return {@code true} if locked or promised
     */
    public boolean isLocked() {
        return ((int) STATE.getVolatile(this) & (LOCKED | STARVING)) != 0;
    }

    /**
     * Whether the mutex is in starvation mode now. A snapshot.
     *
     * @return {@code true} in starvation mode, {@code false} in normal mode
     */
    public boolean isStarving() {
        return ((int) STATE.getVolatile(this) & STARVING) != 0;
    }

    /**
     * Waiters queued now. A snapshot.
     *
     * @return the number of callers waiting for the lock
     */
    public int queuedWaiters() {
        return (int) STATE.getVolatile(this) >>> WAITER_SHIFT;
    }

    /**
     * How many times the mutex entered starvation mode.
     *
     * @return the count since the mutex was made
     */
    public long starvationEntries() {
        return starvationEntries;
    }

    /**
     * How many times it left starvation mode (equal to the entries whenever it is in normal mode).
     *
     * @return the count since the mutex was made
     */
    public long starvationExits() {
        return starvationExits;
    }

    /**
     * How many times an unlock handed the lock straight to the head waiter (starvation mode).
     *
     * @return the count since the mutex was made
     */
    public long handoffs() {
        return handoffs;
    }

    @Override
    public String toString() {
        int s = (int) STATE.getVolatile(this);
        return "Mutex[" + ((s & LOCKED) != 0 ? "locked" : "unlocked") + ((s & STARVING) != 0 ? ", starving" : "")
                + ", waiters=" + (s >>> WAITER_SHIFT) + "]";
    }

    // ------------------------------------------------------------------ java.util.concurrent view

    /**
     * This mutex as a {@link Lock}, for code that expects one. Same lock, same rules: not reentrant,
     * any caller may unlock. {@code lockInterruptibly} and the timed {@code tryLock} honour a plain
     * thread's interrupt; goroutines have none. {@code newCondition()} returns a {@link Cond} on
     * this mutex.
     *
     * @return a new {@link Lock} view of this mutex
     */
    public Lock asLock() {

        return new MutexLock();
    }

    private final class MutexLock implements Lock {
        @Override
        public void lock() {
            Mutex.this.lock();
        }

        @Override
        public void lockInterruptibly() throws InterruptedException {
            Mutex.this.lockInterruptibly(false, 0L);
        }

        @Override
        public boolean tryLock() {
            return Mutex.this.tryLock();
        }

        @Override
        public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
            Objects.requireNonNull(unit, "unit must not be null");
            return Mutex.this.lockInterruptibly(true, Parking.deadlineAfterNanos(unit.toNanos(time))); // toNanos saturates
        }

        @Override
        public void unlock() {
            Mutex.this.unlock();
        }

        @Override
        public Condition newCondition() {
            return new Cond(Mutex.this).asCondition();
        }

        @Override
        public String toString() {
            return Mutex.this + " as Lock";
        }
    }
}
