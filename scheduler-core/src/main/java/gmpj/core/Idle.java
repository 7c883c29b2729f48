package gmpj.core;

import java.lang.invoke.VarHandle;

/**
 * The idle processors and the spinning carriers: how a carrier goes to sleep and how work wakes
 * one. Every step of that protocol is in this class; the run loop ({@link M}) only calls it.
 *
 * <h2>The hand-shake</h2>
 * Two sides race. A <em>submitter</em> publishes work (a spawn, a ready, a fired timer, a spill to
 * the global queue) and then calls {@link #wakeIfIdle}: if some processor is idle and no carrier
 * is spinning, it wakes one ({@link #wakep}), which becomes the single new spinning carrier and
 * finds the work. A <em>carrier going idle</em> ({@link #release}) puts its processor on the idle
 * set, stops spinning, and then looks at the queues once more ({@link #stopSpinningAndRecheck})
 * before it sleeps. Each side writes first and reads second, with a full fence in between: the
 * submitter writes the queue and reads the word below; the idle carrier writes the word and reads
 * the queues. Sequential consistency of the two fenced pairs means at least one side sees the
 * other: either the submitter sees an idle processor with nobody spinning and wakes it, or the
 * idle carrier sees the work and takes its processor back. Nothing is stranded (jcstress:
 * {@code GoIdleRacingSubmitStrandsNothing}, {@code SpinnerGoingIdleRacingSpawnStrandsNothing}).
 *
 * <p>Why "no carrier spinning" is enough to skip the wake-up: a spinning carrier, before it goes
 * idle, stops spinning and then re-checks every processor's ring ({@link #hasWorkFor} with
 * {@code wasSpinning}), so it cannot sleep through the work it was relied on to find. Go's rule
 * limits spinning to half the busy processors ({@link #tryStartSpinning}), so idle carriers never
 * burn more CPU than busy ones.
 *
 * <h2>State</h2>
 * <ul>
 *   <li>{@link #word}: the number of idle processors (high 32 bits) and of spinning carriers (low
 *       32 bits) in one volatile long, so the submitter's decision is one read. Changed only by
 *       atomic adds and CASes. Padded on both sides: every submitter reads it, every idle
 *       transition writes it.</li>
 *   <li>{@link #idle}: which processors are idle. Bits are set and cleared only under
 *       {@link #lock}, together with the count, so under the lock the count equals the number
 *       of bits. Racy readers (thieves skipping idle victims, stats) may see either first.</li>
 *   <li>{@link M#spinning}: whether a carrier is counted in the spinning half of the word. Written
 *       only by the carrier itself. {@link #wakep} hands the role it counted through
 *       {@link M#handedSpinning}, which the carrier takes when it finds its processor gone from the
 *       idle set ({@link #takeHandedRole}).</li>
 * </ul>
 * The lock also makes the termination decision ({@link Lifecycle#decideLocked}) atomic with the
 * last processor going idle.
 *
 * <h2>Processors in use</h2>
 * {@link Scheduler#setProcs} changes how many processors are in use ({@link #resize}). A
 * processor is <em>live</em> ({@link #live}) from the moment it is brought into use until its
 * last holder lets it go ({@link #retire}); a removed processor whose carrier has not reached a
 * scheduling point yet is live but beyond {@link Scheduler#procs}: retiring. All three facts
 * ({@code procs}, the live set and its count, the idle set) change only under {@link #lock}, so
 * these hold under it:
 * <ul>
 *   <li>idle processors are live and below {@code procs}: {@link #park} refuses a removed
 *       processor (its carrier retires it instead), and {@link #resize} takes removed idle ones
 *       off the idle set and wakes their carriers;</li>
 *   <li>"every processor idle" means every <em>live</em> processor ({@link #allIdleLocked}), so a
 *       retiring processor still running a goroutine keeps the scheduler from terminating and
 *       sysmon from sleeping deeply;</li>
 *   <li>a processor is retired only if it is still beyond {@code procs} when its holder takes the
 *       lock to let it go; a resize that grew back over it in the meantime keeps it in use.</li>
 * </ul>
 */
final class Idle {
    static final long ONE_IDLE = 1L << 32;
    static final long ONE_SPINNING = 1L;

