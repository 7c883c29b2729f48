package gmpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A processor's local run queue: Go's fixed ring plus the {@code runnext} slot.
 *
 * <h2>Contract</h2>
 * Single producer (the owning P's carrier), many consumers (the owner, and thieves on other Ps).
 * The ring holds at most {@code capacity} goroutines (a power of two, 256 by default; tests shrink
 * it to reach the full-ring and overflow paths).
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>{@code head <= tail <= head + capacity} (as wrapping {@code int} differences); the live
 *       entries are the slots {@code [head, tail)} modulo capacity.</li>
 *   <li>{@code tail} is written only by the owner. {@code head} only ever advances, by CAS, by the
 *       owner (taking one) or a thief (taking a batch).</li>
 *   <li>A slot is written only by the owner and only while it is outside {@code [head, tail)}.
 *       A consumer reads slots <em>before</em> its CAS on {@code head}; if the CAS fails it discards
 *       what it read, so a slot overwritten meanwhile (which requires {@code head} to have moved)
 *       is never used.</li>
 *   <li>{@code runnext} holds at most one goroutine; the owner swaps it, anyone may CAS it to null to take it.</li>
 * </ul>
 *
 * <h2>Orderings</h2>
 * Owner writes a slot plainly, then publishes it with a release store of {@code tail}; thieves read
 * {@code tail} with acquire, so the slot is visible. Consumers advance {@code head} by CAS (volatile);
 * the owner reads {@code head} with acquire before reusing a slot, so a thief's slot reads happen
 * before the owner's overwrite. A thief copies into its <em>own</em> ring beyond its own tail and
 * publishes those slots with its own release store of tail.
 *
 * <p>Every access to {@code head}, {@code tail}, {@code runnext} and the slots goes through an
 * accessor whose prefix names its ordering, so each call site reads as what it does: {@code lp}/
 * {@code sp} plain load/store, {@code lv} volatile load, {@code la} acquire load, {@code so}
 * ordered (release) store, {@code cas} compare-and-set and {@code xchg} get-and-set (both volatile).
 */
final class LocalRunQueue {
    static final int DEFAULT_CAPACITY = 256;

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle RUNNEXT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(LocalRunQueue.class, "head", int.class);
            TAIL = l.findVarHandle(LocalRunQueue.class, "tail", int.class);
            RUNNEXT = l.findVarHandle(LocalRunQueue.class, "runnext", G.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final G[] ring;
    private final int mask;
    final int capacity;

    // Padding keeps head/tail off the line of the ring reference and of neighbouring objects.
    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07;
    /** Next slot to consume. CAS by the owner and by thieves; read with acquire. */
    private volatile int head;
    @SuppressWarnings("unused")
    private long p11, p12, p13, p14, p15, p16, p17;
    /** Next slot to fill. Written only by the owner (release); the owner reads it plainly. */
    private int tail;
    @SuppressWarnings("unused")
    private long p21, p22, p23, p24, p25, p26, p27;
    /** The goroutine to run next, inheriting the time slice. Swapped by the owner, CAS to null by takers. */
    private volatile G runnext;
    @SuppressWarnings("unused")
    private long p31, p32, p33, p34, p35, p36, p37;

    /** Goroutines moved by the last successful {@link #stealFrom}; owner-only. */
    int lastStealCount;
    /** Whether the last {@link #stealFrom} took the victim's runnext goroutine; owner-only. */
    boolean lastStealTookRunnext;

    /**
     * The global queue's lane this ring spills into ({@link GlobalRunQueue}): its processor's id,
     * or -1 for the outside lane (a ring on its own, in tests).
     */
    private final int spillLane;

    LocalRunQueue(int capacity) {
        this(capacity, -1);
    }

    /** A ring whose spills go to lane {@code spillLane} of the global queue (-1: the outside lane). */
    LocalRunQueue(int capacity, int spillLane) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("run queue capacity must be a power of two >= 2, got " + capacity);
        }
        this.ring = new G[capacity];
        this.mask = capacity - 1;
        this.capacity = capacity;
        this.spillLane = spillLane;
    }

    /** Number of goroutines in the ring and in runnext. A racy estimate when read by another thread. */
    int size() {
        int h = laHead();
        int t = laTail();
        int n = t - h;
        if (n < 0 || n > capacity) {
            n = 0; // torn read of a moving queue; the next call will be consistent
        }
        return n + (lvRunnext() != null ? 1 : 0);
    }

    boolean isEmpty() {
        return laTail() == laHead() && lvRunnext() == null;
    }

    /** Whether the ring (not runnext) holds goroutines; racy when read by another thread. */
    boolean ringIsEmpty() {
        return laTail() == laHead();
    }

    boolean hasRunnext() {
        return lvRunnext() != null;
    }

    /**
     * Owner: makes {@code g} the next goroutine to run. Returns the goroutine it displaced, which
     * the caller must put on the ring, or null.
     */
    G swapRunnext(G g) {
        return xchgRunnext(g);
    }

    /** Owner: takes runnext, or null. A CAS because thieves may take it concurrently. */
    G pollRunnext() {
        G r = lvRunnext();
        return r != null && casRunnext(r, null) ? r : null;
    }

    /**
     * Owner: appends {@code g} to the ring. When the ring is full, moves half of it plus {@code g}
     * to {@code global} in one batch and returns {@code true}.
     */
    boolean put(G g, GlobalRunQueue global) {
        for (;;) {
            int h = laHead(); // acquire: thieves' reads of slots we may reuse are done
            int t = lpTail(); // plain: only this thread writes it
            if (t - h < capacity) {
                spSlot(t, g); // plain: outside [head, tail), no consumer reads it yet
                soTail(t + 1); // release: publishes the slot to consumers
                return false;
            }
            if (putSlow(g, h, t, global)) {
                return true;
            }
            // a consumer took some meanwhile: there is room now
        }
    }

    /**
     * Owner: moves half the full ring plus {@code g} to the global queue, into this ring's lane. False if the CAS lost.
     * The batch is linked only after the CAS: before it, a thief may take these goroutines, and
     * their {@code next} fields then belong to someone else. After it, the slots stay intact
     * because only the owner (this thread) writes slots.
     */
    private boolean putSlow(G g, int h, int t, GlobalRunQueue global) {
        int n = (t - h) / 2;
        if (!casHead(h, h + n)) {
            return false;
        }
        G first = lpSlot(h);
        G last = first;
        for (int i = 1; i < n; i++) {
            G next = lpSlot(h + i);
            last.next = next;
            last = next;
        }
        last.next = g;
        g.next = null;
        global.putBatch(first, g, n + 1, spillLane < 0 ? global.outsideLane() : spillLane);
        return true;
    }

    /** Owner: takes the oldest goroutine of the ring (not runnext), or null. */
    G poll() {
        for (;;) {
            int h = laHead();
            int t = lpTail();
            if (t == h) {
                return null;
            }
            G g = lpSlot(h); // read before the claim; discarded if the CAS fails
            if (casHead(h, h + 1)) {
                return g;
            }
        }
    }

    /**
     * Thief (the owner of {@code this}, whose ring is empty): takes goroutines from {@code victim}
     * into this ring and returns one of them to run, or null. {@code amount} decides how many of the
     * victim's {@code n} queued goroutines to take (clamped to 1..n). When the victim's ring is empty
     * and {@code takeRunnext} is set, takes the victim's runnext instead.
     */
    G stealFrom(LocalRunQueue victim, StealPolicy policy, boolean takeRunnext) {
        int t = lpTail();
        lastStealTookRunnext = false;
        int n = victim.grab(this, t, policy, takeRunnext);
        lastStealCount = n;
        if (n == 0) {
            return null;
        }
        n--;
        G g = lpSlot(t + n);
        if (n != 0) {
            soTail(t + n); // release: publishes the copied slots
        }
        return g;
    }

    /**
     * Copies a batch from this (the victim) into the ring of {@code thief} starting at its slot
     * {@code thiefTail}, beyond its published tail; returns how many.
     */
    private int grab(LocalRunQueue thief, int thiefTail, StealPolicy policy, boolean takeRunnext) {
        for (;;) {
            int h = laHead();
            int t = laTail(); // acquire: the slots before it are visible
            int n = t - h;
            if (n == 0) {
                if (takeRunnext) {
                    G r = lvRunnext();
                    if (r != null && casRunnext(r, null)) {
                        thief.spSlot(thiefTail, r);
                        thief.lastStealTookRunnext = true;
                        return 1;
                    }
                }
                return 0;
            }
            if (n < 0 || n > capacity) {
                continue; // h and t were read at different moments; read again
            }
            int k = Math.max(1, Math.min(n, policy.amount(n)));
            for (int i = 0; i < k; i++) {
                thief.spSlot(thiefTail + i, lpSlot(h + i)); // plain both: see the class comment
            }
            if (casHead(h, h + k)) { // publishes "these are ours"; failed: discard the copies
                return k;
            }
        }
    }

    // ------------------------------------------------------------------ accessors

    /** Acquire load of head: slot reads and writes after it come after the consumers' claims before it. */
    private int laHead() {
        return (int) HEAD.getAcquire(this);
    }

    /** Volatile CAS of head: claims the slots {@code [expect, update)} for the caller. */
    private boolean casHead(int expect, int update) {
        return HEAD.compareAndSet(this, expect, update);
    }

    /** Owner only: plain load of tail, which no other thread writes. */
    private int lpTail() {
        return tail;
    }

    /** Acquire load of tail: the slots before it, written by the owner, are visible. */
    private int laTail() {
        return (int) TAIL.getAcquire(this);
    }

    /** Owner only: release store of tail, publishing the slots written before it. */
    private void soTail(int t) {
        TAIL.setRelease(this, t);
    }

    /** Volatile load of runnext. */
    private G lvRunnext() {
        return runnext;
    }

    /** Owner only: volatile get-and-set of runnext. */
    private G xchgRunnext(G g) {
        return (G) RUNNEXT.getAndSet(this, g);
    }

    /** Volatile CAS of runnext: whoever wins owns the goroutine it held. */
    private boolean casRunnext(G expect, G update) {
        return RUNNEXT.compareAndSet(this, expect, update);
    }

    /** Plain load of the slot of position {@code index}: ordered by the head or tail access around it. */
    private G lpSlot(int index) {
        return ring[index & mask];
    }

    /** Owner only: plain store into the slot of position {@code index}, which lies outside {@code [head, tail)}. */
    private void spSlot(int index, G g) {
        ring[index & mask] = g;
    }
}
