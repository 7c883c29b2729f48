package gmpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The scheduler-wide run queue: where goroutines spawned or readied outside any processor go,
 * and where a full local ring spills half of its contents.
 *
 * <h2>Structure</h2>
 * FIFO lists of goroutines linked through {@link G#next} (no allocation), guarded by one
 * {@link SpinLock}, which does not know its owner (goroutine code calls in here, and may migrate
 * between carriers). A batch costs one lock hold, whatever its size: {@link #putBatch} links a
 * whole chain behind a tail, {@link #pollBatch} unlinks up to {@code max} goroutines from a
 * head. A full ring's spill (half the ring plus one goroutine, 129 by default) and a carrier's take
 * (up to 128) therefore write the queue's shared cache lines once each, instead of once per
 * goroutine (one atomic add per offer, one CAS per poll). Taking a part of a list walks that many
 * links under the lock: plain reads, no allocation, no call out; taking all of one is O(1).
 *
 * <h2>Lanes</h2>
 * The queue of a scheduler with {@code procs} processors keeps {@code procs + 1} lists, its
 * lanes: lane {@code i < procs} holds what processor {@code i}'s ring spilled, the last lane
 * ({@link #outsideLane()}) what came from outside. A carrier whose processor ran out of local work
 * takes from its own lane first, then the outside lane, then the other lanes in turn from the one
 * after its own ({@link #pollBatch(int, int)}). Its own spill was written by its own core and
 * comes back to it: with a single list, every second batch of two processors that both spill (a
 * goroutine tree like skynet's) crossed to the other core, and each moved goroutine drags its
 * object, continuation and stack chunk over as cache misses. Every lane is still served: a
 * processor with no work of its own takes any lane's, and every 61st pick (the fairness tick)
 * takes one goroutine from the lanes in rotation ({@link #pollRotating}), so nothing queued here
 * waits more than {@code procs + 1} fairness ticks of a running processor, whatever the others
 * do. Order is FIFO within a lane, not across lanes. A queue built with no lane count has the
 * outside lane only: one FIFO list.
 *
 * <h2>Invariants (under the lock)</h2>
 * <ul>
 *   <li>Per lane: {@code heads[i] == null} iff {@code tails[i] == null} iff {@code counts[i] == 0}.
 *       Otherwise following {@code next} from {@code heads[i]} visits exactly {@code counts[i]}
 *       goroutines, the last being {@code tails[i]}, whose {@code next} is null. {@code size} is
 *       the sum of the counts.</li>
 *   <li>The lanes, {@code size} and the {@code next} links of queued goroutines are written only
 *       under the lock. A goroutine outside every queue has {@code next == null}, except in a chain
 *       that its one holder is building (a spill) or taking apart (a take).</li>
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
 *       the lock next finds those goroutines (or a taker that came first has them), in whichever
 *       lane: every take looks at every lane before it answers null. It answers true only when
 *       every put whose store of {@code size} came before the load has been taken.</li>
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
    /** Per lane, the oldest queued goroutine, or null. Under the lock. */
    private final G[] heads;
    /** Per lane, the newest queued goroutine, or null. Under the lock. */
    private final G[] tails;
    /** Per lane, how many are queued. Under the lock. */
    private final int[] counts;
    /** The lane the next {@link #pollRotating} looks at first. Under the lock. */
    private int rotation;
    /** How many are queued. Written under the lock (volatile store); read under it plainly, outside it volatile. */
    @SuppressWarnings("unused")
    private volatile int size;

    /** A queue with the outside lane only: one FIFO list. */
    GlobalRunQueue() {
        this(0);
    }

    /** A queue with a lane for each of {@code procs} processors and the outside lane. */
    GlobalRunQueue(int procs) {
        if (procs < 0) {
            throw new IllegalArgumentException("procs must not be negative, got " + procs);
        }
        heads = new G[procs + 1];
        tails = new G[procs + 1];
        counts = new int[procs + 1];
    }

    /** The lane of goroutines queued from outside any processor (the last one). */
    int outsideLane() {
        return heads.length - 1;
    }

    /** Queues one goroutine (whose {@code next} is null) behind the queued ones of the outside lane. */
    void put(G g) {
        putBatch(g, g, 1, outsideLane());
    }

    /** {@link #putBatch(G, G, int, int)} into the outside lane. */
    void putBatch(G first, G last, int n) {
        putBatch(first, last, n, outsideLane());
    }

    /**
     * Queues the chain {@code first -> ... -> last} (linked through {@link G#next}, {@code last.next}
     * null), {@code n} goroutines, behind the queued ones of {@code lane} in chain order, in one
     * lock hold. The links are kept: from now on they belong to the queue.
     */
    void putBatch(G first, G last, int n, int lane) {
        if (n < 1) {
            throw new IllegalArgumentException("putBatch: n must be at least 1, got " + n);
        }
        if (lane < 0 || lane >= heads.length) {
            throw new IllegalArgumentException("putBatch: lane " + lane + " is outside 0.." + (heads.length - 1));
        }
        assert chainLength(first, last) == n : "putBatch: the chain does not hold n = " + n + " goroutines";
        lock.lock();
        try {
            if (tails[lane] == null) {
                heads[lane] = first;
            } else {
                tails[lane].next = first;
            }
            tails[lane] = last;
            counts[lane] += n;
            svSize(lpSize() + n); // volatile: the put is visible to isEmpty() from here on
        } finally {
            lock.unlock(); // release: the chain and the goroutines' fields go with it
        }
    }

    /** {@link #pollBatch(int, int)} for a taker without a lane of its own: the outside lane first. */
    G pollBatch(int max) {
        return pollBatch(max, outsideLane());
    }

    /**
     * Takes the oldest goroutines of one lane, at most {@code max}, in one lock hold: of lane
     * {@code own} if it has any, else of the outside lane, else of the first non-empty lane after
     * {@code own}. Returns the first, with the others linked behind it through {@link G#next} in
     * queue order (the last one's {@code next} null), or null if every lane is empty. The caller
     * owns the chain: it must clear each link ({@link #detachNext}) before it queues those
     * goroutines anywhere else.
     */
    G pollBatch(int max, int own) {
        if (max < 1) {
            throw new IllegalArgumentException("pollBatch: max must be at least 1, got " + max);
        }
        if (own < 0 || own >= heads.length) {
            throw new IllegalArgumentException("pollBatch: lane " + own + " is outside 0.." + (heads.length - 1));
        }
        if (lvSize() == 0) {
            return null; // volatile load: the same answer isEmpty() gives, without the lock
        }
        lock.lock(); // acquire: the puts' chains and goroutines are visible
        try {
            int lanes = heads.length;
            int lane = own;
            if (counts[lane] == 0) {
                lane = lanes - 1;
                for (int i = 1; counts[lane] == 0 && i < lanes; i++) {
                    lane = (own + i) % lanes;
                }
            }
            return takeLocked(lane, max);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The fairness take: at most {@code max} goroutines of the first non-empty lane at or after the
     * rotation, which then moves past it, so that every lane is served in turn (see the class
     * comment). Null if every lane is empty.
     */
    G pollRotating(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("pollRotating: max must be at least 1, got " + max);
        }
        if (lvSize() == 0) {
            return null;
        }
        lock.lock();
        try {
            int lanes = heads.length;
            for (int i = 0; i < lanes; i++) {
                int lane = (rotation + i) % lanes;
                if (counts[lane] != 0) {
                    rotation = (lane + 1) % lanes;
                    return takeLocked(lane, max);
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: unlinks at most {@code max} from the head of {@code lane}; null if it is empty. */
    private G takeLocked(int lane, int max) {
        G first = heads[lane];
        if (first == null) {
            return null; // every lane empty: another taker emptied them since the load of size
        }
        int n = counts[lane];
        int k = Math.min(max, n);
        if (k == n) {
            heads[lane] = null;
            tails[lane] = null;
        } else {
            G last = first;
            for (int i = 1; i < k; i++) {
                last = last.next;
            }
            heads[lane] = last.next;
            last.next = null;
        }
        counts[lane] = n - k;
        svSize(lpSize() - k);
        return first;
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
