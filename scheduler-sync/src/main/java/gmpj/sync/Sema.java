package gmpj.sync;

import gmpj.core.Gmp;
import gmpj.core.WaitReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counting semaphore of single permits, Go's runtime {@code sema}: what {@link RWMutex} parks its
 * readers and its writer on. Not public: users want the weighted {@link Semaphore}.
 *
 * <p>A release that finds waiters hands its permit straight to the head one (FIFO); a permit
 * released while nobody waits is kept for the next acquirer. An acquire that arrives as a permit is
 * released may take it first; the queued waiter then stays queued for the next release, so no
 * permit is ever lost and none is used twice.
 *
 * <h2>Why no wake-up is lost</h2>
 * The release path increments {@link #permits} and then reads the queue size; the acquire path
 * links its node (the queue size store) and then tries to take a permit. All four accesses are
 * volatile, so at least one side sees the other (Dekker): either the releaser sees the waiter and
 * grants to it under the queue lock, or the waiter sees the permit and takes it itself.
 *
 * <h2>Abandoned waiters get their permit</h2>
 * Unlike the public primitives, a release here does not skip a waiter whose goroutine was
 * abandoned by its stopped scheduler ({@link gmpj.core.Waiter#isAbandoned()}). {@link RWMutex}
 * counts a queued reader or writer as admitted before it releases the permit, which is only the
 * wake-up: passing it to someone else would admit a second caller on one count. The dead waiter
 * keeps what it was admitted to, like a goroutine abandoned while holding a lock.
 */
final class Sema {
    private static final VarHandle PERMITS;

    static {
        try {
            PERMITS = MethodHandles.lookup().findVarHandle(Sema.class, "permits", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Permits not given to anyone. Accessed through {@link #PERMITS}. */
    @SuppressWarnings("unused")
    private volatile int permits;
    private final WaitQueue queue = new WaitQueue();

    /** Takes a permit, parking (goroutine) or blocking (thread) until one is released. */
    void acquire(WaitReason reason) {
        if (tryTake()) {
            return;
        }
        Gmp.checkpoint();
        WaitNode node = WaitNode.forCurrent();
        queue.lock();
        try {
            queue.addLast(node); // volatile store of the size, then the volatile CAS in tryTake: Dekker
            if (tryTake()) {
                queue.remove(node);
                return;
            }
        } finally {
            queue.unlock();
        }
        node.await(reason, false, 0L, false); // untimed, uninterruptible: returns GRANTED only
    }

    /** Releases a permit: to the head waiter if there is one, else into the pool. */
    void release() {
        PERMITS.getAndAdd(this, 1); // volatile: then the volatile size read, see the class comment
        if (queue.isEmpty()) {
            return;
        }
        WaitNode granted = null;
        queue.lock();
        try {
            WaitNode head = queue.peekFirst();
            if (head != null && tryTake()) {
                queue.remove(head);
                head.status = WaitNode.GRANTED; // volatile store: the waiter reads it
                granted = head;
            }
        } finally {
            queue.unlock();
        }
        if (granted != null) {
            granted.waiter.unpark();
        }
    }

    /** Waiters queued now; a snapshot. */
    int waiters() {
        return queue.size();
    }

    private boolean tryTake() {
        for (;;) {
            int p = (int) PERMITS.getVolatile(this);
            if (p == 0) {
                return false;
            }
            if (PERMITS.compareAndSet(this, p, p - 1)) { // volatile CAS: acquires the releaser's writes
                return true;
            }
        }
    }
}
