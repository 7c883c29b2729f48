package gmpj.sync;

import gmpj.core.Gmp;
import gmpj.core.Parking;
import gmpj.core.WaitReason;
import java.time.Duration;
import java.util.Objects;

/**
 * A weighted semaphore: {@code golang.org/x/sync/semaphore.Weighted}. Bounds access to a resource
 * of {@link #size()} units; each caller asks for a weight and waits until that much is free.
 *
 * <p>Strictly FIFO: a request that does not fit blocks every later one, even smaller requests that
 * would fit. Otherwise a stream of small requests could starve a large one forever (think of a
 * writer asking for all {@code size} units while readers keep taking one each). Waiting goroutines
 * park and free their carriers; plain threads block.
 *
 * <p>All state is guarded by the wait queue's spin lock: every operation is a few field updates, so
 * the lock is held for nanoseconds, and it is never held while parking.
 *
 * <h2>Thread safety</h2>
 * Every method may be called at the same time from any goroutine (of any scheduler) or plain
 * thread. Units have no owner: any caller may release units another acquired.
 * {@link #available()} and {@link #waiters()} are snapshots.
 *
 * <h2>Goroutines and plain threads</h2>
 * A waiting goroutine parks (dumps show {@code semacquire}) and frees its carrier; a plain thread
 * blocks in {@code LockSupport}. {@link #acquire(long)} and {@link #tryAcquire(long, Duration)}
 * are uninterruptible: a thread's interrupt neither ends the wait nor is lost. Units released
 * while the head waiter is a goroutine abandoned by its stopped scheduler go to the next waiter.
 * Waiting on a carrier thread outside any goroutine throws {@link IllegalStateException}.
 *
 * <h2>The name</h2>
 * The name is Go's, kept like the other types of this package, although it is also the name of
 * {@link java.util.concurrent.Semaphore} (a different type: counting, not FIFO-weighted, and it
 * blocks a goroutine's carrier thread). A file that imports both {@code gmpj.sync.*} and
 * {@code java.util.concurrent.*} gets a compile error ("reference to Semaphore is ambiguous") at
 * each use; resolve it with a single-type import, which wins over both wildcards
 * ({@code import gmpj.sync.Semaphore;}), or write the qualified name
 * ({@code new gmpj.sync.Semaphore(4)}).
 */
public final class Semaphore {
    private final long size;
    private final WaitQueue queue = new WaitQueue();
    /** Units held by callers. Guarded by the queue lock; volatile for the lock-free {@link #available()}. */
    private volatile long held;

