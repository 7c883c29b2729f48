package gmpj.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A FIFO of {@link WaitNode}s guarded by a tiny spin lock: the wait list of every primitive here.
 *
 * <h2>Why a spin lock</h2>
 * Critical sections are a few field writes (link or unlink a node, update a waiter count) and
 * never park, allocate or call user code, so a holder leaves the lock within nanoseconds unless
 * the OS deschedules its thread. A {@code java.util.concurrent} lock would park a goroutine's
 * carrier thread instead, stalling its processor. After {@link #SPINS_BEFORE_YIELD} failed
 * attempts a contender yields its thread to the OS, which covers a holder that was descheduled.
 *
 * <h2>Memory ordering</h2>
 * {@link #lock()} is a volatile CAS (acquire and more), {@link #unlock()} a release store: every
 * write made under the lock is visible to the next holder. {@link #size} is written only under the
 * lock, with a volatile store, so that callers may read it without the lock as a hint ("anyone
 * waiting?"); each such read site says why a stale answer is safe there.
 */
final class WaitQueue {
    /**
     * Failed lock attempts before a contender starts yielding its thread. 64 pauses are a few
     * microseconds: far longer than any critical section of a running holder, short enough that a
     * descheduled holder is not spun on for a whole OS time slice.
     */
    static final int SPINS_BEFORE_YIELD = 64;

    private static final VarHandle LOCK;
    private static final VarHandle SIZE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LOCK = l.findVarHandle(WaitQueue.class, "lock", int.class);
            SIZE = l.findVarHandle(WaitQueue.class, "size", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 0 free, 1 held. Accessed through {@link #LOCK}. */
    @SuppressWarnings("unused")
    private volatile int lock;
    /** Linked nodes; written under the lock (volatile store), read anywhere. */
    @SuppressWarnings("unused")
    private volatile int size;
    /** Guarded by the lock. */
    private WaitNode head;
    private WaitNode tail;

    void lock() {
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

    void unlock() {
        LOCK.setRelease(this, 0); // release store: publishes every write of the critical section
    }

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

    /** Unlinks and returns the first node, or null. Lock held. */
    WaitNode pollFirst() {
        WaitNode n = head;
        if (n != null) {
            remove(n);
        }
        return n;
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
