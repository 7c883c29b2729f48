package gmpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The scheduler-wide run queue: where goroutines spawned or readied outside any processor go,
 * and where a full local ring spills half of its contents.
 *
 * <h2>Structure</h2>
 * A FIFO list of goroutines linked through {@link G#next} (no allocation), guarded by one
 * {@link SpinLock}, which does not know its owner (goroutine code calls in here, and may migrate
 * between carriers). A batch costs one lock hold, whatever its size: {@link #putBatch} links a
 * whole chain behind the tail, {@link #pollBatch} unlinks up to {@code max} goroutines from the
 * head. A full ring's spill (half the ring plus one goroutine, 129 by default) and a carrier's take
 * (up to 128) therefore write the queue's shared cache lines once each, instead of once per
 * goroutine (one atomic add per offer, one CAS per poll). Taking a part of the queue walks that
 * many links under the lock: plain reads, no allocation, no call out; taking all of it is O(1).
 *
 * <h2>Invariants (under the lock)</h2>
 * <ul>
 *   <li>{@code head == null} iff {@code tail == null} iff {@code size == 0}. Otherwise following
 *       {@code next} from {@code head} visits exactly {@code size} goroutines, the last being
 *       {@code tail}, whose {@code next} is null.</li>
 *   <li>{@code head}, {@code tail}, {@code size} and the {@code next} links of queued goroutines
 *       are written only under the lock. A goroutine outside every queue has {@code next == null},
 *       except in a chain that its one holder is building (a spill) or taking apart (a take).</li>
 *   <li>A chain is linked in, or unlinked, as a whole within one lock hold: no other thread ever
 *       sees a part of a batch queued.</li>
 * </ul>
 *
 * <h2>Orderings</h2>
 * <ul>
 *   <li>{@link SpinLock#lock()} acquires and {@link SpinLock#unlock()} releases, so what was
 *       written to a goroutine (its links, its fields) before it was queued is visible to the
 *       carrier that takes it.</li>
 *   <li>{@code size} is read without the lock by {@link #isEmpty()} and {@link #size()}, with a
 *       volatile load, and written under the lock with a volatile store as the last write of a put
 *       or a take. The idle and wake protocol relies on both being volatile: a submitter queues
 *       (volatile store of {@code size}) and then reads the idle and spinning counts
 *       ({@link Idle#wakeIfIdle}); a carrier going idle writes those counts and then reads
 *       {@link #isEmpty()} ({@link Idle#park}, {@link Idle#hasWorkFor}). Volatile
 *       accesses are totally ordered, so at least one side sees the other's write (Dekker), as the
 *       full fences written next to those reads also say.</li>
 *   <li>{@link #isEmpty()} answers false only after a put has linked its whole chain: whoever takes
 *       the lock next finds those goroutines (or a taker that came first has them). It answers true
 *       only when every put whose store of {@code size} came before the load has been taken.</li>
 * </ul>
 */
final class GlobalRunQueue {
    private static final VarHandle SIZE;

    static {
        try {
            SIZE = MethodHandles.lookup().findVarHandle(GlobalRunQueue.class, "size", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SpinLock lock = new SpinLock();
    /** Oldest queued goroutine, or null. Under the lock. */
    private G head;
    /** Newest queued goroutine, or null. Under the lock. */
    private G tail;
    /** How many are queued. Written under the lock (volatile store); read under it plainly, outside it volatile. */
    @SuppressWarnings("unused")
    private volatile int size;

    /** Queues one goroutine (whose {@code next} is null) behind the queued ones. */
    void put(G g) {
        putBatch(g, g, 1);
    }

    /**
     * Queues the chain {@code first -> ... -> last} (linked through {@link G#next}, {@code last.next}
     * null), {@code n} goroutines, behind the queued ones in chain order, in one lock hold. The
     * links are kept: from now on they belong to the queue.
     */
    void putBatch(G first, G last, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("putBatch: n must be at least 1, got " + n);
        }
        assert chainLength(first, last) == n : "putBatch: the chain does not hold n = " + n + " goroutines";
        lock.lock();
        try {
            if (tail == null) {
                head = first;
            } else {
                tail.next = first;
            }
            tail = last;
            svSize(lpSize() + n); // volatile: the put is visible to isEmpty() from here on
        } finally {
            lock.unlock(); // release: the chain and the goroutines' fields go with it
        }
    }

    /**
     * Takes the oldest goroutines, at most {@code max}, in one lock hold. Returns the first, with
     * the others linked behind it through {@link G#next} in queue order (the last one's {@code next}
     * null), or null if the queue is empty. The caller owns the chain: it must clear each link
     * ({@link #detachNext}) before it queues those goroutines anywhere else.
     */
    G pollBatch(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("pollBatch: max must be at least 1, got " + max);
        }
        if (lvSize() == 0) {
            return null; // volatile load: the same answer isEmpty() gives, without the lock
        }
        lock.lock(); // acquire: the puts' chains and goroutines are visible
        try {
            G first = head;
            if (first == null) {
                return null; // another taker emptied it since the load of size
            }
            int n = lpSize();
            if (max >= n) {
                head = null;
                tail = null;
                svSize(0);
                return first;
            }
            G last = first;
            for (int i = 1; i < max; i++) {
                last = last.next;
            }
            head = last.next;
            last.next = null;
            svSize(n - max);
            return first;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the oldest goroutine (its {@code next} cleared), or null. */
    G poll() {
        return pollBatch(1);
    }

    /** Volatile load of the size: see the class comment for why the idle and wake protocol needs it. */
    boolean isEmpty() {
        return lvSize() == 0;
    }

    /** How many are queued: exact at the moment of the (volatile) load, racy after it. */
    int size() {
        return lvSize();
    }

    /**
     * Clears {@code g}'s link and returns the goroutine it linked to, or null: walks a chain from
     * {@link #pollBatch} while handing each goroutine on.
     */
    static G detachNext(G g) {
        G next = g.next;
        g.next = null;
        return next;
    }

    private static int chainLength(G first, G last) {
        int n = 1;
        for (G g = first; g != last; g = g.next) {
            if (g == null) {
                return -1; // last is not on the chain
            }
            n++;
        }
        return last.next == null ? n : -1;
    }

    // Accessors of size: the name says the ordering (lv volatile load, lp plain load, sv volatile store).

    private int lvSize() {
        return (int) SIZE.getVolatile(this);
    }

    /** Under the lock only (all writes are made under it). */
    private int lpSize() {
        return (int) SIZE.get(this);
    }

    /** Under the lock only. */
    private void svSize(int n) {
        SIZE.setVolatile(this, n);
    }
}
