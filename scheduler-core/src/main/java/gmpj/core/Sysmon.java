package gmpj.core;

import java.util.concurrent.locks.LockSupport;

/**
 * The system monitor: a daemon thread that watches the processors without holding one (Go's
 * {@code sysmon}).
 *
 * <p>Each round it
 * <ul>
 *   <li>asks a goroutine that has held its processor for a whole time slice (no new scheduling
 *       tick for {@code timeSlice}, 10 ms by default) to yield, by setting its preempt flag;
 *       {@link Gmp#checkpoint()}, {@link Gmp#yield()} and every park honour it;</li>
 *   <li>takes the processor of a carrier stuck in a blocking call for more than 20 µs (Go's
 *       {@code retake}), or in a goroutine that has not given it back for two time slices (a loop
 *       without checkpoints, or a blocking call gmpj cannot see), and hands it to another carrier
 *       so the other goroutines keep running — when they have something to run;</li>
 *   <li>prints a schedtrace line (and the scheddetail lines) when one is due;</li>
 *   <li>looks for a deadlock: every processor idle, no timer armed, and goroutines parked.</li>
 * </ul>
 * It sleeps 20 µs between rounds while it finds things to do, doubling up to 10 ms after 50 idle
 * rounds (Go's back-off), and sleeps until woken when every processor is idle and nothing is due.
 *
 * <p>It reads the processors' state racily (opaque loads of owner-written fields); a stale read
 * only delays a preempt request or a trace line by one round.
 */
final class Sysmon extends Thread {
    private static final long MIN_DELAY_NANOS = 20_000;
    private static final long MAX_DELAY_NANOS = 10_000_000;
    /** A blocking call older than this gives its processor away, when there is other work (Go: one sysmon tick). */
    private static final long SYSCALL_HANDOFF_NANOS = 20_000;
    /** A blocking call older than this gives its processor away even when there seems to be no other work (Go: 10 ms). */
    private static final long SYSCALL_FORCE_HANDOFF_NANOS = 10_000_000;
    /**
     * Rounds in a row a goroutine must be seen stuck, besides two time slices, before it counts as
     * a hog: a stop-the-world GC pause freezes sysmon too and looks like one long round in which
     * nobody made progress, and should not cost a hand-off.
     */
    private static final int HOG_MIN_ROUNDS = 3;
    /** Idle rounds before the delay starts doubling (Go: 50). */
    private static final int IDLE_ROUNDS_BEFORE_BACKOFF = 50;

    private final Scheduler s;
    private final long timeSliceNanos;
    private final long tracePeriodNanos;
    private final long deadlockGraceNanos;
    /** Per P: the schedtick seen last, and when it was first seen. */
    private final int[] seenTick;
    private final long[] seenTickSince;
    /** Per P: the state word and the syscall tick / run count seen last, and since when. */
    private final long[] seenState;
    private final long[] seenProgress;
    private final long[] seenStateSince;
    private final int[] seenRounds;
    /** True while in deep sleep; {@link #wake()} unparks only then. */
    volatile boolean sleeping;

    /** Sysmon's own: when it started, its current back-off delay, rounds in a row that did nothing. */
    private long start;
    private long delay = MIN_DELAY_NANOS;
    private int idleRounds;
    private long nextTrace;
    /** When the current all-asleep state was first seen, or 0. */
    private long asleepSince;
    /** Whether the current all-asleep state was reported already. */
    private boolean deadlockReported;

    Sysmon(Scheduler s, String name, long timeSliceNanos, long tracePeriodNanos, long deadlockGraceNanos) {
        super(null, null, name, 0, false);
        setDaemon(true);
        this.s = s;
        this.timeSliceNanos = timeSliceNanos;
        this.tracePeriodNanos = tracePeriodNanos;
        this.deadlockGraceNanos = deadlockGraceNanos;
        this.seenTick = new int[s.procs];
        this.seenTickSince = new long[s.procs];
        this.seenState = new long[s.procs];
        this.seenProgress = new long[s.procs];
        this.seenStateSince = new long[s.procs];
        this.seenRounds = new int[s.procs];
    }

    /** Ends deep sleep; called when a processor goes busy. Cheap when not sleeping. */
    void wake() {
        if (sleeping) {
            sleeping = false;
            LockSupport.unpark(this);
        }
    }

    @Override
    public void run() {
        start = System.nanoTime();
        nextTrace = start + tracePeriodNanos;
        while (!s.stopping) {
            try {
                round();
            } catch (Throwable t) { // sysmon must outlive any bug of its own
                s.diagnose(System.Logger.Level.ERROR, "gmpj: sysmon of scheduler " + s.name() + " failed a round and "
                        + "carries on: " + t);
            }
        }
    }

    /** Sleep (Go's back-off, or deep sleep when all is idle), then look at everything once. */
    private void round() {
        long now = System.nanoTime();
        if (s.npidle == s.procs) {
            deepSleep(now);
            idleRounds = 0;
        } else {
            if (idleRounds == 0) {
                delay = MIN_DELAY_NANOS;
            } else if (idleRounds > IDLE_ROUNDS_BEFORE_BACKOFF) {
                delay = Math.min(delay * 2, MAX_DELAY_NANOS);
            }
            LockSupport.parkNanos(this, delay);
        }
        now = System.nanoTime();
        boolean acted = preemptLongRunners(now);
        acted |= retake(now);
        if (tracePeriodNanos > 0 && now - nextTrace >= 0) {
            s.emitTrace(now - start);
            nextTrace = now + tracePeriodNanos;
        }
        checkDeadlock(now);
        idleRounds = acted ? 0 : idleRounds + 1;
    }

