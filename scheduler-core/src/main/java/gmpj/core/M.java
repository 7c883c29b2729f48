package gmpj.core;

import java.util.concurrent.locks.LockSupport;

/**
 * A carrier: the platform thread that holds a processor and runs goroutines on it (Go's {@code m}).
 *
 * <p>Its whole life is {@link #run()}: find a runnable goroutine ({@link #findRunnable()}, in the
 * order of Go's {@code findRunnable}), mount its continuation, and handle how it came back (done,
 * yielded, parked). When there is nothing to do it spins briefly, looking to steal, then parks; an
 * idle scheduler's carriers are all parked and burn no CPU.
 *
 * <p>A carrier holds at most one processor. It keeps it until sysmon hands the processor to
 * another carrier because this one is stuck (in a blocking call, a pinned park, or a goroutine
 * that never yields); then it finishes what it was doing without a processor, queues its goroutine
 * globally, and waits as a spare until sysmon hands it a processor again (see {@link P}'s state
 * word). The fields marked "owner" are only touched by this thread.
 */
final class M extends Thread implements StealPolicy.Victims {
    private final Scheduler s;
    /** The scheduler's lifecycle, whose {@code stopping} flag the loops read on every pass. */
    private final Lifecycle life;
    /** A small id, unique within the scheduler, stamped into the state word of the processor it holds. */
    final int mid;
    /**
     * Owner: the processor this carrier holds, or null while it is a spare. Given to a spare or a
     * newly started carrier by {@link #handOver} (under {@link Carriers#lock}), which writes the
     * processor's state word first and then this field with a release store; the carrier reads it
     * with an acquire load ({@link #heldAcquire}) wherever it may still be waiting for one, so it
     * never runs before the word says it holds the processor. (Written plainly, a carrier already
     * running could see the field, start a goroutine, and then have its {@code IN_G} word
     * overwritten by the late {@code SCHED} of the hand-over: its processor was lost. A stress run
     * under CPU load found this.) Otherwise owner-only and plain.
     */
    P p;
    private static final java.lang.invoke.VarHandle HELD;

