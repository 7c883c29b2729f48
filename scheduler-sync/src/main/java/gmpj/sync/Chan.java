package gmpj.sync;

import gmpj.core.Gmp;
import gmpj.core.Parking;
import gmpj.core.SpinLock;
import gmpj.core.WaitReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Go's channel: a typed conduit between goroutines (and threads), unbuffered or buffered.
 *
 * <ul>
 *   <li><b>Unbuffered</b> ({@code new Chan<>()}): a send waits until a receiver takes the value,
 *       a receive until a sender hands one over. The hand-off is a rendezvous.</li>
 *   <li><b>Buffered</b> ({@code new Chan<>(n)}): a send waits only while the buffer holds
 *       {@code n} values, a receive only while it is empty. Values come out in the order they
 *       went in.</li>
 *   <li><b>Closing</b> ({@link #close()}): says no more values will come. Values already buffered
 *       are still received; after them every receive returns at once with
 *       {@link Received#closed()}. Sending on a closed channel, or closing it again, throws
 *       {@link ChanClosedException}; a sender blocked when the channel is closed throws it too.
 *       {@code for (T v : ch)} receives until the channel is closed and drained.</li>
 *   <li><b>No nulls</b>: {@code null} cannot be sent, so a received value is never null and "closed"
 *       is never confused with a value.</li>
 *   <li><b>Select</b>: {@link Select} waits on several sends and receives at once.</li>
 * </ul>
 *
 * <h2>Thread safety</h2>
 * Every method may be called at the same time from any number of goroutines (of any scheduler)
 * and plain threads, on both ends of the channel. An {@link #iterator() iterator} is the exception:
 * it belongs to one consumer; several consumers each take their own.
 *
 * <h2>Goroutines and plain threads</h2>
 * Every blocking operation parks a goroutine (its carrier runs other goroutines) or blocks a
 * plain thread in {@code LockSupport}, so goroutines and threads can share a channel. A parked
 * goroutine shows {@code chan send} or {@code chan receive} in the scheduler's dumps, and a
 * goroutine waiting forever on a channel nobody else uses counts toward the scheduler's deadlock
 * report. Like Go's, the waits are uninterruptible: an interrupt of a waiting thread neither ends
 * the wait nor is lost (the flag is still set when the call returns). Give them a timeout or select
 * on a {@link Context}'s {@link Context#done()} channel to make them stoppable. {@link #trySend},
 * {@link #tryReceive}, {@link #close} and the inspectors never wait; a blocking operation called
 * on a carrier thread outside any goroutine throws {@link IllegalStateException}.
 *
 * <h2>How it works</h2>
 * Go's {@code hchan}: a ring buffer, a queue of blocked senders and one of blocked receivers, all
 * guarded by one spin lock that is never held while parking. A sender that finds a queued receiver
 * hands the value straight to it (the receiver's node) and wakes it; a receiver that finds the
 * buffer full takes the oldest value and moves a queued sender's value into the freed slot, so
 * FIFO order holds. Blocked operations are {@link ChanNode}s claimed by CAS (see
 * {@link ChanWait}), which is what lets one blocked select sit in many channels' queues and be
 * served by exactly one of them. Invariants, under the lock: a queued receiver implies an empty
 * buffer; a queued sender implies a full buffer (or no buffer); a closed channel has no queued
 * nodes. (Queues may also hold nodes of selects already served elsewhere or given up; servers skip
 * those, and their owners unlink them. They may also hold nodes of goroutines abandoned by their
 * stopped scheduler, {@link gmpj.core.Waiter#isAbandoned()}: servers drop those unserved, so a
 * value is never handed to a goroutine that will not run again, nor taken from one whose send will
 * never return.)
 *
 * @param <T> the element type
 */
public final class Chan<T> implements Iterable<T> {
    /**
     * The largest buffer a channel may have: 2<sup>24</sup> (16,777,216) values. The buffer is
     * allocated in full when the channel is made (4 or 8 bytes a slot, so 64 or 128 MiB at this
     * size); a larger one is almost always an unbounded queue in disguise, which a channel is not
     * meant to be.
     */
    public static final int MAX_CAPACITY = 1 << 24;
    private static final AtomicLong IDS = new AtomicLong();
    /** What {@link #pollLocked()} returns for a closed and drained channel. */
    static final Object CLOSED = new Object();

    /** Orders channel locks: a select locks its channels in increasing id, so two selects never deadlock. */
    final long id = IDS.incrementAndGet();
    /** For a context's {@link Context#done()} channel: the context whose deadline closes it. Else null. */
    final Context owner;
    private final int capacity;
    private final Object[] buf;
    /** Ring buffer position and fill; guarded by the lock. */
    private int head;
    private int count;
    /** Written under the lock; volatile for the lock-free {@link #isClosed()}. */
    private volatile boolean closed;
    private final NodeQueue senders = new NodeQueue();
    private final NodeQueue receivers = new NodeQueue();
    /**
     * A node the lock holder claimed, to be woken once the lock is left ({@link #unlockAndWake()}).
     * Guarded by the lock; an operation claims at most one node.
     */
    private ChanNode toWake;
    /**
     * The channel's lock, taken through {@link #lock()}. A field, not a base class as for the wait
     * queues: {@code Chan} is public, and {@link SpinLock}'s methods would become part of its API.
     */
    private final SpinLock guard = new SpinLock();

    /** An unbuffered channel: every send waits for its receiver. */
    public Chan() {
        this(0);
    }

    /**
     * A channel buffering up to {@code capacity} values; {@code 0} makes it unbuffered.
     *
     * @param capacity how many values the buffer holds, {@code 0} to {@link #MAX_CAPACITY}
     * @throws IllegalArgumentException if {@code capacity} is negative or above {@link #MAX_CAPACITY}
     */
    public Chan(int capacity) {
        this(capacity, null);
    }

    Chan(int capacity, Context owner) {
        if (capacity < 0 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("channel capacity must be between 0 (unbuffered) and " + MAX_CAPACITY
                    + " (Chan.MAX_CAPACITY), got " + capacity);
        }
        this.capacity = capacity;
        this.buf = capacity == 0 ? null : new Object[capacity];
        this.owner = owner;
    }

    // ------------------------------------------------------------------ sending

    /**
     * Sends {@code value}, waiting until a receiver takes it (unbuffered) or there is room in the
     * buffer.
     *
     * @param value the value to send; never null
     * @throws NullPointerException if {@code value} is null (channels never carry null)
     * @throws ChanClosedException  if the channel is closed, before or while this waits
     */
    public void send(T value) {
        send(value, true, 0L);
    }

    /**
     * Like {@link #send}, giving up after {@code timeout}. A timeout of zero or less only tries.
     *
     * @param value   the value to send; never null
     * @param timeout how long to wait for a receiver or room in the buffer
     * @return {@code true} if the value was sent, {@code false} if the time ran out first (then it
     *         was not sent)
     * @throws ChanClosedException if the channel is closed, before or while this waits
     */
    public boolean send(T value, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        return timeout.isNegative() || timeout.isZero()
                ? send(value, false, 0L)
                : send(value, true, Parking.deadlineAfter(timeout));
    }

    /**
     * Sends {@code value} only if that needs no waiting: a receiver is waiting, or the buffer has
     * room. Go's {@code select} with a send case and a {@code default}.
     *
     * @param value the value to send; never null
     * @return {@code true} if sent
     * @throws ChanClosedException if the channel is closed
     */
    public boolean trySend(T value) {
        return send(value, false, 0L);
    }

    private boolean send(T value, boolean block, long deadline) {
        Objects.requireNonNull(value, "a channel cannot carry null; send a value object (or close the channel to signal the end)");
        if (block) {
            Gmp.checkpoint();
        }
        lock();
        if (closed) {
            unlock();
            throw new ChanClosedException("send on closed channel " + this);
        }
        if (offerLocked(value)) {
            unlockAndWake();
            return true;
        }
        if (!block) {
            unlock();
            return false;
        }
        ChanNode node = new ChanNode(Parking.currentWaiter(), deadline != 0 || owner != null);
        node.elem = value;
        enqueueLocked(node, true);
        unlock();
        if (awaitNode(node, WaitReason.CHAN_SEND, deadline) == ChanWait.WAITING) {
            return false; // timed out and left the queue: not sent
        }
        if (node.closed) {
            throw new ChanClosedException("send on closed channel " + this + " (it was closed while the sender waited)");
        }
        return true;
    }

    // ------------------------------------------------------------------ receiving

    /**
     * Receives a value, waiting until one is sent; returns {@link Received#closed()} at once if the
     * channel is closed and drained. Go's {@code v, ok := <-ch}.
     *
     * @return the value received, or the closed result once the channel is closed and drained
     */
    public Received<T> receive() {
        return receive(true, 0L);
    }

    /**
     * Like {@link #receive()}, giving up after {@code timeout} with a
     * {@link Received#timedOut() timed-out} result. A timeout of zero or less only tries.
     *
     * @param timeout how long to wait for a value
     * @return the value received, the closed result, or the timed-out result if the time ran out
     */
    public Received<T> receive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        return timeout.isNegative() || timeout.isZero()
                ? receive(false, 0L)
                : receive(true, Parking.deadlineAfter(timeout));
    }

    /**
     * Receives a value only if one is ready (buffered, or a sender waiting); else returns a
     * {@link Received#timedOut() timed-out} result, or a {@link Received#closed() closed} one if
     * the channel is closed and drained.
     *
     * @return the value received, the closed result, or the timed-out result if none was ready
     */
    public Received<T> tryReceive() {
        return receive(false, 0L);
    }

    @SuppressWarnings("unchecked")
    private Received<T> receive(boolean block, long deadline) {
        Object v = receiveElem(block, deadline);
        return v == null ? Received.timedOutResult() : v == CLOSED ? Received.closedResult() : Received.of((T) v);
    }

    /**
     * The receive itself: returns the value, {@link #CLOSED} if the channel is closed and drained,
     * or null if nothing came (not ready, or the deadline passed). The iterator calls it directly,
     * so a {@code for} loop over a channel allocates no {@link Received} per value.
     */
    private Object receiveElem(boolean block, long deadline) {
        if (owner != null) {
            owner.checkDeadline(); // a context's deadline closes its done channel when someone looks
        }
        if (block) {
            Gmp.checkpoint();
        }
        lock();
        Object v = pollLocked();
        if (v != null) {
            unlockAndWake();
            return v;
        }
        if (!block) {
            unlock();
            return null;
        }
        ChanNode node = new ChanNode(Parking.currentWaiter(), deadline != 0 || owner != null);
        enqueueLocked(node, false);
        unlock();
        if (awaitNode(node, WaitReason.CHAN_RECV, deadline) == ChanWait.WAITING) {
            return null;
        }
        return node.closed ? CLOSED : node.elem;
    }

    /**
     * Parks the waiter of a plain operation's {@code node} until it is served, or until
     * {@code deadline} (0: none), when it leaves the queue. Returns the node's state:
     * {@link ChanWait#WAITING} if it timed out and left, else the served case (0).
     */
    private int awaitNode(ChanNode node, WaitReason reason, long deadline) {
        for (;;) {
            // A cancelled context closes this channel (it may be doing so right now): wait for that, not the clock.
            long expiry = owner == null || owner.cancelled() ? 0L : owner.deadlineNanos();
            long until = earliest(deadline, expiry);
            int s = node.await(reason, until);
            if (s != ChanWait.WAITING) {
                return s;
            }
            if (expiry != 0 && Parking.nanoTime() - expiry >= 0) {
                owner.checkDeadline(); // cancels the context, which closes this channel and serves the node
                continue;
            }
            if (!node.tryCancel()) {
                return node.state; // served just as the time ran out: the operation happened
            }
            lock();
            unlinkLocked(node);
            unlock();
            return ChanWait.WAITING;
        }
    }

    /** The earlier of two deadlines where 0 means none. */
    static long earliest(long a, long b) {
        if (a == 0) {
            return b;
        }
        if (b == 0) {
            return a;
        }
        return a - b <= 0 ? a : b;
    }

    // ------------------------------------------------------------------ closing and inspecting

    /**
     * Closes the channel: no more sends. Receivers get the buffered values, then
     * {@link Received#closed()}; waiting receivers are woken with that, waiting senders with a
     * {@link ChanClosedException}.
     *
     * @throws ChanClosedException if the channel is already closed
     * @throws UnsupportedOperationException on a {@link Context#done()} channel, which only its
     *                                       context closes
     */
    public void close() {
        if (owner != null) {
            throw new UnsupportedOperationException("this is a context's done channel: it closes when the context "
                    + "is cancelled or its deadline passes; call cancel() on the context instead of closing it");
        }
        if (!closeIfOpen()) {
            throw new ChanClosedException("close of closed channel " + this);
        }
    }

    /** Closes the channel unless it is closed already; returns whether this call closed it. */
    boolean closeIfOpen() {
        List<ChanNode> woken = null;
        lock();
        try {
            if (closed) {
                return false;
            }
            closed = true; // volatile store under the lock
            for (ChanNode r; (r = receivers.poll()) != null; ) {
                r.elem = null;
                r.closed = true;
                if (r.claim()) {
                    woken = add(woken, r);
                }
            }
            for (ChanNode s; (s = senders.poll()) != null; ) {
                s.closed = true;
                if (s.claim()) {
                    woken = add(woken, s);
                }
            }
        } finally {
            unlock();
        }
        if (woken != null) {
            woken.forEach(ChanNode::wake);
        }
        return true;
    }

    private static List<ChanNode> add(List<ChanNode> list, ChanNode n) {
        List<ChanNode> l = list != null ? list : new ArrayList<>();
        l.add(n);
        return l;
    }

    /**
     * Whether {@link #close()} was called; a snapshot.
     *
     * @return {@code true} once the channel is closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * The buffer's capacity: Go's {@code cap(ch)}; 0 for an unbuffered channel.
     *
     * @return the capacity given at construction
     */
    public int capacity() {
        return capacity;
    }

    /**
     * Values buffered now: Go's {@code len(ch)}; a snapshot, always 0 for an unbuffered channel.
     *
     * @return the number of values in the buffer
     */

    public int size() {
        lock();
        try {
            return count;
        } finally {
            unlock();
        }
    }

    /**
     * Receives until the channel is closed and drained: Go's {@code for v := range ch}. Each
     * {@code hasNext()} may wait for the next value. One iterator per consumer; several consumers
     * may iterate the same channel at once, each value going to one of them.
     */
    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            /** The value received and not yet returned, {@link #CLOSED} at the end, or null: receive next. */
            private Object next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    next = receiveElem(true, 0L);
                }
                return next != CLOSED;
            }

            @Override
            @SuppressWarnings("unchecked")
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("channel closed and drained");
                }
                T v = (T) next;
                next = null;
                return v;
            }
        };
    }

    @Override
    public String toString() {
        lock();
        try {
            return "Chan#" + id + "[" + (capacity == 0 ? "unbuffered" : count + "/" + capacity)
                    + (closed ? ", closed" : "") + ", senders=" + senders.size + ", receivers=" + receivers.size + "]";
        } finally {
            unlock();
        }
    }

    // ------------------------------------------------------------------ lock held (also used by Select)

    /**
     * Lock held, channel open: hands {@code value} to a waiting receiver (claimed; woken by
     * {@link #unlockAndWake()}) or appends it to the buffer. False if neither is possible now.
     */
    boolean offerLocked(Object value) {
        for (ChanNode r; (r = receivers.poll()) != null; ) {
            if (r.abandoned()) {
                continue; // its goroutine will never run to take the value: drop the node, try the next
            }
            r.elem = value;
            r.closed = false;
            if (r.claim()) {
                toWake = r;
                return true;
            }
            r.elem = null; // a select served elsewhere, or a waiter that gave up: drop it
        }
        if (count < capacity) {
            buf[index(count)] = value;
            count++;
            return true;
        }
        return false;
    }

    /**
     * Lock held: takes the oldest value (refilling the freed buffer slot from a waiting sender) or a
     * waiting sender's value, and claims that sender (woken by {@link #unlockAndWake()}). Returns
     * the value, {@link #CLOSED} if the channel is closed and drained, or null if nothing is ready.
     */
    Object pollLocked() {
        if (count > 0) {
            Object v = buf[head];
            buf[head] = null;
            head = head + 1 == capacity ? 0 : head + 1;
            count--;
            for (ChanNode s; (s = senders.poll()) != null; ) {
                if (s.abandoned()) {
                    continue; // its send never completes: the value stays with it, as with a timed-out send
                }
                Object sent = s.elem; // read before the claim: after it the node is its waiter's again
                if (s.claim()) { // it was waiting for room: its value goes to the back, keeping FIFO order
                    buf[index(count)] = sent;
                    count++;
                    toWake = s;
                    break;
                }
            }
            return v;
        }
        for (ChanNode s; (s = senders.poll()) != null; ) {
            if (s.abandoned()) {
                continue; // as above
            }
            Object sent = s.elem; // read before the claim, as above
            if (s.claim()) {
                toWake = s;
                return sent;
            }
        }
        return closed ? CLOSED : null;
    }

    /** Lock held: whether the channel is closed. */
    boolean closedLocked() {
        return closed;
    }

    /** Lock held: queues a blocked operation's node. */
    void enqueueLocked(ChanNode node, boolean sending) {
        node.sending = sending;
        (sending ? senders : receivers).add(node);
    }

    /** Lock held: unlinks {@code node} if it is still queued here (no server took it out). */
    void unlinkLocked(ChanNode node) {
        if (node.queued) {
            (node.sending ? senders : receivers).remove(node);
        }
    }

    /** Lock held: hands over the node this holder claimed, if any, for the caller to wake after unlocking. */
    ChanNode takeClaimedLocked() {
        ChanNode w = toWake;
        toWake = null;
        return w;
    }

    /** Takes the channel's lock (never held across a park; see {@link SpinLock}). */
    void lock() {
        guard.lock();
    }

    /** Leaves the channel's lock; {@link #unlockAndWake()} when an operation may have claimed a node. */
    void unlock() {
        guard.unlock();
    }

    /** Leaves the lock, then wakes the node this holder claimed, if any. */
    void unlockAndWake() {
        ChanNode w = toWake;
        toWake = null;
        unlock();
        if (w != null) {
            w.wake();
        }
    }

    private int index(int offset) {
        int i = head + offset;
        return i >= capacity ? i - capacity : i;
    }

    /** A FIFO of nodes, doubly linked so that a waiter that gives up leaves in O(1). Guarded by the channel lock. */
    private static final class NodeQueue {
        ChanNode first;
        ChanNode last;
        int size;

        void add(ChanNode n) {
            n.next = null;
            n.prev = last;
            if (last == null) {
                first = n;
            } else {
                last.next = n;
            }
            last = n;
            n.queued = true;
            size++;
        }

        ChanNode poll() {
            ChanNode n = first;
            if (n != null) {
                remove(n);
            }
            return n;
        }

        void remove(ChanNode n) {
            ChanNode p = n.prev;
            ChanNode q = n.next;
            if (p == null) {
                first = q;
            } else {
                p.next = q;
            }
            if (q == null) {
                last = p;
            } else {
                q.prev = p;
            }
            n.prev = null;
            n.next = null;
            n.queued = false;
            size--;
        }
    }
}
