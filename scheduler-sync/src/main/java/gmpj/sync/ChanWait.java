package gmpj.sync;

import gmpj.core.Parking;
import gmpj.core.WaitReason;
import gmpj.core.Waiter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One blocked channel operation, or one blocked {@link Select}: who to wake, and which of its
 * queued {@link ChanNode}s was served. Go's {@code g.selectDone} plus the parking half of a
 * {@code sudog}.
 *
 * <h2>The claim protocol</h2>
 * A blocked caller queues one node per channel operation (one for a plain send or receive, one per
 * case for a select), all pointing at one {@code ChanWait} whose {@link #state} is {@link #WAITING}.
 * Whoever serves a node (a sender handing a value to a queued receiver, a receiver taking a queued
 * sender's value, {@code close}) does so while holding that node's channel lock, in this order:
 * <ol>
 *   <li>unlink the node from the channel's queue;</li>
 *   <li>read what it needs from the node (a sender's value) and write the node's result fields
 *       ({@link ChanNode#elem}, {@link ChanNode#closed});</li>
 *   <li>{@link #tryClaim} the wait for the node's case: a CAS from {@code WAITING} to the case
 *       index. Only one CAS ever succeeds, so of a select's several queued nodes exactly one is
 *       served; a server whose CAS fails drops the node (its result fields are never read) and
 *       tries the next node of the queue;</li>
 *   <li>after leaving the channel lock, {@link Waiter#unpark() unpark} the waiter.</li>
 * </ol>
 * After a successful claim the server never touches the node's fields again: the waiter may
 * already be awake and reusing them (a {@link Select} keeps its nodes between runs).
 * The waiter gives up (timeout) with {@link #tryCancel}, a CAS from {@code WAITING} to
 * {@link #CANCELLED}: if it fails, a server claimed it first and the operation happened after all.
 * Either way the waiter then unlinks its other nodes, each under its own channel's lock, so no node
 * outlives the operation in a queue.
 *
 * <p>A plain send or receive that waits until it is served (no deadline, not on a context's
 * channel) has exactly one possible settler: it is queued on one channel only, the one server
 * that unlinks it holds that channel's lock, and its waiter never gives up. So step 3 needs no
 * CAS there: the server settles the wait with a release store ({@link #serve}), one atomic
 * operation fewer per hand-off. {@link ChanNode#contested} says which nodes take which step.
 *
 * <h2>Memory ordering</h2>
 * {@link #state} is volatile. The server's result writes (step 2) come before its claim (the CAS,
 * or the release store of {@link #serve}); the waiter reads {@code state} (volatile, an acquire)
 * before it reads any result field, so it sees them. The same edge carries everything the server
 * did before, which is the send-happens-before-receive guarantee of Go's memory model. A failed
 * {@link #tryCancel} is a volatile read of the claimed state, so the same holds on that path.
 */
class ChanWait {
    /** Not served yet. */
    static final int WAITING = -1;
    /** Given up by the waiter before any server claimed it. */
    static final int CANCELLED = -2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ChanWait.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Who to unpark; set before any node pointing here is queued, read by servers under a channel lock. */
    Waiter waiter;
    /** {@link #WAITING}, {@link #CANCELLED}, or the index of the case that was served. */
    volatile int state = WAITING;

    ChanWait(Waiter waiter) {
        this.waiter = waiter;
    }

    /**
     * Server, holding the node's channel lock, of a wait that nobody else can settle (a plain
     * operation that cannot give up): settles it for {@code caseIndex} with a release store.
     */
    final void serve(int caseIndex) {
        STATE.setRelease(this, caseIndex); // release: publishes the result writes before it
    }

    /** Server, holding the node's channel lock: claims this wait for {@code caseIndex}. */
    final boolean tryClaim(int caseIndex) {
        return STATE.compareAndSet(this, WAITING, caseIndex); // volatile CAS: publishes the result writes before it
    }

    /** Waiter: gives up. False if a server claimed the wait first (then {@link #state} says which case). */
    final boolean tryCancel() {
        return STATE.compareAndSet(this, WAITING, CANCELLED); // volatile CAS; a failure reads the claimed state
    }

    /**
     * Waiter: parks until a server claims this wait, or until {@link Parking#nanoTime()} reaches
     * {@code deadline} ({@code 0}: no deadline). Returns {@link #state}: {@link #WAITING} means
     * the deadline came first and nothing was claimed yet.
     *
     * <p>Uninterruptible, like Go's channel operations: a plain thread's interrupt flag is cleared
     * while it parks (a set flag would turn every park into a busy return) and set again before
     * this returns. Goroutines have no interrupts.
     */
    final int await(WaitReason reason, long deadline) {
        boolean thread = !waiter.isGoroutine();
        boolean interrupted = false;
        try {
            int s;
            while ((s = state) == WAITING) { // volatile read: pairs with the server's claim CAS
                if (deadline == 0) {
                    Parking.park(reason);
                } else if (!Parking.parkUntil(reason, deadline)) {
                    return state;
                }
                if (thread && Thread.interrupted()) {
                    interrupted = true;
                }
            }
            return s;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
