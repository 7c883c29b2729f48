package gmpj.core;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A counter that many threads add to without sharing a cache line: one slot per stripe, each on
 * a line of its own, the stripe picked from the calling thread's id. The counter of goroutines
 * spawned from outside any processor, where every submitting thread would otherwise write one
 * shared word.
 *
 * <p>Unlike {@code LongAdder} (whose cells are published with a plain array store), every access
 * here is volatile: {@link #add} is a full-fence {@code getAndAdd} on the slot and {@link #sum}
 * reads each slot with a volatile load. So a thread that adds and then reads a flag, racing one
 * that writes the flag and then sums, cannot both miss each other (sequential consistency): the
 * count-then-check-shutdown argument of {@link Lifecycle} rests on this (jcstress:
 * {@code StripedCountRacingFlagIsSeen}, and through the real spawn and shutdown
 * {@code StripedCountRacingShutdownIsSeen}).
 */
final class StripedCounter {
    /** Longs between two used slots: 128 bytes, two cache lines (adjacent-line prefetch pairs them). */
    private static final int SPACING = 16;

    private final AtomicLongArray slots;
    private final int mask;

    /** A counter with at least {@code stripes} stripes (rounded up to a power of two, at most 64). */
    StripedCounter(int stripes) {
        int n = Integer.highestOneBit(Math.max(1, Math.min(64, stripes)) * 2 - 1);
        this.mask = n - 1;
        this.slots = new AtomicLongArray((n + 1) * SPACING);
    }

    /** The stripe of the calling thread among {@code mask + 1} (a power of two). */
    static int stripe(int mask) {
        long id = Thread.currentThread().threadId();
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32) & mask;
    }

    /** Full-fence add to the caller's stripe. */
    void add(long delta) {
        slots.getAndAdd((stripe(mask) + 1) * SPACING, delta);
    }

    /** The sum of every stripe, each read volatile: exact when no add is in flight. */
    long sum() {
        long n = 0;
        for (int i = 0; i <= mask; i++) {
            n += slots.get((i + 1) * SPACING);
        }
        return n;
    }

    /** Stripes in use minus one: for callers that shard other state the same way. */
    int mask() {
        return mask;
    }
}
