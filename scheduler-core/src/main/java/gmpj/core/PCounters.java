package gmpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A processor's event counters. Written only by the carrier that holds the processor, read by
 * anyone taking {@link Scheduler#stats()}.
 *
 * <p>Ordering: the owner increments with an opaque store (no fence; a plain {@code mov} on x86),
 * readers use opaque loads. A reader may see a slightly stale count but never a torn one. The
 * array is padded on both ends so two processors' counters never share a cache line.
 */
final class PCounters {
    static final int SPAWNS = 0;
    static final int RUNS = 1;
    static final int YIELDS = 2;
    static final int PARKS = 3;
    static final int READIES = 4;
    static final int STEALS = 5;
    static final int STOLEN = 6;
    static final int GLOBAL_TAKES = 7;
    static final int OVERFLOWS = 8;
    static final int EXITS = 9;
    static final int RUNNEXT_PICKS = 10;
    static final int TIMERS_FIRED = 11;
    static final int PINNED_PARKS = 12;
    static final int WAKEUPS = 13;
    static final int FUTILE_WAKEUPS = 14;
    static final int RUNNEXT_STEALS = 15;
    static final int RUNNEXT_SPARED = 16;
    static final int CROSS_READIES = 17;
    static final int LINGERS = 18;
    static final int COUNT = 19;

    private static final int PAD = 8; // 64 bytes of longs on each side
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] values = new long[PAD + COUNT + PAD];

    /** Owner only. */
    void inc(int counter) {
        int i = PAD + counter;
        LONGS.setOpaque(values, i, values[i] + 1);
    }

    /** Owner only. */
    void add(int counter, long delta) {
        int i = PAD + counter;
        LONGS.setOpaque(values, i, values[i] + delta);
    }

    /** Any thread. */
    long get(int counter) {
        return (long) LONGS.getOpaque(values, PAD + counter);
    }
}