    /** Idle processors (high 32 bits), spinning carriers (low 32 bits), on cache lines of its own. */
    private final PaddedCounter word = new PaddedCounter(0);
    private final Scheduler s;
    /** Guards the bits of {@link #idle} and the decisions taken with them; never held across a park. */
    final SpinLock lock = new SpinLock(); // ownerless: taken from goroutine code too, see SpinLock
    /** Processors on the idle set; see the class comment for who writes it. */
    private final ProcMask idle;
    /** Processors in use or retiring (held by a carrier, or idle with one); bits change under {@link #lock}. */
    private final ProcMask live;
    /** The number of bits of {@link #live}; written under {@link #lock}, read racily by the checks for "all idle". */
    private volatile int liveCount;
    /**
     * One more than the highest live processor: thieves look at processors below it (a retiring
     * one may still hold goroutines in its ring). Written under {@link #lock}.
     */
    private volatile int stealRange;

    Idle(Scheduler s, int procs, int maxProcs) {
        this.s = s;
        this.idle = new ProcMask(maxProcs);
        this.live = new ProcMask(maxProcs);
        for (int i = 0; i < procs; i++) {
            live.set(i);
        }
        this.liveCount = procs;
        this.stealRange = procs;
    }

    // ------------------------------------------------------------------ the word

    /** Volatile load of the word. */
    long lvWord() {
        return word.get();
    }

    /** Volatile CAS of the word. */
    boolean casWord(long expect, long update) {
        return word.compareAndSet(expect, update);
    }

    /** Full-fence add to the word; returns the old word. */
    long getAndAddWord(long delta) {
        return word.getAndAdd(delta);
    }

    static int idleOf(long w) {
        return (int) (w >>> 32);
    }

    static int spinningOf(long w) {
        return (int) w;
    }

    /** Idle processors right now (racy). */
    int idleCount() {
        return idleOf(lvWord());
    }

    /** Spinning carriers right now (racy). */
    int spinningCount() {
        return spinningOf(lvWord());
    }

    /** Whether processor {@code p} is on the idle set (racy: a snapshot). */
    boolean isIdle(P p) {
        return idle.get(p.id);
    }

    /**
     * A carrier without local work may start spinning (looking to steal) only while fewer than half
     * of the busy processors have a spinning carrier: Go's limit. CAS on the word, so the limit holds
     * exactly. True if the caller now counts as spinning (and must set {@link M#spinning}).
     */
    boolean tryStartSpinning() {
        for (;;) {
            long w = lvWord();
            if (2 * spinningOf(w) >= liveCount - idleOf(w)) {
                return false;
            }
            if (casWord(w, w + ONE_SPINNING)) {
                return true;
            }
        }
    }

    /**
     * A spinning carrier stops spinning. True if it was the last one: then nobody is looking for
     * work any more, and the caller must see that work it may have left behind is not stranded
     * ({@link #wakeIfIdle}). A full-fence add, so a re-check that follows reads after it.
     */
    boolean stopSpinningAndCheckLast() {
        return spinningOf(getAndAddWord(-ONE_SPINNING)) == 1;
    }

    /** A spinning carrier found work: it stops spinning and, if it was the last, wakes another for what may be left. */
    void foundWork(M m) {
        m.spinning = false;
        if (stopSpinningAndCheckLast()) {
            wakeIfIdle();
        }
    }

    // ------------------------------------------------------------------ submitter side

    /**
     * Go's rule for waking a carrier: work was just published, and there is an idle processor but
     * no spinning carrier. The full fence orders the publication before the read of the word.
     */
    void wakeIfIdle() {
        VarHandle.fullFence();
        long w = lvWord();
        if (idleOf(w) != 0 && spinningOf(w) == 0) {
            wakep();
        }
    }

    /** Wakes one idle carrier as the (single) new spinning carrier. Go's {@code wakep}. */
    private void wakep() {
        for (;;) { // take the spinning role 0 -> 1; if someone has it already, they will find the work
            long w = lvWord();
            if (spinningOf(w) != 0) {
                return;
            }
            if (casWord(w, w + ONE_SPINNING)) {
                break;
            }
        }
        M m = null;
        lock.lock();
        try {
            int id = s.lifecycle.stopping ? -1 : idle.next(0);
            if (id >= 0) {
                P p = s.ps[id];
                m = p.m;
                m.handedSpinning = true; // volatile, before the bit: whoever sees the bit clear sees the role
                idle.clear(id);
                getAndAddWord(-ONE_IDLE);
            }
        } finally {
            lock.unlock();
        }
        if (m == null) {
            getAndAddWord(-ONE_SPINNING);
            return;
        }
        m.wake();
        s.sysmon.wake();
    }

