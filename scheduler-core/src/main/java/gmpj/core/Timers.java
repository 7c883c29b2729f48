package gmpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The scheduler's timers: one heap per processor ({@link P#timers}, where a goroutine's timed park
 * arms its timer), the set of processors that have any, the nearest deadline, firing, and the
 * timekeeper.
 *
 * <h2>The timekeeper</h2>
 * At most one idle carrier waits for time: the <em>timekeeper</em>. An idle carrier that finds the
 * role free and a timer armed takes the role ({@link #idleWait}) and waits until the earliest
 * deadline; every other idle carrier waits without a deadline, until somebody wakes it for work.
 * So a deadline wakes one carrier, not every idle one. Arming a timer earlier than the
 * timekeeper's deadline wakes the timekeeper, which re-reads the deadline ({@link #armed}); arming
 * one while nobody keeps time wakes an idle carrier, which then takes the role. When the
 * timekeeper is taken for work, the role is free until the next carrier goes idle; meanwhile
 * sysmon wakes a carrier if a timer is overdue ({@link #overdueWithoutKeeper}), as Go's sysmon
 * starts an M for timers that should have run.
 *
 * <p>The race between arming and taking the role is the usual write-then-read pair: the arming
 * side stores the timer (a volatile write of its heap's earliest deadline) and then reads
 * {@link #keeper}; the carrier taking the role CASes {@link #keeper}, publishes its deadline, and
 * then reads the earliest deadline again. All volatile, so one of them sees the other: either the
 * arming side sees no timekeeper and wakes a carrier, or sees it and compares deadlines, or the
 * new timekeeper sees the new timer and waits for it.
 *
 * <h2>The seam</h2>
 * How the timekeeper waits ("until this deadline, or until broken") is a {@link TimeWait}: the one
 * place where an idle carrier waits for time. {@link #PARK} parks the carrier thread; a wait that
 * must also watch something else (a blocking poll of sockets, whose timeout is the deadline and
 * whose break is the poll's wake-up) takes its place without touching the rest of the protocol.
 */
final class Timers {
    /** How the timekeeper waits for a deadline and how it is woken early. */
    interface TimeWait {
        /** Waits until {@code deadline} (System.nanoTime), a {@link #wakeUp}, or spuriously. */
        void await(M keeper, long deadline);

        /** Ends the keeper's {@link #await} early (or its next one, if it is not waiting yet). */
        void wakeUp(M keeper);
    }

    /**
     * The wait of every scheduler: block in the network poller with the deadline as its timeout
     * while somebody waits on a socket ({@link Netpoll#awaitAsPoller}), else park the carrier
     * thread. Either way {@link M#wake} ends it.
     */
    static final TimeWait PARK = new TimeWait() {
        @Override
        public void await(M keeper, long deadline) {
            Netpoll np = keeper.scheduler().netpoll;
            if (np == null || !np.wanted() || !np.awaitAsPoller(keeper, deadline)) {
                keeper.parkCarrier(deadline);
            }
        }

        @Override
        public void wakeUp(M keeper) {
            keeper.wake();
        }
    };

    private static final VarHandle KEEPER;

    static {
        try {
            KEEPER = MethodHandles.lookup().findVarHandle(Timers.class, "keeper", M.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Scheduler s;
    private final P[] ps;
    /**
     * Processors whose heap is not empty. A heap sets its bit when it goes from empty to one timer
     * and clears it when it goes back to empty, both under its own lock, so per heap the bit
     * follows the size; scans skip clear bits.
     */
    final ProcMask withTimers;
    private final TimeWait wait;
    /** The idle carrier waiting for the earliest deadline, or null. */
    @SuppressWarnings("unused")
    private volatile M keeper;
    /** The deadline the keeper waits for; Long.MAX_VALUE while it has not said yet, or nobody keeps time. */
    private volatile long keeperDeadline = Long.MAX_VALUE;

    Timers(Scheduler s, P[] ps, ProcMask withTimers, TimeWait wait) {
        this.s = s;
        this.ps = ps;
        this.withTimers = withTimers;
        this.wait = wait;
    }

    /** The nearest deadline over the processors that have timers, or Long.MAX_VALUE. Racy reads. */
    long earliest() {
        long min = Long.MAX_VALUE;
        for (int i = withTimers.next(0); i >= 0; i = withTimers.next(i + 1)) {
            min = Math.min(min, ps[i].timers.earliest());
        }
        return min;
    }

    /** Armed timers over all processors. */
    int count() {
        int n = 0;
        for (P p : ps) {
            n += p.timers.size();
        }
        return n;
    }

    /**
     * A timed park just armed a timer due at {@code deadline} (0: it had none). Wakes the
     * timekeeper if this deadline is earlier than the one it waits for, or an idle carrier to take
     * the role if nobody keeps time. Called after the timer is in its heap (see the class comment).
     */
    void armed(long deadline) {
        if (deadline == 0) {
            return;
        }
        // No fence needed: the heap's volatile store of its earliest deadline (in TimerQueue.add) and
        // this volatile read of the keeper are sequentially consistent with the keeper's CAS and re-read.
        M k = keeper;
        if (k != null) {
            if (deadline - keeperDeadline < 0) {
                wait.wakeUp(k);
            }
            return;
        }
        s.idle.wakeIfIdle();
    }

    /**
     * An idle carrier waits: as the timekeeper until the earliest deadline if the role is free and
     * a timer is armed ({@link #tryKeepTime}), else until woken.
     */
    void idleWait(M m) {
        long d = tryKeepTime(m);
        if (d == Long.MAX_VALUE) {
            // No timer to keep. If somebody waits on a socket and no carrier is blocked in the
            // poller, this one blocks there without a timeout (the only carrier that does).
            Netpoll np = s.netpoll;
            if (np == null || !np.wanted() || !np.awaitAsPoller(m, Long.MAX_VALUE)) {
                m.parkCarrier(Long.MAX_VALUE);
            }
            return;
        }
        try {
            wait.await(m, d);
        } finally {
            keeperDeadline = Long.MAX_VALUE;
            keeper = null;
        }
    }

    /**
     * The decision of {@link #idleWait}, without the wait: if the role is free and a timer is
     * armed, {@code m} takes the role and this returns the deadline to wait for (the caller must
     * give the role back after its wait); else Long.MAX_VALUE, and {@code m} waits until woken.
     * A carrier that finds the role taken never scans the heaps. Taking the role is the carrier's
     * write-then-read (see the class comment): CAS {@link #keeper}, publish the deadline, then read
     * the earliest deadline again (jcstress: {@code TimerArmedRacingNewKeeperIsNeverMissed}).
     */
    long tryKeepTime(M m) {
        if (keeper != null) {
            return Long.MAX_VALUE;
        }
        long d = earliest();
        if (d == Long.MAX_VALUE || !KEEPER.compareAndSet(this, null, m)) {
            return Long.MAX_VALUE;
        }
        keeperDeadline = d;
        long again = earliest(); // after publishing: a timer armed meanwhile either saw us or is seen here
        if (again - d < 0) {
            d = again;
            keeperDeadline = d;
        }
        return d;
    }

    /** Sysmon: a timer is overdue and nobody keeps time (the keeper was taken for work): wake a carrier for it. */
    void overdueWithoutKeeper(long now) {
        long e;
        if (keeper == null && !withTimers.isEmpty() && (e = earliest()) != Long.MAX_VALUE && e - now <= 0) {
            s.idle.wakeIfIdle();
        }
    }

    /** The idle carrier keeping time now, or null (racy; for tests and traces). */
    M keeper() {
        return keeper;
    }

    /**
     * Fires the timers of {@code timers} due at {@code now} (the heap gives them earliest first),
     * readying their goroutines onto {@code into} in that order: when {@code next}, the first into
     * runnext (Go's goready) and the others onto the ring's tail behind it; else all onto the ring.
     * Only one goes to runnext because each put into runnext displaces the previous one to the
     * ring: a batch due together would run last-fired first, out of deadline order. Returns
     * whether any goroutine was readied. Owner of {@code into} only.
     */
    boolean fireExpired(P into, TimerQueue timers, long now, boolean next) {
        boolean any = false;
        TimerQueue.Timer t;
        while ((t = timers.pollExpired(now)) != null) {
            into.counters.inc(PCounters.TIMERS_FIRED);
            boolean woke = t.g.wakeFromTimer(t.gen);
            if (s.observing != 0) {
                Tracing.timerFired(s, into, t.g, woke);
            }
            if (woke) {
                into.put(t.g, next && !any, s.global);
                any = true;
            }
        }
        return any;
    }

    /**
     * Runs the expired timers of {@code into}, then of the other processors that have timers (an
     * idle processor's timers must still fire), readying their goroutines onto {@code into}. True
     * if any was readied; then a carrier is woken for what this one cannot run.
     */
    boolean fireAll(P into) {
        if (withTimers.isEmpty()) {
            return false;
        }
        long now = System.nanoTime();
        boolean any = false;
        for (int i = withTimers.next(into.id); i >= 0; i = withTimers.next(i + 1)) {
            any |= fireIfDue(into, ps[i].timers, now);
        }
        for (int i = withTimers.next(0); i >= 0 && i < into.id; i = withTimers.next(i + 1)) {
            any |= fireIfDue(into, ps[i].timers, now);
        }
        if (any) {
            s.idle.wakeIfIdle();
        }
        return any;
    }

    private boolean fireIfDue(P into, TimerQueue timers, long now) {
        long e = timers.earliest();
        return e != Long.MAX_VALUE && e - now <= 0 && fireExpired(into, timers, now, false);
    }
}
