package gmpj.core;

/**
 * A processor: the right to run goroutines, with its own run queue (Go's {@code p}).
 *
 * <p>A scheduler makes {@code maxProcs} of them; the first {@code procs} are in use
 * ({@link Scheduler#setProcs}). Each one in use is held by one carrier ({@link M}) at a time;
 * the fields below marked "owner" are touched only by the carrier that holds it.
 *
 * <h2>Who holds it: the {@link #state} word</h2>
 * {@code state = holder's M id << 3 | status}. Status is one of
 * <ul>
 *   <li>{@link #SCHED}: the holder runs scheduler code and may touch everything;</li>
 *   <li>{@link #IN_G}: the holder runs goroutine code. Goroutine code that needs the processor
 *       (spawn, ready) first CASes {@code IN_G -> SCHED} ({@link #leaveG}) and sets it back after ({@link #enterG});</li>
 *   <li>{@link #SYSCALL}: the holder's goroutine is in a blocking call ({@link Gmp#blocking}, or a
 *       park the JVM pinned) and does not touch the processor;</li>
 *   <li>{@link #RETIRED}: nobody holds it: it is beyond the count {@link Scheduler#setProcs} set (or
 *       was never in use), its queues are empty, and only {@link Carriers#giveToNew} brings it back
 *       into use. Its last holder wrote it from {@code SCHED} ({@link #retire}); nobody CASes from it.</li>
 *   <li>{@link #HANDED_OFF}: sysmon took it from a holder stuck in {@code SYSCALL}, in a goroutine
 *       that never yields ({@code IN_G} for two time slices without a new run), or blocked in a
 *       call gmpj cannot see (a monitor, {@code Thread.sleep}...), and gives it to another carrier:
 *       {@link M#handOver} writes that carrier's id with {@code SCHED} ({@link #hold}).</li>
 * </ul>
 * Sysmon takes a processor only by CAS from {@code IN_G} or {@code SYSCALL}; the holder leaves
 * those states by CAS too. So exactly one side wins, and a holder whose CAS fails knows it lost
 * the processor and must not touch it again. The holder's id in the word makes the CAS fail even
 * after the new holder has put the word back into {@code IN_G} for its own goroutine.
 *
 * <p>Taking a processor for a carrier that must first be started is done in two steps, so that
 * a thread that cannot start (the native thread limit) takes nothing away: sysmon CASes the word
 * from what it saw to {@link #HANDING_OFF} ({@link #beginHandOff}), starts the thread, then either
 * commits (the new holder's {@link #hold}) or rolls back to the word it saw
 * ({@link #rollBackHandOff}). A holder whose CAS meets {@code HANDING_OFF} with its own id waits
 * for that decision (a thread start, some tens of microseconds) and then retries or learns it lost.
 *
 * <p>Orderings: the holder's writes to the processor happen before its release store of
 * {@code IN_G} (or its CAS to {@code SYSCALL}); sysmon's CAS reads that value, so the new holder,
 * to whom sysmon hands the processor through a volatile handshake, sees them all.
 */
final class P extends POwnerPadded {
    static final long SCHED = 1;
    static final long IN_G = 2;
    static final long SYSCALL = 3;
    static final long HANDED_OFF = 4;
    static final long HANDING_OFF = 5;
    static final long RETIRED = 6;
    /** Spins of a holder waiting for sysmon's hand-off decision before it yields its thread instead. */
    private static final int DECISION_SPINS = 100;
    private static final long STATUS_MASK = 7;

