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
    /** Idle rounds before the delay starts doubling (Go: 50). */
    private static final int IDLE_ROUNDS_BEFORE_BACKOFF = 50;

    private final Scheduler s;
    private final long timeSliceNanos;
    private final long tracePeriodNanos;
    private final long deadlockGraceNanos;
    /** Per P: the schedtick seen last, and when it was first seen. */
    private final int[] seenTick;
    private final long[] seenTickSince;
    /** True while in deep sleep; {@link #wake()} unparks only then. */
    private volatile boolean sleeping;

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
        long start = System.nanoTime();
        nextTrace = start + tracePeriodNanos;
        long delay = MIN_DELAY_NANOS;
        int idleRounds = 0;
        while (!s.stopping) {
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
            if (tracePeriodNanos > 0 && now - nextTrace >= 0) {
                s.emitTrace(now - start);
                nextTrace = now + tracePeriodNanos;
            }
            checkDeadlock(now);
            idleRounds = acted ? 0 : idleRounds + 1;
        }
    }

    /**
     * Every processor is idle: nothing can need preempting. Sleep until a processor goes busy
     * ({@link #wake()}), or until a trace line or the deadlock check is due.
     */
    private void deepSleep(long now) {
        long until = tracePeriodNanos > 0 ? nextTrace : Long.MAX_VALUE;
        if (!deadlockReported && s.allAsleep()) {
            until = Math.min(until, (asleepSince == 0 ? now : asleepSince + deadlockGraceNanos));
        }
        sleeping = true;
        if (s.npidle == s.procs) { // re-check after publishing "sleeping": wake() sees it or we see busy
            if (until == Long.MAX_VALUE) {
                LockSupport.park(this);
            } else if (until - now > 0) {
                LockSupport.parkNanos(this, until - now);
            }
        }
        sleeping = false;
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

    private void checkDeadlock(long now) {
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