    /**
     * A semaphore of {@code size} units, all free.
     *
     * @param size how many units the resource has
     * @throws IllegalArgumentException if {@code size} is negative
     */
    public Semaphore(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("semaphore size must be >= 0, got " + size
                    + "; pass the number of units the resource has");
        }
        this.size = size;
    }

    /** Acquires one unit: {@code acquire(1)}. */
    public void acquire() {
        acquire(1);
    }

    /**
     * Acquires {@code n} units, waiting (in FIFO order behind earlier requests) until they are free.
     * Uninterruptible.
     *
     * @param n how many units to acquire
     * @throws IllegalArgumentException if {@code n} is negative or larger than {@link #size()}
     *                                  (it could never be satisfied)
     */
    public void acquire(long n) {
        acquire(n, false, 0L);
    }

    /**
     * Like {@link #acquire(long)}, giving up after {@code timeout}. On failure nothing is held. May
     * succeed after the timeout if the units were granted as the caller gave up.
     *
     * @param n       how many units to acquire
     * @param timeout how long to wait for them
     * @return {@code true} if the units are now held by the caller
     * @throws IllegalArgumentException as {@link #acquire(long)}
     */
    public boolean tryAcquire(long n, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        return acquire(n, true, Parking.deadlineAfter(timeout));
    }

    /**
     * Acquires {@code n} units if they are free and nobody is queued before; never waits.
     *
     * @param n how many units to acquire
     * @return {@code true} if the units are now held by the caller
     * @throws IllegalArgumentException as {@link #acquire(long)}
     */
    public boolean tryAcquire(long n) {
        checkWeight(n);
        return takeNow(n, null);
    }

    /** Releases one unit: {@code release(1)}. */
    public void release() {
        release(1);
    }

    /**
     * Releases {@code n} units and grants queued requests, in order, while they fit.
     *
     * @param n how many units to release: what the matching acquire took
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IllegalStateException    if that is more than is held
     */
    public void release(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("cannot release a negative weight (" + n + "); pass what you acquired");
        }
        WaitNode granted;
        queue.lock();
        try {
            long h = held;
            if (n > h) {
                throw new IllegalStateException("semaphore released more than held: release(" + n + ") with only " + h
                        + " unit(s) held; release exactly what each acquire took");
            }
            held = h - n;
            granted = grantWaiters();
        } finally {
            queue.unlock();
        }
        WaitNode.unparkChain(granted);
    }

    /**
     * The units the semaphore has.
     *
     * @return the size given at construction
     */
    public long size() {
        return size;
    }

    /**
     * Units free now; a snapshot.
     *
     * @return the units not held
     */
    public long available() {
        return size - held;
    }

    /**
     * Callers queued now; a snapshot.
     *
     * @return the number of queued acquires
     */

    public int waiters() {
        return queue.size();
    }

    private boolean acquire(long n, boolean timed, long deadline) {
        checkWeight(n);
        if (takeNow(n, null)) {
            return true;
        }
        if (timed && deadline - Parking.nanoTime() <= 0) {
            return false;
        }
        Gmp.checkpoint();
        WaitNode node = new WaitNode.WeightedNode(Parking.currentWaiter(), n);
        if (takeNow(n, node)) {
            return true;
        }
        if (node.await(WaitReason.SEMAPHORE, timed, deadline, false) == WaitNode.GRANTED) {
            return true;
        }
        WaitNode granted = null;
        queue.lock();
        try {
            if (node.status != WaitNode.WAITING) {
                return true; // granted as we gave up: keep it, as x/sync does
            }
            queue.remove(node);
            granted = grantWaiters(); // we, or an abandoned waiter before us, may have blocked smaller requests
        } finally {
            queue.unlock();
        }
        WaitNode.unparkChain(granted);
        return false;
    }

    /**
     * Takes {@code n} units if they fit and nobody is queued; otherwise queues {@code node}, if
     * given. First serves the queue as a release would, which changes something only if abandoned
     * waiters at its head were blocking live ones (see {@link #grantWaiters()}).
     */
    private boolean takeNow(long n, WaitNode node) {
        WaitNode granted;
        boolean took = false;
        queue.lock();
        try {
            granted = grantWaiters();
            long h = held;
            if (queue.peekFirst() == null && size - h >= n) {
                held = h + n;
                took = true;
            } else if (node != null) {
                queue.addLast(node);
            }
        } finally {
            queue.unlock();
        }
        WaitNode.unparkChain(granted);
        return took;
    }

    /**
     * Queue lock held. Grants queued requests from the head while they fit, stopping at the first
     * that does not (see the class comment); returns them chained for unparking after the lock.
     * Abandoned waiters ({@link gmpj.core.Waiter#isAbandoned()}) are dropped, not granted: they
     * would never run to use or release the units.
     */
    private WaitNode grantWaiters() {
        WaitNode first = null;
        WaitNode last = null;
        // A Semaphore queues only its own nodes.
        for (WaitNode.WeightedNode head; (head = (WaitNode.WeightedNode) queue.firstLive()) != null && size - held >= head.weight; ) {
            held = held + head.weight;
            queue.remove(head);
            head.status = WaitNode.GRANTED; // volatile store: the waiter reads it
            head.grantedNext = null;
            if (last == null) {
                first = head;
            } else {
                last.grantedNext = head;
            }
            last = head;
        }
        return first;
    }

    private void checkWeight(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("cannot acquire a negative weight (" + n + "); ask for 0 to " + size);
        }
        if (n > size) {
            throw new IllegalArgumentException("cannot acquire " + n + " units from a semaphore of size " + size
                    + ": it could never be satisfied; ask for at most " + size);
        }
    }

    @Override
    public String toString() {
        return "Semaphore[size=" + size + ", held=" + held + ", waiters=" + queue.size() + "]";
    }
}
