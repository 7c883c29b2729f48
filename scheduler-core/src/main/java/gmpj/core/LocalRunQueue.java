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

    LocalRunQueue(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("run queue capacity must be a power of two >= 2, got " + capacity);
        }
        this.ring = new G[capacity];
        this.mask = capacity - 1;
        this.capacity = capacity;
    }

    /** Number of goroutines in the ring and in runnext. A racy estimate when read by another thread. */
    int size() {
        int h = (int) HEAD.getAcquire(this);
        int t = (int) TAIL.getAcquire(this);
        int n = t - h;
        if (n < 0 || n > capacity) {
            n = 0; // torn read of a moving queue; the next call will be consistent
        }
        return n + (runnext != null ? 1 : 0);
    }

    boolean isEmpty() {
        return (int) TAIL.getAcquire(this) == (int) HEAD.getAcquire(this) && runnext == null;
    }

    /** Whether the ring (not runnext) holds goroutines; racy when read by another thread. */
    boolean ringIsEmpty() {
        return (int) TAIL.getAcquire(this) == (int) HEAD.getAcquire(this);
    }

    boolean hasRunnext() {
        return runnext != null;
    }

    /**
     * Owner: makes {@code g} the next goroutine to run. Returns the goroutine it displaced, which
     * the caller must put on the ring, or null.
     */
    G swapRunnext(G g) {
        return (G) RUNNEXT.getAndSet(this, g);
    }

    /** Owner: takes runnext, or null. A CAS because thieves may take it concurrently. */
    G pollRunnext() {
        G r = runnext;
        return r != null && RUNNEXT.compareAndSet(this, r, null) ? r : null;
    }

    /**
     * Owner: appends {@code g} to the ring. When the ring is full, moves half of it plus {@code g}
     * to {@code global} in one batch and returns {@code true}.
     */
    boolean put(G g, GlobalRunQueue global) {
        for (;;) {
            int h = (int) HEAD.getAcquire(this); // acquire: thieves' reads of slots we may reuse are done
            int t = tail;
            if (t - h < capacity) {
                ring[t & mask] = g;
                TAIL.setRelease(this, t + 1); // publishes the slot to consumers
                return false;
            }
            if (putSlow(g, h, t, global)) {
                return true;
            }
            // a consumer took some meanwhile: there is room now
        }
    }

    /**
     * Owner: moves half the full ring plus {@code g} to the global queue. False if the CAS lost.
     * The batch is linked only after the CAS: before it, a thief may take these goroutines, and
     * their {@code next} fields then belong to someone else. After it, the slots stay intact
     * because only the owner (this thread) writes slots.
     */
    private boolean putSlow(G g, int h, int t, GlobalRunQueue global) {
        int n = (t - h) / 2;
        if (!HEAD.compareAndSet(this, h, h + n)) {
            return false;
        }
        G first = ring[h & mask];
        G last = first;
        for (int i = 1; i < n; i++) {
            G next = ring[(h + i) & mask];
            last.next = next;
            last = next;
        }
        last.next = g;
        g.next = null;
        global.putBatch(first, g, n + 1);
        return true;
    }

    /** Owner: takes the oldest goroutine of the ring (not runnext), or null. */
    G poll() {
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = tail;
            if (t == h) {
                return null;
            }
            G g = ring[h & mask];
            if (HEAD.compareAndSet(this, h, h + 1)) {
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
        int t = tail;
        int n = victim.grab(ring, t, mask, policy, takeRunnext);
        lastStealCount = n;
        if (n == 0) {
            return null;
        }
        n--;
        G g = ring[(t + n) & mask];
        if (n != 0) {
            TAIL.setRelease(this, t + n); // publishes the copied slots
        }
        return g;
    }

    /** Copies a batch from this (the victim) into {@code dst} starting at {@code dstTail}; returns how many. */
    private int grab(G[] dst, int dstTail, int dstMask, StealPolicy policy, boolean takeRunnext) {
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = (int) TAIL.getAcquire(this); // acquire: the slots before it are visible
            int n = t - h;
            if (n == 0) {
                if (takeRunnext) {
                    G r = runnext;
                    if (r != null && RUNNEXT.compareAndSet(this, r, null)) {
                        dst[dstTail & dstMask] = r;
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
                dst[(dstTail + i) & dstMask] = ring[(h + i) & mask];
            }
            if (HEAD.compareAndSet(this, h, h + k)) { // publishes "these are ours"; failed: discard the copies
                return k;
            }
        }
    }
}
