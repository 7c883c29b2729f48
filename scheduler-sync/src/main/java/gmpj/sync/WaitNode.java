package gmpj.sync;

import gmpj.core.Parking;
import gmpj.core.WaitReason;
import gmpj.core.Waiter;

/**
 * One caller waiting in a {@link WaitQueue}: who to wake, and what it was given.
 *
 * <p>A node is as small as an object with these five fields can be (32 bytes with compressed
 * references): a parked goroutine keeps it for as long as it waits. What only one primitive needs
 * is in that primitive's subclass ({@link MutexNode}, {@link WeightedNode}).
 *
 * <h2>Protocol shared by every primitive of this package</h2>
 * <ol>
 *   <li>The waiter creates a node ({@link #WAITING}) and links it into the queue under the queue's
 *       lock, together with whatever state change the primitive needs (a waiter count, a check).</li>
 *   <li>It leaves the lock and {@link #await parks} until {@link #status} is no longer
 *       {@code WAITING}. It never parks while holding the queue lock.</li>
 *   <li>A waker unlinks the node and sets its status <em>under the queue lock</em>, leaves the lock,
 *       then unparks the node's {@link #waiter}. Parking's permit semantics make an unpark that
 *       comes before the park harmless, so nothing is lost between steps 2 and 3.</li>
 *   <li>A waiter that gives up (timeout, interrupt) takes the queue lock: if its status is still
 *       {@code WAITING} it is still linked, and it unlinks itself; otherwise a waker got there
 *       first and the waiter keeps what it was given. Because both sides decide under the same
 *       lock, a grant is never lost and never given twice.</li>
 * </ol>
 *
 * <h2>Fields</h2>
 * {@link #status} is volatile: written under the queue lock by the waker (or by the waiter when it
 * re-queues), read without the lock by the parked waiter. The volatile write/read pair is what
 * makes the waker's earlier writes (the protected data, the primitive's state) visible to the
 * woken waiter. The links are plain: only read and written under the queue lock.
 */
class WaitNode {
    /** Queued and not yet woken. Only state in which the node is linked into its queue. */
    static final int WAITING = 0;
    /** Woken to try again (a {@link Mutex} in normal mode): the waiter competes for the lock. */
    static final int WOKEN = 1;
    /** Given what it waited for: ownership, permits, the signal or the release. */
    static final int GRANTED = 2;

    /** What {@link #await} reports besides a status change. */
    static final int TIMED_OUT = -1;
    static final int INTERRUPTED = -2;

    final Waiter waiter;
    /** {@link #WAITING}, {@link #WOKEN} or {@link #GRANTED}; see the class comment for its writers. */
    volatile int status;

    /** Queue links; guarded by the queue lock. */
    WaitNode prev;
    WaitNode next;
    /**
     * Chains the nodes one waker granted in one critical section, so that it can unpark them after
     * leaving the lock. Written and read only by that waker; the woken waiters never touch it.
     */
    WaitNode grantedNext;

    WaitNode(Waiter waiter) {
        this.waiter = waiter;
    }

    /** A {@link Mutex} waiter's node. */
    static final class MutexNode extends WaitNode {
        /** When the waiter first queued ({@link Parking#nanoTime()}); written by the waiter before it links the node. */
        long waitStart;
        /** Set by the waiter once its node was linked: if it loses the race after waking, it re-queues at the front. */
        boolean queuedBefore;

        MutexNode(Waiter waiter) {
            super(waiter);
        }
    }

    /** A {@link Semaphore} waiter's node: the units it asks for. */
    static final class WeightedNode extends WaitNode {
        final long weight;

        WeightedNode(Waiter waiter, long weight) {
            super(waiter);
            this.weight = weight;
        }
    }

    /** A node for the calling goroutine or thread. */
    static WaitNode forCurrent() {
        return new WaitNode(Parking.currentWaiter());
    }

    /**
     * Parks until {@link #status} leaves {@link #WAITING}; returns the new status. With
     * {@code timed}, gives up at {@code deadline} ({@link Parking#nanoTime()}) and returns {@link #TIMED_OUT};
     * with {@code interruptible}, a plain thread that is interrupted gives up and returns
     * {@link #INTERRUPTED} (its interrupt flag cleared). A caller that gets either must settle the
     * outcome under the queue lock (the class comment, step 4); if it finds it was granted after
     * all, it keeps the grant and, for an interrupt, sets the thread's interrupt flag again.
     *
     * <p>An uninterruptible wait of a plain thread clears the interrupt flag while it parks (a set
     * flag would make every park return at once, a busy loop) and sets it again before returning.
     * An interruptible one looks at the flag before every park as well as after it: the park
     * itself takes the flag down while it blocks, so a flag set before the park (by an interrupt
     * whose wake-up permit some other park already used) would otherwise go unnoticed until a
     * waker came. Goroutines have no interrupts: {@code Thread.currentThread()} is their carrier.
     */
    int await(WaitReason reason, boolean timed, long deadline, boolean interruptible) {
        boolean thread = !waiter.isGoroutine();
        boolean interruptedMeanwhile = false;
        try {
            int s;
            while ((s = status) == WAITING) { // volatile read: pairs with the waker's volatile write
                if (interruptible && thread && Thread.interrupted()) {
                    return INTERRUPTED; // still WAITING: the caller settles under the queue lock
                }
                if (timed) {
                    if (!Parking.parkUntil(reason, deadline) && status == WAITING) {
                        return TIMED_OUT;
                    }
                } else {
                    Parking.park(reason);
                }
                if (thread && Thread.interrupted()) {
                    if (interruptible && status == WAITING) {
                        return INTERRUPTED;
                    }
                    interruptedMeanwhile = true; // granted anyway, or not ours to honour: keep the flag
                }
            }
            return s;
        } finally {
            if (interruptedMeanwhile) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Unparks {@code first} and every node chained after it through {@link #grantedNext}. */
    static void unparkChain(WaitNode first) {
        for (WaitNode n = first; n != null; ) {
            WaitNode following = n.grantedNext; // read before the unpark: the node is the waiter's again after it
            n.waiter.unpark();
            n = following;
        }
    }
}
