package gmpj.sync;

import gmpj.core.Gmp;
import gmpj.core.Parking;
import gmpj.core.WaitReason;
import java.time.Duration;
import java.util.Date;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A condition variable: Go's {@code sync.Cond}. Callers wait for an event while holding its
 * {@link Locker}; {@link #await()} releases the lock while waiting and re-acquires it before
 * returning.
 *
 * <pre>{@code
 * mu.lock();
 * try {
 *     while (!ready) {
 *         cond.await();      // parks a goroutine (freeing its carrier), blocks a thread
 *     }
 *     use(shared);
 * } finally {
 *     mu.unlock();
 * }
 * }</pre>
 *
 * <p>Waiters are woken in the order they started waiting ({@link #signal()} wakes the longest
 * waiting, {@link #broadcast()} all). As in Go, a woken waiter re-acquires the lock after others
 * may have changed the state, so it re-checks its condition in a loop; signalling does not require
 * holding the lock, but a waiter only counts from the moment its {@code await} has queued it, which
 * happens while it still holds the lock. {@link #asCondition()} gives the {@link Condition} view.
 *
 * <h2>Thread safety</h2>
 * Every method may be called at the same time from any goroutine or thread. {@link #await()} must
 * be called with the {@link #locker()} held; if the lock is not held at all, the locker's
 * {@code unlock} refuses and {@code await} throws {@link IllegalStateException} (gmpj's locks have
 * no owner, so a lock held by someone else is not detected). {@link #signal()} and
 * {@link #broadcast()} need not hold the lock.
 *
 * <h2>Goroutines and plain threads</h2>
 * A waiting goroutine parks (dumps show {@code sync.Cond.Wait}) and frees its carrier; a plain
 * thread blocks in {@code LockSupport}. {@link #await()} and {@link #await(Duration)} are
 * uninterruptible, like Go's: a thread's interrupt neither ends the wait nor is lost. Only the
 * {@link Condition} view's interruptible waits honour a plain thread's interrupt (throwing
 * {@link InterruptedException} with the flag cleared); goroutines have no interrupts. Waiting on a
 * carrier thread outside any goroutine throws {@link IllegalStateException}.
 */
public final class Cond {
    private final Locker locker;
    private final WaitQueue queue = new WaitQueue();

    /**
     * A condition variable whose waiters hold {@code locker}.
     *
     * @param locker the lock that guards the condition, e.g. a {@link Mutex}
     */
    public Cond(Locker locker) {
        this.locker = Objects.requireNonNull(locker, "locker must not be null");
    }

    /**
     * The lock held while observing or changing the condition: Go's {@code c.L}.
     *
     * @return the locker given at construction
     */
    public Locker locker() {
        return locker;
    }

    /**
     * Releases the lock, waits for {@link #signal()} or {@link #broadcast()}, and re-acquires the
     * lock. Uninterruptible, like Go's; may return without a signal only in the ways the caller's
     * loop tolerates anyway (another waiter changed the state first).
     *
     * @throws IllegalStateException if the caller did not hold the lock
     */
    public void await() {
        awaitInternal(false, 0L, false);
    }

    /**
     * Like {@link #await()}, giving up after {@code timeout}; the lock is re-acquired either way.
     *
     * @param timeout how long to wait for a signal
     * @return {@code false} if the time ran out without a signal
     */
    public boolean await(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        return awaitInternal(true, Parking.deadlineAfter(timeout), false) == WaitNode.GRANTED;
    }

    /** Wakes the longest-waiting caller, if any. */
    public void signal() {
        if (queue.isEmpty()) {
            return; // a waiter queues before it unlocks: if we raced it, its wait began after this signal
        }
        WaitNode n;
        queue.lock();
        try {
            n = queue.firstLive(); // a signal to an abandoned goroutine would be lost: skip it
            if (n != null) {
                queue.remove(n);
                n.status = WaitNode.GRANTED; // volatile store: the waiter reads it
            }
        } finally {
            queue.unlock();
        }
        if (n != null) {
            n.waiter.unpark();
        }
    }

    /** Wakes every waiting caller. */
    public void broadcast() {
        if (queue.isEmpty()) {
            return; // as in signal()
        }
        WaitNode first;
        queue.lock();
        try {
            first = queue.grantAll();
        } finally {
            queue.unlock();
        }
        WaitNode.unparkChain(first);
    }

    /**
     * Callers waiting now; a snapshot.
     *
     * @return the number of callers in {@code await}
     */
    public int waiters() {
        return queue.size();
    }

    /**
     * Queues the caller, releases the lock, parks, leaves the queue if it gave up, re-locks.
     *
     * @return {@link WaitNode#GRANTED} if signalled, else {@link WaitNode#TIMED_OUT} or
     *         {@link WaitNode#INTERRUPTED} (the lock is held again in every case)
     */
    private int awaitInternal(boolean timed, long deadline, boolean interruptible) {
        Gmp.checkpoint();
        WaitNode node = WaitNode.forCurrent();
        queue.lock();
        try {
            queue.addLast(node);
        } finally {
            queue.unlock();
        }
        try {
            locker.unlock();
        } catch (IllegalStateException e) {
            leave(node);
            throw new IllegalStateException("Cond.await called without holding its lock: lock cond.locker() "
                    + "before await and unlock it after", e);
        }
        int outcome;
        try {
            outcome = node.await(WaitReason.COND, timed, deadline, interruptible);
            if (outcome < 0 && !leave(node)) {
                if (outcome == WaitNode.INTERRUPTED) {
                    Thread.currentThread().interrupt(); // signalled as we gave up: the signal wins, the flag stays
                }
                outcome = WaitNode.GRANTED;
            }
        } finally {
            locker.lock();
        }
        return outcome;
    }

    /** Unlinks the node if no signal took it. Returns {@code true} if it did. */
    private boolean leave(WaitNode node) {
        queue.lock();
        try {
            if (node.status != WaitNode.WAITING) {
                return false;
            }
            queue.remove(node);
            return true;
        } finally {
            queue.unlock();
        }
    }

    @Override
    public String toString() {
        return "Cond[waiters=" + queue.size() + ", locker=" + locker + "]";
    }

    // ------------------------------------------------------------------ java.util.concurrent view

    /**
     * This condition variable as a {@link Condition} (what {@link Mutex#asLock()}'s
     * {@code newCondition()} returns). The interruptible waits honour a plain thread's interrupt;
     * goroutines have none.
     *
     * @return a new {@link Condition} view of this condition variable
     */
    public Condition asCondition() {

        return new CondCondition();
    }

    private final class CondCondition implements Condition {
        @Override
        public void await() throws InterruptedException {
            checkInterrupt();
            if (awaitInternal(false, 0L, !Gmp.inGoroutine()) == WaitNode.INTERRUPTED) {
                throw new InterruptedException("interrupted while awaiting the condition");
            }
        }

        @Override
        public void awaitUninterruptibly() {
            Cond.this.await();
        }

        @Override
        public long awaitNanos(long nanosTimeout) throws InterruptedException {
            long deadline = Parking.deadlineAfterNanos(nanosTimeout);
            awaitUntilDeadline(deadline);
            return deadline - Parking.nanoTime();
        }

        @Override
        public boolean await(long time, TimeUnit unit) throws InterruptedException {
            Objects.requireNonNull(unit, "unit must not be null");
            return awaitUntilDeadline(Parking.deadlineAfterNanos(unit.toNanos(time))); // toNanos saturates
        }

        @Override
        public boolean awaitUntil(Date deadline) throws InterruptedException {
            Objects.requireNonNull(deadline, "deadline must not be null");
            // In Duration arithmetic: the difference of two far-apart epoch millis overflows a long.
            Duration left = Duration.ofMillis(deadline.getTime()).minusMillis(System.currentTimeMillis());
            return awaitUntilDeadline(Parking.deadlineAfter(left));
        }

        private boolean awaitUntilDeadline(long deadline) throws InterruptedException {
            checkInterrupt();
            int outcome = awaitInternal(true, deadline, !Gmp.inGoroutine());
            if (outcome == WaitNode.INTERRUPTED) {
                throw new InterruptedException("interrupted while awaiting the condition");
            }
            return outcome == WaitNode.GRANTED;
        }

        private void checkInterrupt() throws InterruptedException {
            if (!Gmp.inGoroutine() && Thread.interrupted()) {
                throw new InterruptedException("interrupted before awaiting the condition");
            }
        }

        @Override
        public void signal() {
            Cond.this.signal();
        }

        @Override
        public void signalAll() {
            Cond.this.broadcast();
        }

        @Override
        public String toString() {
            return Cond.this + " as Condition";
        }
    }
}
