package gmpj.sync;

import gmpj.core.SpinLock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A FIFO of {@link WaitNode}s guarded by a {@link SpinLock}: the wait list of the locks, wait
 * groups, semaphores and condition variables here. The queue is its own lock (it extends
 * {@code SpinLock}), so the lock word costs no separate object in every primitive.
 *
 * <h2>Memory ordering</h2>
 * The lock orders everything written under it (see {@link SpinLock}). {@link #size} is written
 * only under the lock, with a volatile store, so that callers may read it without the lock as a
 * hint ("anyone waiting?"); each such read site says why a stale answer is safe there.
 */
final class WaitQueue extends SpinLock {
    private static final VarHandle SIZE;

    static {
        try {
            SIZE = MethodHandles.lookup().findVarHandle(WaitQueue.class, "size", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Linked nodes; written under the lock (volatile store), read anywhere. */
    @SuppressWarnings("unused")
    private volatile int size;
    /** Guarded by the lock. */
    private WaitNode head;
    private WaitNode tail;

    /** Linked nodes; a volatile read, may be stale by the time the caller acts on it. */
    int size() {
        return (int) SIZE.getVolatile(this);
    }

    /** Whether no node is linked; a volatile read, see {@link #size()}. */
    boolean isEmpty() {
        return size() == 0;
    }

    // ------------------------------------------------------------------ under the lock only

    /** The first node, or null. Lock held. */
    WaitNode peekFirst() {
        return head;
    }

    /**
     * Unlinks the nodes at the head whose waiter is {@link gmpj.core.Waiter#isAbandoned()
     * abandoned} (a goroutine whose scheduler stopped: it will never run to use a grant), then
     * returns the first node, or null. For primitives that grant to the head waiter and count
     * nothing per queued node outside the queue. Lock held.
     */
    WaitNode firstLive() {
        WaitNode n;
        while ((n = head) != null && n.waiter.isAbandoned()) {
            remove(n);
        }
        return n;
    }

    /** Links {@code n} at the tail. Lock held. */
    void addLast(WaitNode n) {
        n.next = null;
        n.prev = tail;
        if (tail == null) {
            head = n;
        } else {
            tail.next = n;
        }
        tail = n;
        addToSize(1);
    }

    /** Links {@code n} at the head. Lock held. */
    void addFirst(WaitNode n) {
        n.prev = null;
        n.next = head;
        if (head == null) {
            tail = n;
        } else {
            head.prev = n;
        }
        head = n;
        addToSize(1);
    }

    /** Lock held. Plain read (only holders write it), volatile store (read without the lock). */
    private void addToSize(int delta) {
        SIZE.setVolatile(this, (int) SIZE.get(this) + delta);
    }

    /** Unlinks {@code n}, which must be linked into this queue. Lock held. */
    void remove(WaitNode n) {
        WaitNode p = n.prev;
        WaitNode q = n.next;
        if (p == null) {
            head = q;
        } else {
            p.next = q;
        }
        if (q == null) {
            tail = p;
        } else {
            q.prev = p;
        }
        n.prev = null;
        n.next = null;
        addToSize(-1);
    }

    /**
     * Unlinks every node, marks each {@link WaitNode#GRANTED} and chains them through
     * {@link WaitNode#grantedNext} in FIFO order; returns the first (null if none). The caller
     * leaves the lock, then {@link WaitNode#unparkChain unparks} the chain. Lock held.
     */
    WaitNode grantAll() {
        WaitNode first = head;
        for (WaitNode n = first; n != null; ) {
            WaitNode following = n.next;
            n.prev = null;
            n.next = null;
            n.grantedNext = following;
            n.status = WaitNode.GRANTED; // volatile store: publishes the waker's writes to the waiter
            n = following;
        }
        head = null;
        tail = null;
        SIZE.setVolatile(this, 0); // volatile store: see the class comment
        return first;
    }
}