    // ------------------------------------------------------------------ carrier side

    /**
     * A carrier with nothing to do: puts its processor on the idle set, stops spinning, and looks
     * once more for work it must not sleep through. True if it must now wait (until woken, or as
     * the timekeeper until the nearest timer); false if it keeps its processor and looks again
     * (the global queue had work, the re-check found some, or the scheduler is stopping).
     */
    boolean release(M m) {
        if (!park(m.p)) {
            return false;
        }
        return !stopSpinningAndRecheck(m);
    }

    /**
     * Puts {@code p} on the idle set. False (and nothing changed) if the global queue has work or
     * the scheduler is stopping. Decides termination if this was the last busy processor of a
     * scheduler that is shut down.
     */
    boolean park(P p) {
        boolean terminatedNow = false;
        lock.lock();
        try {
            if (s.lifecycle.stopping || !s.global.isEmpty() || p.id >= s.procs) {
                return false; // a removed processor is not idle: its carrier retires it (Scheduler#setProcs)
            }
            idle.set(p.id);
            getAndAddWord(ONE_IDLE);
            terminatedNow = s.lifecycle.decideLocked();
            return true;
        } finally {
            lock.unlock();
            if (terminatedNow) {
                s.lifecycle.announceTermination();
            }
        }
    }

    /**
     * The middle of going idle, once the processor is on the idle set: stop spinning, then look at
     * the queues once more. True if work turned up and this carrier took its processor back
     * (spinning again if it was); false if it must wait (a waker may have taken the processor off
     * the idle set meanwhile, and has then woken us).
     */
    boolean stopSpinningAndRecheck(M m) {
        boolean wasSpinning = m.spinning; // owner-only: wakep hands its role through handedSpinning
        if (wasSpinning) {
            m.spinning = false;
            stopSpinningAndCheckLast(); // full fence: the re-check below reads after it
        }
        if (hasWorkFor(m.p, wasSpinning) && unpark(m.p)) {
            if (wasSpinning) {
                m.spinning = true;
                getAndAddWord(ONE_SPINNING);
            }
            return true;
        }
        return false;
    }

    /**
     * The re-check of a carrier that just went idle: always the global queue and due timers; every
     * busy processor's ring too if it was spinning (it was the carrier submitters relied on).
     */
    boolean hasWorkFor(P self, boolean wasSpinning) {
        if (!s.global.isEmpty() || s.timers.earliest() <= System.nanoTime()) {
            return true;
        }
        if (wasSpinning) {
            // The rings only: a goroutine alone in a busy processor's runnext is about to be run
            // by its owner (an idle processor's queues are empty), so it strands nobody; counting
            // it would keep this carrier spinning for as long as a ping-pong pair runs elsewhere.
            for (P p : s.ps) {
                if (p != self && !idle.get(p.id) && !p.runq.ringIsEmpty()) {
                    return true; // an idle processor's ring is empty: only busy ones are read
                }
            }
        }
        return false;
    }

    /**
     * A carrier back from its idle wait: takes its processor back if it is still on the idle set
     * (a timeout, the timekeeper's deadline, a spurious wake-up); else {@link #wakep} took it off and
     * handed this carrier the spinning role, which it now takes ({@link #takeHandedRole}).
     */
    void wokeUp(M m) {
        if (!unpark(m.p)) {
            takeHandedRole(m);
        }
    }

    /**
     * The carrier whose processor {@link #wakep} took off the idle set takes the spinning role
     * wakep counted for it. The role travels in {@link M#handedSpinning}, not in {@link M#spinning}:
     * wakep's CAS of the count and its choice of a processor are two steps, and in between the
     * chosen carrier may have stopped spinning, found work, counted itself spinning again and gone
     * idle once more; writing its flag then would give one flag two counts, and the count would
     * keep one role that nobody has (every later {@link #wakeIfIdle} would see a spinner that does
     * not exist, and work from outside would wait for ever). A carrier that already spins gives the
     * extra count back.
     */
    void takeHandedRole(M m) {
        if (m.handedSpinning) {
            m.handedSpinning = false;
            if (m.spinning) {
                getAndAddWord(-ONE_SPINNING);
            } else {
                m.spinning = true;
            }
        }
    }

