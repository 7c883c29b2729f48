package gmpj.sync;

import gmpj.core.Waiter;

/**
 * One channel operation waiting in a channel's send or receive queue: Go's {@code sudog}.
 *
 * <p>A plain blocked send or receive is its own {@link ChanWait} ({@link #wait} is {@code this});
 * the nodes of a blocked {@link Select} share one. See {@link ChanWait} for the claim protocol.
 *
 * <p>Every field but those of {@code ChanWait} is plain and guarded by the lock of the channel the
 * node is queued on: written by the waiter before it queues the node and by the server before its
 * claim, and read by the waiter only after it has seen the claim (or, for unlinking, under the lock).
 */
final class ChanNode extends ChanWait {
    /** The wait this node belongs to: {@code this}, or a select's shared one. */
    final ChanWait wait;
    /** The case index a server claims {@link #wait} for: 0 for a plain operation, the case's for a select. */
    final int caseIndex;
    /**
     * Whether a server's CAS must decide who settles {@link #wait}: always for a select's nodes
     * (several servers may reach them), and for a plain operation that can give up (it has a
     * deadline, or its channel is a context's, whose deadline it watches). A plain operation that
     * waits until served has one possible settler, the server that unlinks it under the channel
     * lock, which then settles it with a release store ({@link ChanWait#serve}).
     */
    final boolean contested;
    /** A sender's value; a receiver's received value once served (null if served by {@code close}). */
    Object elem;
    /** Set by {@code close} when it serves the node: a receiver got no value, a sender must throw. */
    boolean closed;
    /** Whether the node is linked into a queue; the waiter unlinks it only if so. */
    boolean queued;
    /** Which queue: the channel's senders ({@code true}) or receivers. */
    boolean sending;
    /** Queue links. */
    ChanNode prev;
    ChanNode next;

    /** A plain blocked send or receive of {@code waiter}; {@code mayGiveUp} if it has a deadline to watch. */
    ChanNode(Waiter waiter, boolean mayGiveUp) {
        super(waiter);
        this.wait = this;
        this.caseIndex = 0;
        this.contested = mayGiveUp;
    }

    /** Case {@code caseIndex} of a select waiting on {@code wait}. */
    ChanNode(ChanWait wait, int caseIndex) {
        super(null);
        this.wait = wait;
        this.caseIndex = caseIndex;
        this.contested = true;
    }

    /**
     * Server, holding the node's channel lock: whether the node's goroutine was abandoned by its
     * stopped scheduler and will never run again. Such a node is dropped unserved: a value handed
     * to it would be lost, and a value taken from it would come from a send that never returns.
     */
    boolean abandoned() {
        return wait.waiter.isAbandoned(); // volatile read
    }

    /** Server: claims {@link #wait} for this node's case. See {@link ChanWait}. */
    boolean claim() {
        if (!contested) {
            wait.serve(caseIndex);
            return true;
        }
        return wait.tryClaim(caseIndex);
    }

    /**
     * Server, after leaving the channel lock: wakes the waiter of a node it claimed. The node
     * itself may be reused by then (a {@link Select} keeps its nodes); only the final
     * {@link #wait} and its waiter are read, and waking a waiter that already moved on is a
     * spurious wake-up, which every park tolerates.
     */
    void wake() {
        wait.waiter.unpark();
    }
}
