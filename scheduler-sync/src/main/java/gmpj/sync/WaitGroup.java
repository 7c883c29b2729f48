package gmpj.sync;

import gmpj.core.Gmp;
import gmpj.core.Parking;
import gmpj.core.Scheduler;
import gmpj.core.WaitReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;

/**
 * Waits for a collection of tasks to finish: Go's {@code sync.WaitGroup}.
 *
 * <pre>{@code
 * WaitGroup wg = new WaitGroup();
 * for (Job job : jobs) {
 *     wg.go(scheduler, () -> process(job));   // add(1), then done() when the task ends
 * }
 * wg.await();                                 // parks a goroutine, blocks a thread
 * }</pre>
 *
 * <p>{@link #add(int) add} before starting what you wait for, {@link #done()} when each part
 * finishes, {@link #await()} to wait for the counter to reach zero. Everything a task wrote before
 * its {@code done()} is visible to the callers that {@code await()} returns to. A group may be
 * reused once every {@code await()} of the previous round has returned.
 *
 * <h2>Misuse (Go's panics, as {@link IllegalStateException})</h2>
 * <ul>
 *   <li>the counter would go negative (more {@code done()} than {@code add}): refused, the counter
 *       is left as it was;</li>
 *   <li>{@code add} with a positive delta while the counter is zero and waiters are being released
 *       (an {@code add} racing an {@code await}): refused;</li>
 *   <li>the group is reused (a new {@code add}) before a previous {@code await()} returned: that
 *       {@code await()} throws.</li>
 * </ul>
 *
 * <h2>Thread safety</h2>
 * Every method may be called at the same time from any goroutine (of any scheduler) or plain
 * thread, within the rules above ({@code add} for a new round only once the previous round's
 * {@code await()}s have returned). {@link #counter()} and {@link #waiters()} are snapshots.
 *
 * <h2>Goroutines and plain threads</h2>
 * {@link #await()} parks a goroutine (dumps show {@code sync.WaitGroup.Wait}) and frees its
 * carrier, or blocks a plain thread in {@code LockSupport}, uninterruptibly, like Go's: a thread's
 * interrupt neither ends the wait nor is lost. {@code add} and {@code done} never wait. Tasks
 * started with {@link #go} run as goroutines of the given scheduler, whoever calls {@code go}.
 * Waiting on a carrier thread outside any goroutine throws {@link IllegalStateException}.
 *
 * <h2>State word</h2>
 * One {@code long}, like Go's: the counter in the high 32 bits, the number of waiters in the low 32.
 * {@code add} and {@code done} change the counter by CAS without any lock. The waiter count changes
 * only under the queue's lock, together with the queue, so under that lock it equals the number of
 * queued nodes. The {@code add} that brings the counter to zero with waiters resets the word to
 * zero and grants every node under the queue lock. While the counter is zero and waiters remain,
 * the word cannot change: another {@code add} is refused as misuse, and a new waiter, seeing zero,
 * does not wait.
 */