    /**
     * Every processor is idle: nothing can need preempting. Sleep until a processor goes busy
     * ({@link #wake()}), or until a trace line or the deadlock check is due.
     */
    private void deepSleep(long now) {
        long until = beginDeepSleep(now);
        if (until == Long.MAX_VALUE) {
            LockSupport.park(this);
        } else if (until - now > 0) {
            LockSupport.parkNanos(this, until - now);
        }
        sleeping = false;
    }

    /**
     * The decision of {@link #deepSleep}: publishes {@link #sleeping}, then returns until when to
     * sleep (System.nanoTime; Long.MAX_VALUE: until woken; {@code now}: not at all, a processor is
     * busy again).
     */
    long beginDeepSleep(long now) {
        // Publish "sleeping" first, then decide how long: a processor that goes busy after this
        // store sees it and unparks us (a permit makes the park return at once); one that went
        // busy before it is seen in npidle here; one that went busy and idle again before it is
        // reflected in what allAsleep() reads now.
        sleeping = true;
        if (s.npidle != s.procs) {
            return now;
        }
        long until = tracePeriodNanos > 0 ? nextTrace : Long.MAX_VALUE;
        // A deadlock check is due only if deadlocks are looked for (not under IGNORE).
        if (deadlockGraceNanos != 0 && !deadlockReported && s.allAsleep()) {
            until = Math.min(until, asleepSince == 0 ? now : asleepSince + deadlockGraceNanos);
        }
        return until;
    }

    /** Sets the preempt flag of goroutines that kept their processor for a time slice. True if it set one. */
    private boolean preemptLongRunners(long now) {
        boolean acted = false;
        for (P p : s.ps) {
            if (p.idle) {
                continue;
            }
            int tick = p.schedtick();
            if (tick != seenTick[p.id]) {
                seenTick[p.id] = tick;
                seenTickSince[p.id] = now;
            } else if (now - seenTickSince[p.id] >= timeSliceNanos) {
                G g = p.m.curg;
                if (g != null && !g.preempt) {
                    g.preempt = true;
                    s.preemptRequests.increment();
                    acted = true;
                }
                seenTickSince[p.id] = now; // ask again after another slice
            }
        }
        return acted;
    }

    /**
     * Hands off processors whose carrier is stuck: in the same blocking call ({@code SYSCALL} with
     * the same syscall tick) for {@link #SYSCALL_HANDOFF_NANOS}, or in the same goroutine
     * ({@code IN_G} with no new run) for two time slices. Only when the processor's goroutines, or
     * the global queue's, would otherwise wait: handing off costs a thread.
     */
    private boolean retake(long now) {
        boolean acted = false;
        for (P p : s.ps) {
            int i = p.id;
            long st = p.state();
            long status = P.statusOf(st);
            if (p.idle || (status != P.SYSCALL && status != P.IN_G)) {
                seenState[i] = 0;
                continue;
            }
            long progress = status == P.SYSCALL ? p.syscallTick() : p.counters.get(PCounters.RUNS);
            if (st != seenState[i] || progress != seenProgress[i]) {
                seenState[i] = st;
                seenProgress[i] = progress;
                seenStateSince[i] = now;
                seenRounds[i] = 0;
                continue;
            }
            seenRounds[i]++;
            long stuckFor = now - seenStateSince[i];
            boolean othersWait = !p.runq.isEmpty() || !s.global.isEmpty();
            if (status == P.SYSCALL) {
                boolean noOneElse = s.npidle + s.nmspinning.get() == 0;
                if (stuckFor < SYSCALL_HANDOFF_NANOS
                        || !(othersWait || noOneElse || stuckFor >= SYSCALL_FORCE_HANDOFF_NANOS)) {
                    continue;
                }
                if (s.handOff(p, st)) {
                    seenState[i] = 0;
                    acted = true;
                }
            } else if (stuckFor >= 2 * timeSliceNanos && seenRounds[i] >= HOG_MIN_ROUNDS && othersWait) {
                M holder = p.m;
                G g = holder.curg;
                if (s.handOff(p, st)) {
                    s.hogDetected(g, holder, stuckFor);
                    seenState[i] = 0;
                    acted = true;
                }
            }
        }
        return acted;
    }

    private void checkDeadlock(long now) {
        if (deadlockGraceNanos == 0) {
            return; // DeadlockPolicy.IGNORE
        }
        if (!s.allAsleep()) {
            asleepSince = 0;
            if (deadlockReported) {
                deadlockReported = false;
                s.deadlockCleared();
            }
            return;
        }
        if (asleepSince == 0) {
            asleepSince = now;
        }
        if (!deadlockReported && now - asleepSince >= deadlockGraceNanos) {
            deadlockReported = true;
            s.deadlockDetected();
        }
    }
}