    private static final java.lang.invoke.VarHandle SCHEDTICK;
    private static final java.lang.invoke.VarHandle STATE;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
            SCHEDTICK = l.findVarHandle(P.class, "schedtick", int.class);
            STATE = l.findVarHandle(P.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Holder id and status, see the class comment. */
    @SuppressWarnings("unused")
    private volatile long state;
    /** Owner: bumped at every entry into a blocking call, so sysmon can tell one long call from many short ones. */
    private int syscallTick;


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

    static long word(M m, long status) {
        return (long) m.mid << 3 | status;
    }

    static long statusOf(long word) {
        return word & STATUS_MASK;
    }

    long state() {
        return state;
    }

    /** Holder {@code m} starts (or resumes) holding this processor in scheduler code. */
    void hold(M m) {
        this.m = m;
        STATE.setRelease(this, word(m, SCHED));
    }

    /**
     * Its holder lets it go for good (under the idle lock, {@link Idle#retire}), or, at construction,
     * it starts out of use. Release: the holder's writes, the drained queues included, are visible
     * to whichever carrier {@link #hold}s it next.
     */
    void retire() {
        this.m = null;
        STATE.setRelease(this, RETIRED);
    }

    /** Holder: about to run goroutine code. Release: everything written so far is visible to a taker. */
    void enterG(M m) {
        STATE.setRelease(this, word(m, IN_G));
    }

    /**
     * Holder {@code m}, leaving goroutine code: back in the run loop after a goroutine yielded,
     * parked or ended, or, from inside the goroutine, taking the processor for a runtime operation
     * (spawn, ready) that {@link #enterG} ends. False if sysmon took the processor meanwhile (or it
     * is in a blocking call).
     */
    boolean leaveG(M m) {
        return transition(m, IN_G, SCHED);
    }

    /**
     * Holder {@code m}: CAS from its own {@code from} status to {@code to}. If sysmon is in the
     * middle of a hand-off ({@link #HANDING_OFF} with our id), waits for the commit (we lost:
     * false) or the roll-back (the word is ours again: retry).
     */
    private boolean transition(M m, long from, long to) {
        long expected = word(m, from);
        long deciding = word(m, HANDING_OFF);
        for (int spins = 0; ; spins++) {
            if (STATE.compareAndSet(this, expected, word(m, to))) {
                return true;
            }
            long now = (long) STATE.getVolatile(this);
            if (now == expected) {
                continue; // rolled back between our CAS and this read: ours again, try again
            }
            if (now != deciding) {
                return false; // taken for good
            }
            if (spins < DECISION_SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /**
     * Goroutine code on holder {@code m}: entering a blocking call; counts {@code counter} (or
     * nothing if negative) while it still owns the processor. False if the processor was lost already.
     */
    boolean enterSyscall(M m, int counter) {
        if (!leaveG(m)) {
            return false;
        }
        if (counter >= 0) {
            counters.inc(counter);
        }
        syscallTick++; // written before the release store below, so sysmon reads it after seeing SYSCALL
        STATE.setRelease(this, word(m, SYSCALL));
        return true;
    }

    /** Any thread (racy): which blocking call the holder is in. */
    int syscallTick() {
        return syscallTick;
    }

    /** Goroutine code: back from the blocking call. False if sysmon handed the processor off meanwhile. */
    boolean exitSyscall(M m) {
        return transition(m, SYSCALL, IN_G);
    }

    /** Sysmon: takes the processor from a holder seen in {@code expected}. */
    boolean handOff(long expected) {
        return STATE.compareAndSet(this, expected, (expected & ~STATUS_MASK) | HANDED_OFF);
    }

    /** Sysmon: first step of a hand-off to a carrier not yet started; the holder waits for the second. */
    boolean beginHandOff(long expected) {
        return STATE.compareAndSet(this, expected, (expected & ~STATUS_MASK) | HANDING_OFF);
    }

    /** Sysmon: the new carrier could not start; the processor is the holder's again, as it was seen. */
    void rollBackHandOff(long seen) {
        STATE.setVolatile(this, seen); // only sysmon writes a HANDING_OFF word, so nobody else moves it
    }

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

    /** A processor on its own (no scheduler's set of processors with timers): for tests of its protocols. */
    P(int id, int capacity) {
        this(id, capacity, null);
    }

    /** Processor {@code id} of a scheduler whose processors with timers are {@code withTimers}. */
    P(int id, int capacity, ProcMask withTimers) {
        super(id, new LocalRunQueue(capacity, id), new TimerQueue(withTimers, id));
    }

    /** Owner: the next goroutine id, from a batch reserved from the scheduler's counter {@code ids}. */
    long nextId(PaddedCounter ids) {
        if (idNext == idEnd) {
            idNext = ids.getAndAdd(Scheduler.ID_BATCH);
            idEnd = idNext + Scheduler.ID_BATCH;
        }
        return idNext++;
    }

    /**
     * Owner: queues a goroutine on this processor; {@code next} puts it in runnext. True if the ring
     * was full and spilled half of itself to {@code global}: work the caller may have to wake an
     * idle carrier for ({@link Idle#wakeIfIdle}).
     */
    boolean put(G g, boolean next, GlobalRunQueue global) {
        if (next) {
            g = runq.swapRunnext(g);
            if (g == null) {
                return false;
            }
        }
        if (runq.put(g, global)) {
            counters.inc(PCounters.OVERFLOWS);
            M holder = m;
            if (holder != null && holder.scheduler().observing != 0) {
                Tracing.globalSpill(this, runq.capacity / 2 + 1); // half the ring and the newcomer (LocalRunQueue.putSlow)
            }
            return true;
        }
        return false;
    }
}

/**
 * What other carriers read of a processor: its id, its queues, its timers, its counters and its
 * carrier. Final (or, for {@code m}, rarely written), so these lines stay shared-clean in every
 * reader's cache; the holder's hot writes ({@link P}'s state word, tick, streak, id batch) are
 * kept off them by {@link POwnerPadded}.
 */
abstract class PShared {
    final int id;
    final LocalRunQueue runq;
    final PCounters counters = new PCounters();
    /** Goroutines spawned through this processor, for dumps; written by the holder. */
    final GRegistry allgs = new GRegistry();
    /** Timers armed by goroutines that parked on this processor. */
    final TimerQueue timers;

    /** The carrier holding this processor; changes only on a hand-over ({@link M#handOver}): a hand-off, or a carrier that died. */
    volatile M m;

    PShared(int id, LocalRunQueue runq, TimerQueue timers) {
        this.id = id;
        this.runq = runq;
        this.timers = timers;
    }
}

/** Two cache lines of padding between {@link PShared}'s fields and {@link P}'s own. */
abstract class POwnerPadded extends PShared {
    long q00, q01, q02, q03, q04, q05, q06, q07;
    long q08, q09, q0a, q0b, q0c, q0d, q0e, q0f;

    POwnerPadded(int id, LocalRunQueue runq, TimerQueue timers) {
        super(id, runq, timers);
    }
}