public final class WaitGroup {
    private static final long WAITERS_MASK = 0xFFFF_FFFFL;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(WaitGroup.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Counter (high 32 bits) and waiters (low 32 bits); see the class comment. Changed through
     * {@link #STATE}; read directly (a volatile read) where the reader may be on a parked stack.
     */
    private volatile long state;
    private final WaitQueue queue = new WaitQueue();

    /** A group with a zero counter. */
    public WaitGroup() {}

    /**
     * Adds {@code delta}, which may be negative, to the counter. When it reaches zero every waiter
     * is released.
     *
     * @param delta how much to add: the number of tasks started, or negative for tasks finished
     * @throws IllegalStateException    if the counter would go negative, or on a positive delta
     *                                  while waiters are being released (see the class comment)
     * @throws IllegalArgumentException if the counter would pass {@link Integer#MAX_VALUE}
     */
    public void add(int delta) {
        if (delta == 0) {
            return;
        }
        long s;
        long counter;
        int waiters;
        do {
            s = (long) STATE.getVolatile(this);
            waiters = (int) s;
            int old = (int) (s >> 32);
            counter = (long) old + delta;
            if (counter < 0) {
                throw new IllegalStateException("negative WaitGroup counter: done() or add(" + delta + ") was called "
                        + "more often than add(); call add(n) once for the n tasks before starting them");
            }
            if (counter > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("WaitGroup counter would overflow: " + old + " + " + delta
                        + " exceeds " + Integer.MAX_VALUE + "; wait for some tasks before adding more");
            }
            if (waiters != 0 && delta > 0 && old == 0) {
                throw new IllegalStateException("WaitGroup misuse: add() called concurrently with await() while the "
                        + "counter was zero; call add() before starting the await() that waits for it");
            }
        } while (!STATE.compareAndSet(this, s, counter << 32 | (s & WAITERS_MASK))); // volatile CAS: a done() releases
        if (counter == 0 && waiters != 0) {
            releaseWaiters();
        }
    }

    /** Decrements the counter by one: {@code add(-1)}. */
    public void done() {
        add(-1);
    }

    /**
     * Go 1.25's {@code wg.Go}: {@code add(1)}, then starts {@code task} as a goroutine of
     * {@code scheduler} that calls {@code done()} when it ends, even by an exception (which then
     * goes to the scheduler's uncaught-exception handler).
     *
     * @param scheduler where the goroutine runs
     * @param task      what the goroutine runs
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler is shut down (the
     *                                                         counter is left as it was)
     */
    public void go(Scheduler scheduler, Runnable task) {
        Objects.requireNonNull(scheduler, "scheduler must not be null");
        Objects.requireNonNull(task, "task must not be null");
        add(1);
        try {
            scheduler.go(() -> {
                try {
                    task.run();
                } finally {
                    done();
                }
            });
        } catch (RuntimeException | Error e) {
            done();
            throw e;
        }
    }

    /**
     * Waits until the counter is zero: parks a goroutine (freeing its carrier), blocks a thread.
     * Returns at once if it is zero already. Uninterruptible, like Go's.
     *
     * @throws IllegalStateException if the group was reused (a new {@code add}) before this call returned
     */
    public void await() {
        if (counter() != 0) {
            // Parks in this frame, without a helper between it and Parking.park: a parked goroutine
            // keeps every frame from its entry to its yield, so fewer and smaller frames mean a
            // smaller parked goroutine.
            WaitNode node = enqueue();
            if (node != null) {
                while (node.status == WaitNode.WAITING) { // volatile read: pairs with the release's volatile write
                    Parking.park(WaitReason.WAITGROUP); // a plain thread's interrupt flag is kept (Parking.parkThread)
                }
                checkNotReused();
            }
        }
    }

    /**
     * Like {@link #await()}, giving up after {@code timeout}.
     *
     * @param timeout how long to wait for the counter to reach zero
     * @return {@code true} if the counter reached zero, {@code false} if the time ran out first
     */
    public boolean await(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        return counter() == 0 || awaitUntil(Parking.deadlineAfter(timeout));
    }

    /**
     * The counter now; a snapshot.
     *
     * @return tasks added and not yet done
     */
    public int counter() {
        // A volatile read (it acquires the done()s' writes), of the field rather than through STATE:
        // await() is on a parked goroutine's stack, where C1 code that inlines a VarHandle takes room.
        return (int) (state >> 32);
    }

    /**
     * Callers waiting now; a snapshot.
     *
     * @return the number of callers in {@link #await()}
     */

    public int waiters() {
        return (int) (long) STATE.getVolatile(this);
    }

    /** The wait queue; tests hold its lock to stop a release between its CAS and its grants. */
    WaitQueue queue() {
        return queue;
    }

    private boolean awaitUntil(long deadline) {
        WaitNode node = enqueue();
        if (node == null) {
            return true;
        }
        if (node.await(WaitReason.WAITGROUP, true, deadline, false) == WaitNode.TIMED_OUT && leave(node)) {
            return false;
        }
        checkNotReused();
        return true;
    }

    /**
     * Counts the caller as a waiter and queues a node for it, unless the counter is zero already
     * (then null: nothing to wait for).
     */
    private WaitNode enqueue() {
        Gmp.checkpoint();
        WaitNode node = WaitNode.forCurrent();
        queue.lock();
        try {
            for (;;) {
                long s = (long) STATE.getVolatile(this);
                if ((int) (s >> 32) == 0) {
                    return null;
                }
                if (STATE.compareAndSet(this, s, s + 1)) { // volatile CAS; the waiter count is ours to change here
                    break;
                }
            }
            queue.addLast(node);
        } finally {
            queue.unlock();
        }
        return node;
    }

    /** A released waiter: the group must not have started a new round before it returned. */
    private void checkNotReused() {
        if (state != 0) { // volatile read
            throw new IllegalStateException("WaitGroup reused before a previous await() returned: add() was called "
                    + "while waiters of the last round were still being released; let every await() return "
                    + "before starting the next round");
        }
    }

    /** A timed-out waiter leaves, if no release took it meanwhile. Returns {@code true} if it left. */
    private boolean leave(WaitNode node) {
        queue.lock();
        try {
            if (node.status != WaitNode.WAITING) {
                return false; // released as we gave up: the wait succeeded
            }
            queue.remove(node);
            long s;
            do {
                s = (long) STATE.getVolatile(this); // we are counted, so the waiter field is at least 1
            } while (!STATE.compareAndSet(this, s, s - 1)); // volatile CAS; ours to change under this lock
            return true;
        } finally {
            queue.unlock();
        }
    }

    /** The counter reached zero with waiters: reset the word and release them all. */
    private void releaseWaiters() {
        WaitNode first;
        queue.lock();
        try {
            STATE.setVolatile(this, 0L); // volatile store: the waiters' reuse check reads it
            first = queue.grantAll();
        } finally {
            queue.unlock();
        }
        WaitNode.unparkChain(first);
    }

    @Override
    public String toString() {
        long s = (long) STATE.getVolatile(this);
        return "WaitGroup[counter=" + (int) (s >> 32) + ", waiters=" + (int) s + "]";
    }
}