    /** Takes {@code p} off the idle set if it is still there. True if this call did. */
    boolean unpark(P p) {
        if (!idle.get(p.id)) {
            return false; // only p's own carrier sets its bit, so a clear bit stays clear for it
        }
        lock.lock();
        try {
            if (!idle.get(p.id)) {
                return false;
            }
            idle.clear(p.id);
            getAndAddWord(-ONE_IDLE);
        } finally {
            lock.unlock();
        }
        s.sysmon.wake();
        return true;
    }

    /** Under {@link #lock}: whether every live processor is idle (see the class comment). */
    boolean allIdleLocked() {
        return idleOf(lvWord()) == liveCount;
    }

    /** Whether every live processor is idle (racy: for sysmon's sleep and the deadlock detector's first look). */
    boolean allIdle() {
        return idleOf(lvWord()) == liveCount;
    }

    /** Processors live now: in use, or removed and still held (racy). */
    int liveCount() {
        return liveCount;
    }

    /** One more than the highest live processor (racy): the processors a thief looks at. */
    int stealRange() {
        return stealRange;
    }

    // ------------------------------------------------------------------ processors in use

    /**
     * {@link Scheduler#setProcs}, under {@link #lock}: sets the count to {@code n}. Returns the
     * processors brought into use that need a carrier (the caller gives each one,
     * {@link Carriers#giveToNew}); a removed processor that had not retired yet simply stays. Removed
     * idle processors leave the idle set and their carriers are woken to retire them. Null (and
     * nothing changed) if the scheduler is stopping.
     */
    java.util.List<P> resize(int n) {
        java.util.List<P> added = new java.util.ArrayList<>();
        java.util.List<M> toWake = new java.util.ArrayList<>();
        lock.lock();
        try {
            if (s.lifecycle.stopping) {
                return null;
            }
            int old = s.procs;
            if (n > s.procsHighWater) {
                s.procsHighWater = n; // before procs: whoever sees the new count sees the processors it covers
            }
            s.procs = n;
            for (int id = old; id < n; id++) {
                if (!live.get(id)) {
                    live.set(id);
                    liveCount++;
                    added.add(s.ps[id]);
                }
            }
            for (int id = n; id < old; id++) {
                if (idle.get(id)) {
                    idle.clear(id);
                    getAndAddWord(-ONE_IDLE);
                    toWake.add(s.ps[id].m);
                }
            }
            stealRange = highestLiveLocked() + 1;
        } finally {
            lock.unlock();
        }
        for (M m : toWake) {
            m.wake(); // it finds its processor off the idle set with no role handed (wokeUp), then retires it
        }
        return added;
    }

    /**
     * Carrier {@code m}, holding {@code p} in scheduler code, with {@code p}'s queues drained: lets
     * {@code p} go if it is still beyond {@link Scheduler#procs}. Takes the termination decision if
     * it was the last busy processor of a scheduler that is shut down. True if {@code p} is retired
     * (the caller holds nothing now); false if a resize brought it back into use meanwhile.
     */
    boolean retire(M m, P p) {
        boolean terminatedNow = false;
        lock.lock();
        try {
            if (p.id < s.procs) {
                return false;
            }
            live.clear(p.id);
            liveCount--;
            stealRange = highestLiveLocked() + 1;
            p.retire();
            m.p = null; // owner field: the carrier is a spare from here on
            terminatedNow = s.lifecycle.decideLocked();
        } finally {
            lock.unlock();
        }
        if (terminatedNow) {
            s.lifecycle.announceTermination();
        }
        return true;
    }

    private int highestLiveLocked() {
        int top = -1;
        for (int i = live.next(0); i >= 0; i = live.next(i + 1)) {
            top = i;
        }
        return top;
    }

    /** A carrier that dies gives up the spinning role it held. */
    void dropSpinning(M m) {
        if (m.spinning) {
            m.spinning = false;
            getAndAddWord(-ONE_SPINNING);
        }
    }
}
