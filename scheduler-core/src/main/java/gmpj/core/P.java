package gmpj.core;

/**
 * A processor: the right to run goroutines, with its own run queue (Go's {@code p}).
 *
 * <p>There are exactly {@code procs} of them. Each is held by one carrier ({@link M}) at a time;
 * the fields below marked "owner" are touched only by that carrier.
 */
final class P {
    private static final java.lang.invoke.VarHandle SCHEDTICK;

    static {
        try {
            SCHEDTICK = java.lang.invoke.MethodHandles.lookup().findVarHandle(P.class, "schedtick", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int id;
    final LocalRunQueue runq;
    final PCounters counters = new PCounters();
    /** Goroutines spawned through this processor, for dumps; written by the holder. */
    final GRegistry allgs = new GRegistry();
    /** Timers armed by goroutines that parked on this processor. */
    final TimerQueue timers = new TimerQueue();

    /** The carrier bound to this processor. Fixed at start. */
    M m;

    /**
     * Owner: incremented on every pick that does not inherit the time slice (Go's schedtick).
     * Written with opaque stores so that sysmon's racy reads ({@link #schedtick()}) see progress.
     */
    private int schedtick;
    /** Owner: consecutive picks from runnext, bounded by {@link Scheduler#MAX_RUNNEXT_STREAK}. */
    int runnextStreak;

    /** Owner: goroutine ids handed out in batches so spawning does not contend on one counter. */
    long idNext;
    long idEnd;

    /**
     * True while this processor is on the idle list. Written under {@link Scheduler#schedLock};
     * read racily by observers (stats).
     */
    volatile boolean idle;

    /** Owner: a new time slice starts. */
    void tick() {
        SCHEDTICK.setOpaque(this, schedtick + 1);
    }

    /** Owner: whether this tick is one of Go's every-61st fairness ticks. */
    boolean fairnessTick() {
        return schedtick % 61 == 0;
    }

    /** Any thread: the current tick, possibly slightly stale. */
    int schedtick() {
        return (int) SCHEDTICK.getOpaque(this);
    }

    P(int id, int capacity) {
        this.id = id;
        this.runq = new LocalRunQueue(capacity);
    }

    /** Owner: the next goroutine id. */
    long nextId(Scheduler s) {
        if (idNext == idEnd) {
            idNext = s.reserveIds(Scheduler.ID_BATCH);
            idEnd = idNext + Scheduler.ID_BATCH;
        }
        return idNext++;
    }

    /** Owner: queues a goroutine on this processor; {@code next} puts it in runnext. */
    void put(G g, boolean next, GlobalRunQueue global) {
        if (next) {
            g = runq.swapRunnext(g);
            if (g == null) {
                return;
            }
        }
        if (runq.put(g, global)) {
            counters.inc(PCounters.OVERFLOWS);
        }
    }
}