    static {
        try {
            HELD = java.lang.invoke.MethodHandles.lookup().findVarHandle(M.class, "p", P.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Under {@link Carriers#lock}: gives processor {@code p} to this carrier (a spare, or one just started for it). */
    void handOver(P p) {
        p.hold(this); // the word first: when the carrier sees the processor, the word is already its own
        HELD.setRelease(this, p);
    }

    /** The processor, read with acquire: pairs with {@link #handOver}. */
    P heldAcquire() {
        return (P) HELD.getAcquire(this);
    }
    /** Owner: the goroutine mounted right now, or null between goroutines. Read by observers only. */
    G curg;
    /**
     * True while this carrier is counted among the spinning carriers of {@link Idle}. Written by
     * the owner, or by a waker under the idle lock while this carrier's processor is on the idle set
     * (the waker hands it the spinning role); the owner reads it after its park returns, and once
     * before: in {@link Idle#stopSpinningAndRecheck}, racing that hand-over. If it sees the role
     * there it counts it down as its own, so the flag and the count stay in step either way (it is
     * woken, and runs as a carrier that does not spin).
     */
    boolean spinning;
    /**
     * Set by {@link Idle#wakep} (volatile, before it clears the processor's idle bit) when it takes
     * this carrier's processor off the idle set and hands it the spinning role it counted; taken by
     * the owner ({@link Idle#takeHandedRole}) once it sees its processor gone from the idle set.
     */
    volatile boolean handedSpinning;
    /** Owner: whether the goroutine picked last inherits the time slice (it came from runnext). */
    private boolean inheritTime;
    /** Go's {@code note}: set by a waker before it unparks this thread; cleared by the owner. */
    volatile boolean notified;
    /** Owner: xorshift state for steal orders. */
    private int seed;
    /** Owner: scratch array for a steal policy's victim order. */
    private final int[] victimOrder;
    /**
     * Owner: set when this carrier came back from an idle wait with the spinning role a waker
     * handed it ({@link Idle#wakep}), cleared when it finds work; still set when it goes idle
     * again, the wake-up was futile ({@link PCounters#FUTILE_WAKEUPS}).
     */
    private boolean wokenToSpin;
    /**
     * Owner: the last steal pass left a busy processor's runnext goroutine alone because that
     * processor was switching goroutines (it will run it itself): see {@link #findRunnable}'s linger.
     */
    private boolean sparedRunnext;
    /** Owner: naps taken in a row while lingering, reset when this carrier goes idle or finds work. */
    private int lingerNaps;
    /** Owner: this carrier's buffer of the trace being recorded, or of an earlier one (see {@link #traceWriter}). */
    private Tracer.Writer traceWriter;
    /**
     * Owner: while latency recording is on ({@link Latency}), the processor this carrier mounted
     * its goroutine on and when (System.nanoTime), for the run slice recorded when it comes off;
     * null when unknown (mounted while recording was off).
     */
    P mountedOn;
    long mountedAt;

    /** Owner: this carrier's writer for trace {@code t}, made at its first event of that trace. */
    Tracer.Writer traceWriter(Tracer t) {
        Tracer.Writer w = traceWriter;
        if (w == null || w.tracer != t) {
            traceWriter = w = t.newWriter(mid);
        }
        return w;
    }

    /** Owner: the waiters this carrier's last network poll readied, until it queues them ({@link Netpoll}). */
    final java.util.ArrayList<Waiter> netReady = new java.util.ArrayList<>();

    M(Scheduler s, int mid, P p, String name, long stackSize) {
        super(null, null, name, stackSize, false);
        this.s = s;
        this.life = s.lifecycle;
        this.mid = mid;
        this.p = p;
        this.seed = 0x9E3779B9 * (mid + 1) | 1;
        this.victimOrder = new int[s.ps.length];
    }

    /**
     * Set by whoever started this carrier to take over a processor (a hand-off, or the replacement
     * of a carrier that died): it must not list itself as a spare, the starter gives it a
     * processor or lists it. Guarded by {@link Carriers#lock}.
     */
    boolean reserved;
    /** True while this carrier is on the spare list. Guarded by {@link Carriers#lock}. */
    boolean listed;
    /** Owner: the goroutine taken from a queue and not yet mounted, for the failure path. */
    private G inHand;

    @Override
    public void run() {
        try {
            if (s.config.pinCarriers && p != null) {
                s.carriers.pin(this);
            }
            runLoop();
        } catch (Throwable t) {
            // Carrier code outside any goroutine failed (a broken steal policy that threw an Error,
            // memory exhausted in a queue or a timer heap, or a bug of ours). This thread ends, but
            // first its processor goes to another carrier and the failure is reported.
            s.carriers.failed(this, inHand, t);
        } finally {
            Tracer.Writer w = traceWriter;
            if (w != null) {
                w.tracer.retire(w);
            }
        }
    }

    /** The scheduler this carrier belongs to. */
    Scheduler scheduler() {
        return s;
    }

    private void runLoop() {
        G g = null;
        for (;;) {
            if (heldAcquire() == null) {
                if (!awaitHandOff()) {
                    return; // a spare that retired, or the scheduler is stopping
                }
                if (s.config.pinCarriers) {
                    s.carriers.pin(this); // to the CPU of the processor it was just handed
                }
            }
            if (g == null) {
                g = findRunnable();
                if (g == null) {
                    if (p == null) {
                        continue; // our processor was removed and let go (retire): wait as a spare
                    }
                    return; // the scheduler is stopping
                }
                if (spinning) {
                    s.idle.foundWork(this);
                }
                wokenToSpin = false;
                lingerNaps = 0;
            }
            inHand = g;
            g = execute(g);
            inHand = g;
        }
    }

    // ------------------------------------------------------------------ running one goroutine

    /**
     * Runs {@code g} until it finishes, yields or parks. Returns a goroutine to run right away (one
     * that parked but found its permit already there), or null.
     */
    private G execute(G g) {
        g.toRunning();
        if (!inheritTime) {
            p.tick();
        }
        if (g.preempt) {
            g.preempt = false; // a fresh slice answers any pending preempt request
        }
        p.counters.inc(PCounters.RUNS);
        curg = g;
        inHand = null;
        g.m = this;
        p.enterG(this);
        if (s.observing != 0) {
            Tracing.goStart(this, p, g);
        }
        try {
            g.run();
            // A goroutine is not interruptible, and Thread.currentThread() inside it is this carrier:
            // an interrupt flag it set (the catch-and-restore idiom) or one aimed at this carrier must
            // not outlive its turn, nor land on the next, unrelated goroutine.
            Thread.interrupted();
        } catch (Throwable t) {
            curg = null;
            if (p.leaveG(this)) {
                p.counters.inc(PCounters.EXITS); // dropped: it must not keep the scheduler from terminating
            } else {
                p = null;
                s.orphanExited();
            }
            s.diag.internalError(g, t);
            return null;
        }
        curg = null;
        if (s.observing != 0) {
            stopped(g);
        }
        if (!p.leaveG(this)) {
            lostProcessor(g);
            return null;
        }
        if (g.isDone()) {
            g.toDead();
            p.counters.inc(PCounters.EXITS);
            return null;
        }
        byte kind = g.yieldKind;
        g.yieldKind = G.YIELD_NONE;
        if (kind == G.YIELD_PARK) {
            p.counters.inc(PCounters.PARKS);
            TimerQueue.Timer timer = g.timer;
            long deadline = timer == null ? 0 : timer.deadline; // read now: once committed, g may run elsewhere
            if (g.commitPark(p.timers)) {
                s.timers.armed(deadline);
                return null;
            }
            if ((s.observing & Tracing.LATENCY) != 0) {
                Latency.stampRunnable(g); // runnable again without a wake-up of its own
            }
            inheritTime = true;
            return g; // it took its permit back: run it again at once
        }
        p.counters.inc(PCounters.YIELDS);
        g.toRunnable();
        if (p.put(g, false, s.global)) {
            s.idle.wakeIfIdle(); // the spill is work another carrier can take now
        }
        return null;
    }

    /** {@code g} came back from its run: tell the observers why (before anything can run it elsewhere). */
    private void stopped(G g) {
        TraceEvent.StopReason why;
        WaitReason reason = null;
        if (g.isDone()) {
            why = TraceEvent.StopReason.EXIT;
        } else if (g.yieldKind == G.YIELD_PARK) {
            why = TraceEvent.StopReason.PARK;
            reason = g.waitReason();
        } else {
            why = g.yieldKind == G.YIELD_PREEMPTED ? TraceEvent.StopReason.PREEMPTED : TraceEvent.StopReason.YIELD;
        }
        Tracing.goStop(this, p, g, why, reason);
    }

    /**
     * Sysmon handed our processor to another carrier while {@code g} ran (it blocked, was pinned,
     * or never yielded). Finish with {@code g} without touching the processor: its exit counts
     * globally, a yield or a park that found its permit goes to the global queue, a park is
     * committed with its timer in the old processor's heap (heaps are locked, any thread may add).
     * Then this carrier is a spare (the run loop waits for a hand-off).
     */
    private void lostProcessor(G g) {
        P old = p;
        p = null;
        if (g.isDone()) {
            g.toDead();
            s.orphanExited();
            return;
        }
        byte kind = g.yieldKind;
        g.yieldKind = G.YIELD_NONE;
        if (kind == G.YIELD_PARK) {
            TimerQueue.Timer timer = g.timer;
            long deadline = timer == null ? 0 : timer.deadline; // read now: once committed, g may run elsewhere
            if (g.commitPark(old.timers)) {
                // As in execute: the processor's carrier (or any) may be parked idle past this
                // deadline, and nothing else would wake it for a timer armed from here.
                s.timers.armed(deadline);
                return;
            }
            if ((s.observing & Tracing.LATENCY) != 0) {
                Latency.stampRunnable(g); // it took its permit back: runnable from now
            }
        } else {
            g.toRunnable();
        }
        s.readyGlobal(g);
    }

    // ------------------------------------------------------------------ findRunnable

    /** Counts findRunnable passes, to look at this processor's timers first on every 8th. Carrier-local. */
    private int timerCheckTick;

    /**
     * Finds a goroutine to run, in Go's order; parks this carrier while there is none. Returns null
     * when the scheduler stops, or when {@link Scheduler#setProcs} removed this carrier's processor
     * and it let it go ({@link #retire}; {@link #p} is null then).
     */
    private G findRunnable() {
        for (;;) {
            if (life.stopping) {
                return null;
            }
            if (p.id >= s.procs && retire()) {
                return null;
            }
            G g;
            // 0. This processor's expired timers (Go's checkTimers at the top of findRunnable): a
            //    sleeper that is due goes to runnext now, ahead of the queued goroutines, instead
            //    of waiting until every queue has drained (the earliest of several due together;
            //    the others queue behind it in deadline order). Every 8th pass only: reading the clock
            //    costs about 27 ns here, a tenth of a goroutine switch, and 8 switches are a few
            //    microseconds of lateness at most.
            //    A processor also watches the heaps of the removed processors whose index equals its
            //    own modulo procs (Scheduler#setProcs): nobody else would look at them on this pass.
            if ((++timerCheckTick & 7) == 0) {
                TimerQueue own = p.timers;
                if (own.earliest() != Long.MAX_VALUE && s.timers.fireExpired(p, own, System.nanoTime(), true)) {
                    s.idle.wakeIfIdle();
                }
                int n = s.procs;
                for (int j = p.id + n; j < s.ps.length; j += n) {
                    TimerQueue removed = s.ps[j].timers;
                    if (removed.earliest() != Long.MAX_VALUE && s.timers.fireExpired(p, removed, System.nanoTime(), false)) {
                        s.idle.wakeIfIdle();
                    }
                }
            }
            // 1. Fairness: every 61st tick look at the global queue first, so goroutines queued
            //    there are not starved by two goroutines that keep readying each other locally.
            //    61 is Go's choice: prime, so it does not fall into step with a workload's period.
            if (p.fairnessTick() && !s.global.isEmpty() && (g = takeGlobal(1)) != null) { // lanes in rotation
                inheritTime = false;
                return g;
            }
            // 2. runnext (bounded streak), then the local ring.
            if ((g = pollLocal()) != null) {
                return g;
            }
            // 3. The global queue, a batch at a time.
            if (!s.global.isEmpty() && (g = takeGlobal(0)) != null) {
                inheritTime = false;
                return g;
            }
            // 3b. The network, without blocking (Go's netpoll(0) before stealing): only while some
            //     goroutine or thread waits on a socket and no idle carrier is blocked in the
            //     poller already. What it readies comes onto this processor.
            Netpoll np = s.netpoll;
            if (np != null && np.pollNow(this, p) > 0) {
                s.idle.wakeIfIdle();
                continue;
            }
            // 4. Expired timers of the other processors (an idle processor's timers must still
            //    fire), and this one's again: they ready their goroutines onto this processor.
            if (s.timers.fireAll(p)) {
                continue;
            }
            // 5. Steal, within Go's limit: at most half of the busy processors may have a spinning
            //    carrier, so idle carriers cannot burn more CPU than the busy ones use.
            if (spinning || (spinning = s.idle.tryStartSpinning()) && startedSpinning()) {
                sparedRunnext = false;
                if ((g = steal()) != null) {
                    inheritTime = false;
                    return g;
                }
                // 5b. Linger: the only work seen was a goroutine in the runnext slot of a processor
                //     that is switching goroutines, typically one of a pair readying each other
                //     there. Its owner will run it; taking it would split the pair across two
                //     cores. Going idle now would make the pair's next ready wake this carrier
                //     again (a futex call on the pair's critical path) only to find the same.
                //     So stay spinning, which tells wakers that someone is looking, and nap
                //     briefly (no CPU burnt), a bounded number of times; then go idle. Work that
                //     turns up meanwhile waits for the end of the nap, as it would for a thief's
                //     back-off.
                if (sparedRunnext && lingerNaps < Scheduler.MAX_LINGER_NAPS && !life.stopping) {
                    lingerNaps++;
                    p.counters.inc(PCounters.LINGERS);
                    parkCarrier(System.nanoTime() + Scheduler.LINGER_NAP_NANOS);
                    continue;
                }
            }
            // 6. Nothing anywhere: release the processor and park.
            if ((g = goIdle()) != null) {
                return g;
            }
        }
    }

    /**
     * {@link Scheduler#setProcs} removed our processor: move its queued goroutines to the global
     * queue, give up the spinning role, and let the processor go ({@link Idle#retire}), unless a
     * resize brought it back meanwhile. Only the holder does this, in scheduler code, so nothing
     * else puts into these queues while they are drained (thieves may still take from them; the
     * ring's poll and steal race as always). True if this carrier holds no processor now.
     * Package access for the race tests ({@code RetiringSpinnerRacingSubmitStrandsNothing}).
     */
    boolean retire() {
        P old = p;
        G first = null;
        G last = null;
        int n = 0;
        for (G g; (g = old.runq.pollRunnext()) != null || (g = old.runq.poll()) != null; n++) {
            if (first == null) {
                first = g;
            } else {
                last.next = g;
            }
            last = g;
        }
        if (n > 0) {
            s.global.putBatch(first, last, n);
        }
        if (spinning) {
            spinning = false;
            s.idle.stopSpinningAndCheckLast(); // full fence; the wake-up below looks after it
        }
        boolean retired = s.idle.retire(this, old);
        if (retired && s.observing != 0) {
            Tracing.procRetired(this, old, n);
        }
        // Submitter's side for what was drained (and for what a spinning role we dropped was relied
        // on to find): an idle processor with nobody spinning is woken for it.
        s.idle.wakeIfIdle();
        if (retired) {
            long e = s.timers.earliest();
            if (e != Long.MAX_VALUE) {
                s.timers.armed(e); // if we kept time for this processor's heap, somebody else must now
            }
        }
        return retired;
    }

    /** This carrier just took the spinning role: tell the observers. Always true. */
    private boolean startedSpinning() {
        if (s.observing != 0) {
            Tracing.carrierSpin(this, p);
        }
        return true;
    }

    /** runnext first, unless it has been picked {@link Scheduler#MAX_RUNNEXT_STREAK} times in a row. */
    private G pollLocal() {
        LocalRunQueue q = p.runq;
        G g;
        if (p.runnextStreak < Scheduler.MAX_RUNNEXT_STREAK && (g = q.pollRunnext()) != null) {
            p.runnextStreak++;
            p.counters.inc(PCounters.RUNNEXT_PICKS);
            inheritTime = true;
            return g;
        }
        p.runnextStreak = 0;
        if ((g = q.poll()) != null) {
            inheritTime = false;
            return g;
        }
        if ((g = q.pollRunnext()) != null) {
            // The ring is empty, so runnext may go on, but as a new time slice: schedtick moves
            // and the every-61st-tick look at the global queue still comes round. Without this a
            // pair readying each other on one processor starves the global queue forever (Go
            // relies on sysmon preempting the pair after 10 ms for that).
            p.runnextStreak = 1;
            p.counters.inc(PCounters.RUNNEXT_PICKS);
            inheritTime = false;
            return g;
        }
        return null;
    }

    /**
     * Takes a batch from the global queue: Go's {@code min(len/procs + 1, capacity/2)}, at most
     * {@code max} if positive. Returns one goroutine to run and queues the rest locally.
     */
    private G takeGlobal(int max) {
        int n = Math.min(s.global.size() / s.procs + 1, p.runq.capacity / 2);
        if (max > 0) {
            n = Math.min(n, max);
        }
        // One claim: g and up to n - 1 more linked behind it. The fairness take serves the lanes in
        // rotation; the others come to this processor's own spills first (GlobalRunQueue's lanes).
        G g = max == 1 ? s.global.pollRotating(1) : s.global.pollBatch(n, p.id);
        if (g == null) {
            return null;
        }
        p.counters.inc(PCounters.GLOBAL_TAKES);
        if (s.observing != 0) {
            int taken = 0;
            for (G x = g; x != null; x = x.next) {
                taken++;
            }
            Tracing.globalTake(this, p, taken);
        }
        for (G x = GlobalRunQueue.detachNext(g), rest; x != null; x = rest) {
            rest = GlobalRunQueue.detachNext(x);
            p.put(x, false, s.global);
        }
        return g;
    }

    /**
     * Up to {@code rounds} passes over the victims the policy names. The policy is user code: what
     * it returns is checked here, and if it throws or returns something out of range the scheduler
     * reports it once and replaces it with Go's policy ({@link Scheduler#stealPolicyFailed}); an
     * Error it throws still ends this carrier, through the failure path of {@link #run()}.
     */
    private G steal() {
        StealPolicy policy = s.stealPolicy;
        try {
            return stealWith(policy);
        } catch (RuntimeException | Error e) {
            s.stealPolicyFailed(policy, e);
            if (e instanceof Error err) {
                throw err;
            }
            return null; // the next pass steals with the replacement
        }
    }

    private G stealWith(StealPolicy policy) {
        int rounds = policy.rounds();
        if (rounds < 0 || rounds > MAX_STEAL_ROUNDS) {
            throw new IllegalStateException("rounds() returned " + rounds + ", outside 0.." + MAX_STEAL_ROUNDS);
        }
        int procs = s.idle.stealRange(); // live processors lie below it, retiring ones included
        victimCount = procs;
        for (int round = 0; round < rounds; round++) {
            boolean lastRound = round == rounds - 1;
            int k = policy.order(p.id, this, victimOrder);
            if (k < 0 || k > procs - 1) {
                throw new IllegalStateException("order() returned " + k + " victims, outside 0.." + (procs - 1)
                        + " (procs - 1)");
            }
            for (int i = 0; i < k; i++) {
                int v = victimOrder[i];
                if (v < 0 || v >= procs) {
                    throw new IllegalStateException("order() named processor " + v + " as victim " + i
                            + ", outside 0.." + (procs - 1));
                }
                P victim = s.ps[v];
                if (victim == p || s.idle.isIdle(victim)) {
                    continue; // an idle processor's queues are empty
                }
                G g = p.runq.stealFrom(victim.runq, policy, false);
                if (g == null && lastRound && victim.runq.hasRunnext()) {
                    // The victim is busy (idle ones were skipped). Watch it for Go's back-off: if
                    // it mounted another goroutine meanwhile, it is switching and will run its
                    // runnext goroutine itself, on a warm cache: leave it there. If not, the
                    // goroutine that readied it is still running, and the readied one would wait
                    // behind it: take it.
                    long runs = victim.counters.get(PCounters.RUNS);
                    backOffBeforeRunnext();
                    if (victim.counters.get(PCounters.RUNS) != runs) {
                        p.counters.inc(PCounters.RUNNEXT_SPARED);
                        sparedRunnext = true;
                        continue;
                    }
                    g = p.runq.stealFrom(victim.runq, policy, true);
                    if (g != null && p.runq.lastStealTookRunnext) {
                        p.counters.inc(PCounters.RUNNEXT_STEALS);
                    }
                }
                if (g != null) {
                    p.counters.inc(PCounters.STEALS);
                    p.counters.add(PCounters.STOLEN, p.runq.lastStealCount);
                    if (s.observing != 0) {
                        Tracing.steal(this, p, v, p.runq.lastStealCount, g);
                    }
                    return g;
                }
            }
            if (!s.global.isEmpty()) {
                return null; // let findRunnable take it on its next pass
            }
        }
        return null;
    }

    /** Rounds a steal policy may ask for; Go makes 4, and more than this is surely a bug. */
    static final int MAX_STEAL_ROUNDS = 64;

    /**
     * A running victim is about to schedule its runnext goroutine (typically the partner of a
     * ping-pong pair, which is best kept on the same processor). Go waits ~3 µs before stealing it
     * — a little longer than a context switch — and so do we.
     */
    private static void backOffBeforeRunnext() {
        long until = System.nanoTime() + Scheduler.RUNNEXT_STEAL_BACKOFF_NANOS;
        while (System.nanoTime() - until < 0) {
            Thread.onSpinWait();
        }
    }

    /**
     * Nothing anywhere: the processor goes on the idle set ({@link Idle#release}, which re-checks
     * for work it must not sleep through), then this carrier waits, as the timekeeper or until
     * woken ({@link Timers#idleWait}), and takes its processor back if nobody else did. Returns null
     * to make the caller loop again.
     */
    private G goIdle() {
        if (!s.idle.release(this)) {
            return null; // work turned up, or the scheduler is stopping
        }
        lingerNaps = 0;
        if (wokenToSpin) {
            wokenToSpin = false;
            p.counters.inc(PCounters.FUTILE_WAKEUPS); // ours: only its own carrier touches an idle processor
        }
        if (s.observing != 0) {
            Tracing.carrierPark(this, p, false);
        }
        s.timers.idleWait(this);
        if (s.observing != 0) {
            Tracing.carrierWake(this, p);
        }
        p.counters.inc(PCounters.WAKEUPS);
        s.idle.wokeUp(this); // our processor back, or, if wakep took it, the spinning role it handed us
        wokenToSpin = spinning;
        Netpoll np = s.netpoll;
        if (np != null) {
            np.dispatchHeld(this, p); // what our blocking poll readied, now that we hold the processor
        }
        return null;
    }

    /**
     * A carrier without a processor: wait as a spare until sysmon hands one over ({@link #p} set
     * before our wake-up), or the scheduler stops, or it has waited {@code spareKeepAlive} without
     * being needed: then it retires ({@link Carriers#retireSpare}) and its thread ends, so a burst
     * of blocking calls does not leave its carriers behind for good. True if we hold a processor now.
     */
    boolean awaitHandOff() {
        s.carriers.addSpare(this);
        if (s.observing != 0) {
            Tracing.carrierPark(this, null, true);
        }
        long keepAlive = s.config.spareKeepAliveNanos;
        long until = System.nanoTime() + keepAlive;
        while (heldAcquire() == null && !life.stopping) {
            parkCarrier(until);
            if (heldAcquire() == null && !life.stopping && until - System.nanoTime() <= 0) {
                if (s.carriers.retireSpare(this)) {
                    return false;
                }
                until = System.nanoTime() + keepAlive; // it was just being handed a processor
            }
        }
        P held = heldAcquire();
        if (s.observing != 0) {
            Tracing.carrierWake(this, held);
        }
        return held != null;
    }

    /**
     * Parks this thread until {@link #wake} or until {@code deadline} (System.nanoTime, MAX_VALUE = none).
     * A carrier is not interruptible: an interrupt (of the thread, by anyone) is cleared before each
     * park, since {@code LockSupport.park} returns at once while the flag is set and this loop would
     * spin at full speed.
     */
    void parkCarrier(long deadline) {
        while (!notified && !life.stopping) {
            Thread.interrupted();
            if (deadline == Long.MAX_VALUE) {
                LockSupport.park(this);
            } else {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    break;
                }
                LockSupport.parkNanos(this, remaining);
            }
        }
        notified = false;
    }

    /**
     * Wakes this carrier from {@link #parkCarrier}, or from its blocking network poll
     * ({@link Netpoll#awaitAsPoller}). Any thread. The write of {@link #notified} and then the
     * read of {@link Netpoll#blockedIn} pair with the poller's write of {@code blockedIn} and then
     * read of {@code notified} ({@link Netpoll#blockIn}): either the poller skips its select, or
     * this breaks it. Returns true if it found this carrier blocked in the selector and broke its
     * poll (the jcstress test {@code PollerWakeRacingBlockedPollIsNeverLost} reads it; callers need not).
     */
    boolean wake() {
        notified = true;
        Netpoll np = s.netpoll;
        boolean inPoll = np != null && np.blockedIn == this;
        if (inPoll) {
            np.breakPoll();
        }
        LockSupport.unpark(this);
        return inPoll;
    }

    // ------------------------------------------------------------------ StealPolicy.Victims

    /** Owner: the processors the current steal pass looks at ({@link Idle#stealRange}), fixed for the pass. */
    private int victimCount = 1;

    @Override
    public int count() {
        return victimCount;
    }

    @Override
    public int queueLength(int proc) {
        return s.ps[proc].runq.size();
    }

    @Override
    public int nextInt(int bound) {
        int x = seed;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        seed = x;
        return (x & Integer.MAX_VALUE) % bound;
    }
}
