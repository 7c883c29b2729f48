package gmpj.core;

import java.lang.management.ThreadInfo;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

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
 *       {@code retake}), or blocked entering a monitor in goroutine code (a blocking call the
 *       JVM shows as {@code BLOCKED}), and hands it to another carrier so the other goroutines
 *       keep running — when they have something to run, a due timer included;</li>
 *   <li>looks at a goroutine that has not given its processor back for two time slices, while
 *       others wait for it: if its carrier is parked or sleeping in goroutine code it is a blocking
 *       call gmpj cannot see (handed off, reported); if the carrier computed for two time slices
 *       (CPU time, read only for such a goroutine) it is a hog (reported, and handed off under
 *       {@link HogPolicy#HAND_OFF}); if it hardly used a CPU it is blocked in native code or was
 *       not scheduled by the operating system: not reported, and handed off under {@code HAND_OFF}
 *       only (see {@link #judge});</li>
 *   <li>prints a schedtrace line (and the scheddetail lines) when one is due;</li>
 *   <li>looks for a deadlock: goroutines parked, and nothing in this scheduler or any other that
 *       could wake them (see {@link #checkDeadlock}).</li>
 * </ul>
 * It sleeps 20 µs between rounds after it handed off a blocked carrier, doubling after 50 rounds
 * without one up to 10 ms, or half a time slice if that is less (Go's back-off), and sleeps until
 * woken when every processor is idle and nothing is due. As in Go, a preempt request or a hog's
 * hand-off does not bring the 20 µs rounds back: under CPU-bound work every goroutine that runs
 * past its slice gets one, and sysmon polling every 20 µs would take a CPU from the carriers
 * thousands of times a second (see {@link #nextDelay}).
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
    /**
     * A runnable carrier stuck in one goroutine that used less than this fraction (1/n) of the
     * wall time on a CPU is not computing: it is blocked in native code, or the OS did not run it.
     * Such a carrier uses next to nothing, while a computing one gets a fair share even on a busy
     * machine (a fifth of a CPU at a load of 10 on 2 cores), so the line sits far below that.
     */
    private static final int STALLED_CPU_SHARE = 32;
    /**
     * Time slices of watching before a carrier can be judged stalled. On a busy machine the OS
     * leaves a computing thread off the CPUs for 10 ms and more at a stretch; over ten slices it
     * still gets its share.
     */
    private static final int STALLED_AFTER_SLICES = 10;
    /**
     * Time slices after which a goroutine that has computed for less than two is a hog anyway, if
     * it computed for half a slice since the first reading: on a machine so busy that its carrier
     * gets under half a CPU, two slices of CPU time take longer than this, and the goroutines
     * queued behind it should not wait for all of that. Four: a task of 17 ms of CPU time keeps
     * its processor down to about two fifths of a CPU, and the wait behind a hog stays under about
     * four and a half slices down to a fifth of one (about two and a half with a CPU to itself).
     */
    private static final int BUSY_HOG_SLICES = 4;
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
    /**
     * Per P, for the hog test: whether the carrier's CPU time was read in the current stuck period
     * (once the goroutine is past its time slice), the value read and when.
     */
    private final boolean[] cpuMarked;
    private final long[] cpuMark;
    private final long[] cpuMarkAt;
    /** Per P: the current stuck period was counted as a hog that kept its processor (REPORT_ONLY). */
    private final boolean[] hogCounted;
    /** True while in deep sleep; {@link #wake()} unparks only then. */
    volatile boolean sleeping;

    /** Sysmon's own: when it started, its current back-off delay, rounds in a row that did nothing. */
    private long start;
    private long delay = MIN_DELAY_NANOS;
    private int idleRounds;
    /** Rounds so far: written by sysmon alone, read by {@link SchedulerStats}. */
    private volatile long rounds;
    private long nextTrace;
    /** When the current stall of this scheduler was first seen, or 0; its progress count then. */
    private long asleepSince;
    private long asleepProgress;
    /** Since when every other scheduler has been seen quiet without progress; their progress count then. */
    private long othersQuietSince;
    private long othersProgress;
    /** Whether the current stall was reported as a deadlock. */
    private boolean deadlockReported;
    /** Whether the current stall was reported as one that another scheduler may still end. */
    private boolean stallNoted;
    /** When deep sleep must end for the next deadlock check; 0: as soon as the processors look idle. */
    private long deadlockDue;

    Sysmon(Scheduler s, String name, long timeSliceNanos, long tracePeriodNanos, long deadlockGraceNanos) {
        super(null, null, name, 0, false);
        setDaemon(true);
        this.s = s;
        this.timeSliceNanos = timeSliceNanos;
        this.tracePeriodNanos = tracePeriodNanos;
        this.deadlockGraceNanos = deadlockGraceNanos;
        this.seenTick = new int[s.ps.length];
        this.seenTickSince = new long[s.ps.length];
        this.seenState = new long[s.ps.length];
        this.seenProgress = new long[s.ps.length];
        this.seenStateSince = new long[s.ps.length];
        this.seenRounds = new int[s.ps.length];
        this.cpuMarked = new boolean[s.ps.length];
        this.cpuMark = new long[s.ps.length];
        this.cpuMarkAt = new long[s.ps.length];
        this.hogCounted = new boolean[s.ps.length];
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
        while (!s.lifecycle.stopping) {
            try {
                round();
            } catch (Throwable t) { // sysmon must outlive any bug of its own
                s.diag.diagnose(System.Logger.Level.ERROR, "gmpj: sysmon of scheduler " + s.name() + " failed a round and "
                        + "carries on: " + t);
            }
        }
    }

    /** How often, at most, sysmon samples the run queues into a recording trace: 100 µs. */
    static final long COUNTER_SAMPLE_NANOS = 100_000;
    /** When sysmon last sampled the counters into a trace. */
    private long lastCounters;

    /** Sleep (Go's back-off, or deep sleep when all is idle), then look at everything once. */
    private void round() {
        long now = System.nanoTime();
        if (s.idle.allIdle()) {
            deepSleep(now);
            idleRounds = 0;
        } else {
            delay = nextDelay(delay, idleRounds, timeSliceNanos);
            Thread.interrupted(); // not interruptible: a set flag would turn every park below into a spin
            LockSupport.parkNanos(this, delay);
        }
        rounds = rounds + 1; // sysmon is the only writer
        now = System.nanoTime();
        if (s.carriers.orphanCount > 0) {
            s.carriers.adoptOrphans(); // a processor whose carrier died, still waiting for a new one
        }
        preemptLongRunners(now); // not activity for the back-off: see nextDelay
        boolean acted = retake(now);
        s.timers.overdueWithoutKeeper(now); // a timer nobody keeps time for (Go's sysmon starts an M for it)
        Netpoll np = s.netpoll;
        if (np != null) {
            np.sysmonPoll(now); // nobody polled the network for 10 ms: busy processors must not starve I/O waiters
        }
        if ((s.observing & Tracing.TRACE) != 0 && now - lastCounters >= COUNTER_SAMPLE_NANOS) {
            Tracing.counters(s);
            lastCounters = now;
        }
        if (tracePeriodNanos > 0 && now - nextTrace >= 0) {
            s.diag.emitTrace(now - start);
            nextTrace = now + tracePeriodNanos;
        }
        checkDeadlock(now);
        idleRounds = acted ? 0 : idleRounds + 1;
    }

    /**
     * Sysmon's next sleep while some processor is busy, after {@code idleRounds} rounds in a row
     * that handed off no blocked carrier: 20 µs after one that did (more blocking calls may
     * follow, and Go's 20 µs rule needs rounds that often), the same for 50 rounds, then doubling
     * up to 10 ms or half a time slice, whichever is less. Preempt requests and hogs' hand-offs do
     * not count as activity (Go's rule too): CPU-bound work makes one every time slice, and each
     * would otherwise bring back 50 rounds of 20 µs, so that sysmon woke on a busy CPU thousands of
     * times a second. Capping at half a slice keeps a preempt request within two slices of the
     * goroutine's mount, and a hog's hand-off within about two and a half.
     */
    static long nextDelay(long delay, int idleRounds, long timeSliceNanos) {
        if (idleRounds == 0) {
            return MIN_DELAY_NANOS;
        }
        if (idleRounds <= IDLE_ROUNDS_BEFORE_BACKOFF) {
            return delay;
        }
        long cap = Math.max(MIN_DELAY_NANOS, Math.min(MAX_DELAY_NANOS, timeSliceNanos / 2));
        return Math.min(delay * 2, cap);
    }

    /** Rounds sysmon has made since it started (racy). */
    long rounds() {
        return rounds;
    }

    /**
     * Every processor is idle: nothing can need preempting. Sleep until a processor goes busy
     * ({@link #wake()}), or until a trace line or the deadlock check is due.
     */
    private void deepSleep(long now) {
        long until = beginDeepSleep(now);
        Thread.interrupted(); // see round()
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
        // busy before it is seen in the idle count here; one that went busy and idle again before it is
        // reflected in what deadlockCheckDue() reads now.
        sleeping = true;
        if (!s.idle.allIdle()) {
            return now;
        }
        long until = tracePeriodNanos > 0 ? nextTrace : Long.MAX_VALUE;
        return Math.min(until, deadlockCheckDue(now)); // Long.MAX_VALUE under IGNORE

    }

    /** Sets the preempt flag of goroutines that kept their processor for a time slice. True if it set one. */
    private boolean preemptLongRunners(long now) {
        boolean acted = false;
        for (P p : s.ps) {
            M holder = p.m;
            if (holder == null || s.idle.isIdle(p)) {
                continue; // out of use (Scheduler#setProcs), or idle
            }
            int tick = p.schedtick();
            if (tick != seenTick[p.id]) {
                seenTick[p.id] = tick;
                seenTickSince[p.id] = now;
            } else if (now - seenTickSince[p.id] >= timeSliceNanos) {
                G g = holder.curg;
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
     * the same syscall tick), or in the same goroutine ({@code IN_G} with no new run) blocked on a
     * monitor, for {@link #SYSCALL_HANDOFF_NANOS}; or in the same goroutine for two time slices,
     * as {@link #judge} decides. Only when the processor's goroutines, the global queue's or a
     * timer due on the processor would otherwise wait: handing off costs a thread. True if it
     * handed off a blocked carrier (not a hog): activity for {@link #nextDelay}.
     */
    private boolean retake(long now) {
        boolean acted = false;
        for (P p : s.ps) {
            int i = p.id;
            long st = p.state();
            long status = P.statusOf(st);
            if (s.idle.isIdle(p) || (status != P.SYSCALL && status != P.IN_G)) {
                seenState[i] = 0;
                continue;
            }
            long progress = progressOf(p, status);
            if (st != seenState[i] || progress != seenProgress[i]) {
                seenState[i] = st;
                seenProgress[i] = progress;
                seenStateSince[i] = now;
                seenRounds[i] = 0;
                cpuMarked[i] = false;
                hogCounted[i] = false;
                continue;
            }
            seenRounds[i]++;
            long stuckFor = now - seenStateSince[i];
            boolean othersWait = !p.runq.isEmpty() || !s.global.isEmpty() || timerDue(p.timers.earliest(), now);
            boolean noOneElse = s.idle.lvWord() == 0;
            if (status == P.SYSCALL) {
                M holder = p.m;
                G blocked = holder == null ? null : holder.curg;
                if (blockingCallDue(stuckFor, othersWait, noOneElse) && s.carriers.handOff(p, st)) {
                    if (s.observing != 0) {
                        Tracing.handoff(s, p, holder, blocked);
                    }
                    seenState[i] = 0;
                    acted = true;
                }
            } else if (!hogCounted[i]) {
                acted |= retakeFromGoroutine(p, st, progress, now, stuckFor, othersWait, noOneElse);
            }
        }
        return acted;
    }

    /** Sysmon's measure of progress: the syscall tick in a blocking call, else the goroutines mounted. */
    private static long progressOf(P p, long status) {
        return status == P.SYSCALL ? p.syscallTick() : p.counters.get(PCounters.RUNS);
    }

    /** Whether a timer deadline ({@link TimerQueue#earliest()}) is due at {@code now}. */
    static boolean timerDue(long earliest, long now) {
        return earliest != Long.MAX_VALUE && earliest - now <= 0;
    }

    /** Go's syscall rule: a carrier blocked this long gives its processor away. */
    private static boolean blockingCallDue(long blockedNanos, boolean othersWait, boolean noOneElse) {
        return blockedNanos >= SYSCALL_HANDOFF_NANOS
                && (othersWait || noOneElse || blockedNanos >= SYSCALL_FORCE_HANDOFF_NANOS);
    }

    /**
     * Processor {@code p} has run the same goroutine, in state word {@code st}, for {@code stuckFor}:
     * judge why and act. The report's stack is sampled before any hand-off, and kept only if the
     * goroutine was still the one mounted after the sample, so the frames are its own. True if it
     * handed off a carrier blocked or stalled in goroutine code (a hog's hand-off is CPU-bound work
     * going on, not activity for {@link #nextDelay}).
     */
    private boolean retakeFromGoroutine(P p, long st, long progress, long now, long stuckFor, boolean othersWait,
                                        boolean noOneElse) {
        int i = p.id;
        M holder = p.m;
        if (stuckFor >= timeSliceNanos && !cpuMarked[i]) {
            cpuMarked[i] = true;
            cpuMarkAt[i] = now;
            cpuMark[i] = CarrierProbe.cpuTimeNanos(holder);
        }
        long window = cpuMarked[i] ? now - cpuMarkAt[i] : -1;
        long[] cpu = {-1};
        Thread.State state = holder.getState();
        Stall verdict = judge(state, stuckFor, seenRounds[i], othersWait, noOneElse, timeSliceNanos, window,
                () -> cpu[0] = cpuSince(cpuMark[i], holder));
        if (verdict == Stall.BLOCKED && LockSupport.getBlocker(holder) instanceof SpinLock) {
            // Parked in the backoff of a gmpj lock whose holder is slow (descheduled): its processor
            // goes to another carrier, but the goroutine made no blocking call gmpj cannot see.
            verdict = Stall.STALLED;
        }
        if (verdict == Stall.NONE || (verdict == Stall.STALLED && s.config.hogPolicy != HogPolicy.HAND_OFF)) {
            return false;
        }
        G g = holder.curg;
        boolean report = g != null && (verdict == Stall.MONITOR ? !s.diag.monitorBlockReported() : !g.hogReported)
                && verdict != Stall.STALLED;
        StackTraceElement[] frames = null;
        ThreadInfo lock = null;
        if (report) {
            frames = holder.getStackTrace();
            lock = verdict == Stall.MONITOR ? CarrierProbe.lockInfo(holder) : null;
            if (p.state() != st || progressOf(p, P.IN_G) != progress) {
                return false; // it moved on while we looked: the frames may not be its own; look again next round
            }
        }
        boolean handOff = verdict != Stall.HOG || s.config.hogPolicy == HogPolicy.HAND_OFF;
        if (handOff) {
            if (!s.carriers.handOff(p, st)) {
                return false;
            }
            if (s.observing != 0) {
                Tracing.handoff(s, p, holder, g);
            }
            seenState[i] = 0;
        }
        switch (verdict) {
            case MONITOR -> s.diag.monitorBlocked(g, holder, lock, frames, stuckFor);
            case BLOCKED -> s.diag.blockedCallDetected(g, holder, state, frames, stuckFor);
            case HOG -> {
                if (s.observing != 0 && g != null) {
                    Tracing.hog(s, p, g, stuckFor);
                }
                s.diag.hogDetected(g, frames, stuckFor, cpu[0], window, handOff);
                s.flightDump("hog");
                hogCounted[i] = !handOff; // REPORT_ONLY: count this stuck period once
            }
            default -> { } // STALLED: handed off, not a hog
        }
        return verdict != Stall.HOG;
    }

    /** CPU time {@code carrier} used since it read {@code mark}, or -1 if either reading is unknown. */
    private static long cpuSince(long mark, Thread carrier) {
        long now = CarrierProbe.cpuTimeNanos(carrier);
        return mark < 0 || now < 0 ? -1 : now - mark;
    }

    /** Why a processor's goroutine has not given it back, as {@link #judge} sees it. */
    enum Stall {
        /** Nothing to do, or not yet. */
        NONE,
        /** The carrier waits to enter a monitor ({@code BLOCKED}): a blocking call gmpj could not see. */
        MONITOR,
        /** The carrier is parked or sleeping in goroutine code ({@code WAITING}, {@code TIMED_WAITING}). */
        BLOCKED,
        /** The goroutine computes without yielding: a hog. */
        HOG,
        /** The carrier's thread is runnable but used little CPU: blocked in native code, or not scheduled by the OS. */
        STALLED
    }

    /**
     * The decision, apart from any clock or thread, so that it can be checked with any values.
     * Nothing before two time slices (and {@link #HOG_MIN_ROUNDS} rounds) with others waiting,
     * except for a carrier blocked on a monitor, which gives its processor away like a blocking
     * call. Then a parked or sleeping carrier is {@link Stall#BLOCKED}. A runnable one is a
     * {@link Stall#HOG} once it has computed for two time slices since the goroutine was mounted:
     * its CPU time is read first when the goroutine is past its time slice, and the share of a CPU
     * it got since then ({@code cpu / window}), times the time it has been stuck, estimates it. Wall
     * time alone would call a goroutine that computes for less than two slices a hog whenever a
     * shared machine stretches its run past two: CPU-bound tasks of 17 ms would be handed off one
     * after the other, each hand-off adding a thread to CPUs that are already full. On a machine so
     * busy that two slices of CPU time would take more than {@link #BUSY_HOG_SLICES} slices (its
     * carrier gets under half a CPU), it is a hog once stuck that long with half a slice of CPU time
     * since the first reading, so that the goroutines behind it wait no longer. It is
     * {@link Stall#STALLED} if, after {@link #STALLED_AFTER_SLICES} time slices of watching, it used
     * less than {@code 1/}{@link #STALLED_CPU_SHARE} of the time watched: a goroutine whose carrier
     * the OS did not run, however long, is never a hog. In between (a goroutine still short of two
     * slices of computing, or a computing carrier given a small share of a busy machine's CPUs)
     * sysmon watches on.
     *
     * @param carrier        the carrier thread's state
     * @param stuckNanos     how long the processor has run the same goroutine without a switch
     * @param rounds         sysmon rounds that saw it so (a stop-the-world pause looks like one long round)
     * @param othersWait     goroutines are queued for the processor or the global queue, or a timer is due on it
     * @param noOneElse      no processor is idle and no carrier spins: nobody else would pick up new work
     * @param timeSliceNanos the scheduler's time slice
     * @param windowNanos    wall time since the carrier's CPU time was first read in this stuck period
     *                       (once the goroutine was past its time slice), or negative if not read yet
     * @param cpuInWindow    reads the CPU time the carrier used in that window (negative: unknown); called
     *                       only when the verdict depends on it, since each reading is a system call
     */
    static Stall judge(Thread.State carrier, long stuckNanos, int rounds, boolean othersWait, boolean noOneElse,
                       long timeSliceNanos, long windowNanos, LongSupplier cpuInWindow) {
        if (carrier == Thread.State.BLOCKED) {
            return blockingCallDue(stuckNanos, othersWait, noOneElse) ? Stall.MONITOR : Stall.NONE;
        }
        if (stuckNanos - timeSliceNanos < timeSliceNanos || rounds < HOG_MIN_ROUNDS || !othersWait) {
            return Stall.NONE; // under two time slices (written so that no sum can overflow)
        }
        if (carrier == Thread.State.WAITING || carrier == Thread.State.TIMED_WAITING) {
            return Stall.BLOCKED;
        }
        long halfSlice = timeSliceNanos / 2;
        if (windowNanos < halfSlice) {
            return Stall.NONE; // too short a window to tell what share of a CPU it gets
        }
        long cpu = cpuInWindow.getAsLong();
        if (cpu < 0) {
            return Stall.HOG; // CPU time unknown: wall time alone decides
        }
        // Doubles: the product of two long durations may overflow; the estimate needs no exactness.
        double computed = (double) cpu / windowNanos * stuckNanos;
        if (computed >= 2.0 * timeSliceNanos
                || cpu >= halfSlice && stuckNanos / BUSY_HOG_SLICES >= timeSliceNanos) {
            return Stall.HOG;
        }
        if (windowNanos / STALLED_AFTER_SLICES >= timeSliceNanos && cpu < windowNanos / STALLED_CPU_SHARE) {
            return Stall.STALLED;
        }
        return Stall.NONE; // computing, on a small share of a CPU: watch on
    }

    /**
     * Looks for a deadlock. This scheduler is stalled when nothing of it can move by itself and
     * goroutines are parked ({@link Deadlocks#stalled()}). A stall is a deadlock when it has lasted
     * {@code deadlockGrace} with no goroutine run in between (the progress count did not move), and
     * every other scheduler of the JVM has been quiet, without progress, for a grace too: then
     * nothing in gmpj can wake the parked goroutines. A stall that lasts while another scheduler is
     * active is reported once as such (not as a deadlock) if some goroutine waits on a primitive
     * the other scheduler may release; goroutines that only join tasks of other schedulers are
     * left to those schedulers. The progress count is read before and after the state, so a
     * goroutine that ran during the look makes it a look at an awake scheduler.
     */
    private void checkDeadlock(long now) {
        if (deadlockGraceNanos == 0) {
            return; // DeadlockPolicy.IGNORE
        }
        if (!s.deadlocks.idleOnTheSurface()) {
            endStall();
            deadlockDue = 0;
            return;
        }
        long progress = s.progress();
        Deadlocks.Census c = s.deadlocks.stalled();
        if (c == null || s.progress() != progress) {
            endStall();
            // Goroutines left, yet something hidden is active (a goroutine running on a carrier that
            // lost its processor, a pinned park with a deadline): nothing wakes sysmon when it ends,
            // so look again after a grace.
            deadlockDue = s.liveGoroutines() > 0 ? now + deadlockGraceNanos : 0;
            return;
        }
        Deadlocks.Others others = s.deadlocks.others();
        if (asleepSince == 0 || progress != asleepProgress) {
            endStall(); // a goroutine ran since the last look: a new stall
            asleepSince = now;
            asleepProgress = progress;
            othersQuietSince = now;
            othersProgress = others.progress;
        } else if (!others.quiet || others.progress != othersProgress) {
            othersQuietSince = now;
            othersProgress = others.progress;
        }
        if (deadlockReported) {
            deadlockDue = Long.MAX_VALUE; // until a processor goes busy and wakes us
            return;
        }
        if (now - asleepSince < deadlockGraceNanos) {
            deadlockDue = asleepSince + deadlockGraceNanos;
            return;
        }
        if (others.quiet && now - othersQuietSince >= deadlockGraceNanos) {
            deadlockReported = true;
            deadlockDue = Long.MAX_VALUE;
            s.deadlocks.detected(c);
            return;
        }
        if (!stallNoted && c.parked > c.foreignJoins) {
            stallNoted = true;
            s.deadlocks.stallNoted(c, others, now - asleepSince);
        }
        // Another scheduler is active (look again after a grace), or has just gone quiet.
        deadlockDue = (others.quiet ? othersQuietSince : now) + deadlockGraceNanos;
    }

    /** The current stall, if any, is over: a deadlock reported for it is withdrawn. */
    private void endStall() {
        asleepSince = 0;
        stallNoted = false;
        if (deadlockReported) {
            deadlockReported = false;
            s.deadlocks.cleared();
        }
    }

    /**
     * When deep sleep must end for the next deadlock check: never while the processors do not all
     * look idle or no goroutine is left (a processor that goes busy wakes sysmon); at once if a
     * goroutine ran since the stall was seen (it went busy and idle again between that look and
     * this one, while sysmon was awake and not woken); else when {@link #checkDeadlock} last decided.
     */
    private long deadlockCheckDue(long now) {
        if (deadlockGraceNanos == 0 || !s.deadlocks.idleOnTheSurface() || s.liveGoroutines() <= 0) {
            return Long.MAX_VALUE;
        }
        if (deadlockDue == 0 || asleepSince != 0 && s.progress() != asleepProgress) {
            return now;
        }
        return deadlockDue;
    }
}
