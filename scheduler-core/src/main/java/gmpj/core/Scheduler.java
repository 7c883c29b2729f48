package gmpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A Go-style M:N scheduler: goroutines ({@link #go}, {@link #submit}) run on {@code procs}
 * processors, each held by one carrier platform thread.
 *
 * <pre>{@code
 * try (Scheduler s = Scheduler.builder().procs(4).build()) {
 *     Task<Integer> t = s.submit(() -> 6 * 7);
 *     s.go(() -> System.out.println("hello from goroutine " + Gmp.goid()));
 *     System.out.println(t.join());
 * }
 * }</pre>
 *
 * <p>See {@link gmpj.core the package overview} for the model. A scheduler starts its carriers when
 * it is built; an idle scheduler's carriers are parked and use no CPU. {@link #close()} waits for
 * every goroutine to finish (bounded by {@link Builder#closeTimeout}), then stops the carriers.
 * {@link #setProcs} changes the number of processors while it runs (Go's {@code GOMAXPROCS}).
 *
 * <h2>Thread safety</h2>
 * Every method may be called from any thread and from any goroutine, of this scheduler or another,
 * at the same time: spawning, stats, dumps, traces, resizing and shutting down all take care of
 * their own synchronization. The {@link Builder} is not thread-safe: build a scheduler from one
 * thread.
 *
 * <h2>Goroutines and plain threads</h2>
 * Spawning from a goroutine of this scheduler puts the new goroutine in its processor's
 * {@code runnext} slot (it runs next there, or is stolen); from anywhere else it goes to the
 * global queue and an idle carrier is woken. {@link Task#join()} parks a goroutine and blocks a
 * plain thread. {@link #close()} and {@link #awaitTermination} block the calling thread: called
 * from a goroutine of another scheduler they block its carrier, so wrap them in
 * {@link Gmp#blocking}; from one of this scheduler's own goroutines they are refused, since they
 * would wait for themselves. A goroutine that waits for a resize in progress ({@link #setProcs})
 * parks. The other methods do not wait.
 */
public final class Scheduler implements AutoCloseable {
    /**
     * Consecutive picks allowed from runnext before the ring gets a turn. A pair of goroutines
     * readying each other would otherwise keep the processor forever; Tokio bounds its LIFO slot
     * the same way (3 polls per tick).
     */
    static final int MAX_RUNNEXT_STREAK = 3;
    /** How long a thief waits before taking a running victim's runnext: Go's 3 µs. */
    static final long RUNNEXT_STEAL_BACKOFF_NANOS = 3_000;
    /**
     * A spinning carrier's nap while it lingers for a switching processor's runnext goroutine
     * ({@link M}'s findRunnable). The operating system's timer slack (50 µs by default on Linux)
     * comes on top; work readied meanwhile waits at most this long.
     */
    static final long LINGER_NAP_NANOS = 20_000;
    /** Naps a spinning carrier lingers in a row before it goes idle: about a millisecond with the timer slack. */
    static final int MAX_LINGER_NAPS = 16;
    /** Goroutine ids a processor (or a thread spawning from outside) reserves at once (Go's goidcache batch is 16). */
    static final long ID_BATCH = 16;

    private static final AtomicInteger SCHEDULER_SEQ = new AtomicInteger();
    /**
     * Every scheduler built in this JVM, for the deadlock detector (a scheduler whose goroutines
     * are all parked does not call it a deadlock while another one may still wake them) and for
     * {@link #dumpAll()}. Weak, so a closed scheduler is forgotten once collected (a running one is
     * reachable from its carriers). Synchronized on itself; read as a copy ({@link #all()}).
     */
    private static final Set<Scheduler> SCHEDULERS = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    // ------------------------------------------------------------------ configuration (immutable)
    final Config config;
    /**
     * The processors in use (Go's GOMAXPROCS): the first {@code procs} of {@link #ps}. Starts at
     * {@link Config#procs}; {@link #setProcs} changes it, writing it only under the idle lock
     * ({@link Idle#resize}), so decisions taken under that lock see it settled. Read, volatile, by a
     * carrier before each search for work (a processor at or beyond it retires) and by the sizes of
     * global-queue takes.
     */
    volatile int procs;
    /**
     * The most processors ever in use at once ({@link #ps}'s prefix that stats and traces show).
     * Written by {@link Idle#resize} under the idle lock, before {@link #procs}: a reader that sees
     * the new count sees this too.
     */
    volatile int procsHighWater;
    /**
     * Serializes {@link #setProcs} calls: one resize (with its carrier starts) at a time. A caller
     * that finds it taken parks ({@link Parking}), so a goroutine waiting here frees its carrier
     * (a monitor would block the carrier thread, and sysmon would take that for a stuck call).
     * The flag is the lock; a waiter lists itself and then reads the flag again, the releaser
     * clears the flag and then reads the list (all volatile), so either the waiter sees the lock
     * free and retries, or the releaser sees the waiter and wakes it.
     */
    private final AtomicBoolean resizing = new AtomicBoolean();
    private final java.util.concurrent.ConcurrentLinkedQueue<Waiter> resizeWaiters = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** {@link Config#checkMonitors}, read on every park. */
    final boolean checkMonitors;
    /**
     * The steal policy in use: the builder's, until it fails ({@link #stealPolicyFailed}), then
     * Go's. Volatile: replaced by whichever carrier sees the failure, read by every steal.
     */
    volatile StealPolicy stealPolicy;

    // ------------------------------------------------------------------ the machine (Go's schedt)
    final P[] ps;
    final GlobalRunQueue global;
    final Idle idle;
    final Timers timers;
    final Carriers carriers;
    final Lifecycle lifecycle;
    final Diagnostics diag;
    final Deadlocks deadlocks;
    final Sysmon sysmon;
    /**
     * The network poller, created by the first {@link PollDesc#open} ({@link #netpoll()}); null
     * until then, so a scheduler that never waits on a socket has no selector and its run loop
     * reads one null field where it would poll.
     */
    volatile Netpoll netpoll;

    // ------------------------------------------------------------------ goroutines and counters not owned by a P
    /** The next goroutine id not yet reserved; processors and outside threads reserve {@link #ID_BATCH} at a time. */
    private final PaddedCounter ids = new PaddedCounter(1);
    /** Per plain thread spawning from outside: {next id, end of its reserved batch}; never used from goroutine code. */
    private final ThreadLocal<long[]> externalIds = ThreadLocal.withInitial(() -> new long[2]);
    /** Goroutines spawned from outside any processor. Counted before the shutdown check, see {@link Lifecycle}. */
    private final StripedCounter externalSpawns;
    /** Goroutines spawned from outside any processor, for dumps: one registry per stripe of {@link #externalSpawns}, each under its lock. */
    private final GRegistry[] externalGs;
    private final SpinLock[] externalGsLocks;
    final LongAdder externalReadies = new LongAdder();
    /** Preempt flags set by sysmon. */
    final LongAdder preemptRequests = new LongAdder();
    /** Goroutines inside {@link Gmp#blocking} right now. */
    final PaddedCounter blockingInFlight = new PaddedCounter(0);
    /** Goroutines that finished on a carrier that had lost its processor. */
    final LongAdder orphanExits = new LongAdder();

    /** Receives exceptions that escape a goroutine started with {@link #go}. */
    @FunctionalInterface
    public interface UncaughtExceptionHandler {
        /**
         * Called on the goroutine itself, after its code threw. An exception thrown from here is
         * printed and dropped; it never reaches the carrier.
         *
         * @param goroutineId   the id of the goroutine that threw
         * @param goroutineName its name, or null if it was started without one
         * @param error         what it threw
         */
        void uncaughtException(long goroutineId, String goroutineName, Throwable error);
    }

    /**
     * Which observers are on ({@link Tracing}'s bits): every observation point of the runtime reads
     * this first and does nothing more while it is 0. Volatile: turning an observer on or off is
     * seen by every carrier at its next point.
     */
    volatile int observing;
    /** The trace or flight recorder recording now, or null. Written under {@link #traceLock}. */
    volatile Tracer tracer;
    /** The latency histograms, from the first time recording was turned on; else null. Written under {@link #traceLock}. */
    volatile Latency latency;
    private final Object traceLock = new Object();

    /** Builds the machine; starts its carriers and sysmon only if {@code start}. */
    private Scheduler(Config c, boolean start) {
        this(c, start, null);
    }

    /**
     * A {@link Synctest} bubble's scheduler: no carriers and no sysmon; its goroutines are driven
     * by the calling thread under {@code schedule} ({@link Bubble}).
     */
    static Scheduler bubble(String name, Schedule schedule, int procs) {
        Continuations.check();
        return new Scheduler(builder().procs(procs).maxProcs(procs).name(name).deadlockPolicy(DeadlockPolicy.IGNORE).config(), false,
                schedule);
    }

    /**
     * The {@link Synctest} bubble this scheduler is, or null (every other scheduler). Its spawns and
     * readies, checkpoints and blocking calls go to the bubble's driver, and its clock is virtual.
     */
    final Bubble bubble;

    /** What a bubble's scheduler does not do: its life is its goroutines', and nobody else drives it. */
    private void rejectInBubble(String what) {
        if (bubble != null) {
            throw new UnsupportedOperationException(what + " on Synctest bubble " + config.name + ": a bubble ends when its "
                    + "goroutines do, and runs on one thread without carriers to trace or time");
        }
    }

    /** A goroutine id for a bubble, whose ids come one at a time from the driver thread. */
    long nextBubbleId() {
        return ids.getAndAdd(1);
    }

    private Scheduler(Config c, boolean start, Schedule bubbleSchedule) {
        this.config = c;
        this.procs = c.procs;
        this.procsHighWater = c.procs;
        this.global = new GlobalRunQueue(c.maxProcs);
        this.checkMonitors = c.checkMonitors;
        this.stealPolicy = c.stealPolicy;
        this.ps = new P[c.maxProcs];
        ProcMask withTimers = new ProcMask(c.maxProcs);
        for (int i = 0; i < ps.length; i++) {
            ps[i] = new P(i, c.runQueueCapacity, withTimers);
        }
        this.externalSpawns = new StripedCounter(procs);
        this.externalGs = new GRegistry[externalSpawns.mask() + 1];
        this.externalGsLocks = new SpinLock[externalGs.length];
        for (int i = 0; i < externalGs.length; i++) {
            externalGs[i] = new GRegistry();
            externalGsLocks[i] = new SpinLock();
        }
        this.idle = new Idle(this, c.procs, c.maxProcs);
        this.timers = new Timers(this, ps, withTimers, Timers.PARK);
        this.carriers = new Carriers(this, c);
        this.lifecycle = new Lifecycle(this, c);
        this.diag = new Diagnostics(this, c);
        this.deadlocks = new Deadlocks(this, c);
        for (P p : ps) {
            if (p.id < c.procs) {
                carriers.create(p);
            } else {
                p.retire(); // out of use until setProcs brings it in
            }
        }
        this.sysmon = new Sysmon(this, c.name + "-sysmon", c.timeSliceNanos, c.schedtraceNanos, c.deadlockGraceNanos);
        this.bubble = bubbleSchedule == null ? null : new Bubble(this, bubbleSchedule, procs);
        if (c.flightWindowNanos > 0) {
            tracer = new Tracer(this, c.flightWindowNanos, Tracer.DEFAULT_MAX_BYTES);
            observing = Tracing.TRACE;
        }
        if (c.latencyHistograms) {
            latency = new Latency(ps.length);
            latency.enabledAt = System.nanoTime();
            observing |= Tracing.LATENCY;
        }
        if (!start) {
            return; // tests that drive the protocols by hand: no threads, and not among SCHEDULERS
        }
        List<Thread> started = new ArrayList<>();
        try {
            carriers.startAll(started);
            c.threadStarter.accept(sysmon);
        } catch (RuntimeException | Error e) {
            // Could not start them all (the native thread limit): stop those that run, and say so.
            lifecycle.stopping = true;
            carriers.wakeAll();
            throw new IllegalStateException("scheduler " + c.name + " could not start its threads (" + started.size()
                    + " of " + (c.procs + 1) + " started): " + e, e);
        }
        SCHEDULERS.add(this);
        Tracing.attachJfr(this);
    }

    /** Every scheduler of this JVM not yet collected (a copy). */
    static Scheduler[] all() {
        return SCHEDULERS.toArray(new Scheduler[0]);
    }

    /**
     * A builder with Go's defaults: {@code procs} = available processors, Go's steal policy.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The scheduler's name (also the default prefix of its carrier threads).
     *
     * @return the scheduler's name
     */
    public String name() {
        return config.name;
    }

    /**
     * The number of processors in use, Go's GOMAXPROCS: at most this many goroutines run at once
     * (beyond the few that {@link SchedulerStats#extraRunning()} counts). After a {@link #setProcs}
     * that removed processors, this is the new count at once, while a removed processor may still
     * be finishing its goroutine's turn ({@link SchedulerStats#retiringProcs()}).
     *
     * @return the number of processors
     */
    public int procs() {
        return procs;
    }

    /**
     * The most processors {@link #setProcs} may set: {@link Builder#maxProcs}.
     *
     * @return the bound on the number of processors
     */
    public int maxProcs() {
        return ps.length;
    }

    /**
     * Changes the number of processors of the running scheduler, Go's {@code runtime.GOMAXPROCS(n)}.
     * Callable from any thread, and from a goroutine of this scheduler (or another).
     *
     * <p><b>Growing</b> brings processors {@code procs()..procs-1} into use: each gets a carrier (a
     * spare one, or a new thread), which starts looking for work at once: the global queue, then
     * stealing from the busy processors. If a thread cannot be started now (the native thread
     * limit), the processor waits and sysmon retries, as for a carrier that died.
     *
     * <p><b>Shrinking</b> takes processors {@code procs..procs()-1} out of use. The count changes at
     * once (new decisions see it), but nothing is interrupted: an idle removed processor's carrier is
     * woken to let it go; a busy one lets it go at its next scheduling point (when its goroutine
     * yields, parks or ends, or sysmon hands the processor off), so a goroutine that never yields
     * keeps its processor until then ({@link SchedulerStats#retiringProcs()} counts those). Letting
     * go moves the processor's queued goroutines to the global queue; its timers stay in their heap
     * and are fired by the processors still in use (each one watches the heaps of the removed
     * processors whose index it equals modulo the new count); its carrier becomes a spare. No
     * goroutine, timer or wake-up is lost, whichever goroutine called this and on whichever
     * processor.
     *
     * <p>Counters of a removed processor stay in {@link #stats()} (as a retired processor's row),
     * so totals never go down. Calls are serialized; each returns once the new count is in force
     * and the added processors have their carriers (or are queued for one).
     *
     * @param procs the number of processors, between 1 and {@link #maxProcs()}
     * @return the number of processors before this call
     * @throws IllegalArgumentException      if {@code procs} is outside 1..{@link #maxProcs()}
     * @throws IllegalStateException         if the scheduler has stopped (terminated or closed)
     * @throws UnsupportedOperationException on a {@link Synctest} bubble, whose emulated processors
     *                                       are fixed by {@link Synctest#run(long, int, Runnable)}
     */
    public int setProcs(int procs) {
        if (bubble != null) {
            throw new UnsupportedOperationException("setProcs(" + procs + ") on Synctest bubble " + config.name
                    + ": a bubble's emulated processors are fixed; pass them to Synctest.run(seed, procs, body)");
        }
        if (procs < 1 || procs > ps.length) {
            throw new IllegalArgumentException("procs must be between 1 and maxProcs (" + ps.length + ", Builder.maxProcs), got "
                    + procs);
        }
        while (!resizing.compareAndSet(false, true)) {
            Waiter me = Parking.currentWaiter();
            resizeWaiters.add(me);
            if (resizing.get()) {
                Parking.park(WaitReason.SET_PROCS);
            }
            resizeWaiters.remove(me);
        }
        try {
            int old = this.procs;
            List<P> added = idle.resize(procs);
            if (added == null) {
                throw new IllegalStateException("scheduler " + config.name + " has stopped: setProcs(" + procs
                        + ") has no processors to change");
            }
            for (P p : added) {
                carriers.giveToNew(p);
            }
            if (old != procs) {
                if (observing != 0) {
                    Tracing.procsChanged(this, old, procs);
                }
                sysmon.wake();
            }
            return old;
        } finally {
            resizing.set(false);
            Waiter next = resizeWaiters.peek();
            if (next != null) {
                next.unpark();
            }
        }
    }
    /**
     * The steal policy in use: the builder's, or Go's once the builder's has failed (thrown, or
     * returned a victim or a count out of range; that is reported once through the diagnostics).
     *
     * @return the steal policy the processors use now
     */
    public StealPolicy stealPolicy() {
        return stealPolicy;
    }

    // ------------------------------------------------------------------ spawning

    /**
     * Starts a goroutine running {@code task}. From inside one of this scheduler's goroutines it
     * goes to the current processor's runnext slot (it runs next, on a warm cache); from anywhere
     * else, to the global queue. An exception it throws goes to the uncaught-exception handler.
     *
     * @param task the code the goroutine runs
     * @throws NullPointerException       if {@code task} is null
     * @throws RejectedExecutionException if the scheduler is shut down
     */
    public void go(Runnable task) {
        spawn(null, Objects.requireNonNull(task, "task must not be null"));
    }

    /**
     * Like {@link #go(Runnable)}, with a name shown in dumps and stack traces.
     *
     * @param name the goroutine's name, or null for none
     * @param task the code the goroutine runs
     */
    public void go(String name, Runnable task) {
        spawn(name, Objects.requireNonNull(task, "task must not be null"));
    }

    /**
     * Starts a goroutine computing {@code task} and returns its handle. An exception it throws is
     * kept in the handle and rethrown (wrapped) by {@link Task#join()}; it does not reach the
     * uncaught-exception handler.
     *
     * @param <T>  the type of the result
     * @param task the code the goroutine runs; its result completes the handle
     * @return the handle to join on or cancel
     * @throws NullPointerException       if {@code task} is null
     * @throws RejectedExecutionException if the scheduler is shut down
     */
    public <T> Task<T> submit(Callable<? extends T> task) {
        return submit(null, task);
    }

    /**
     * Like {@link #submit(Callable)}, with a name shown in dumps and stack traces.
     *
     * @param <T>  the type of the result
     * @param name the goroutine's name, or null for none
     * @param task the code the goroutine runs; its result completes the handle
     * @return the handle to join on or cancel
     */
    public <T> Task<T> submit(String name, Callable<? extends T> task) {
        GTask<T> t = new GTask<>(this, Objects.requireNonNull(task, "task must not be null"));
        spawn(name, t);
        return t;
    }

    /**
     * Like {@link #submit(Callable)} for a task without a result; {@code join()} returns null.
     *
     * @param task the code the goroutine runs
     * @return the handle to join on or cancel; its result is null
     */
    public Task<Void> submit(Runnable task) {
        Objects.requireNonNull(task, "task must not be null");
        return submit(null, () -> {
            task.run();
            return null;
        });
    }

    /** Creates and queues a goroutine; a {@link GTask} body learns its goroutine before it is published. */
    private void spawn(String name, Runnable body) {
        if (bubble != null) {
            bubble.spawn(name, body);
            return;
        }
        M m = currentCarrier();
        P p = m == null ? null : m.p;
        if (p != null && p.leaveG(m)) {
            // Inside one of our goroutines, on the processor it holds (taken back from goroutine
            // code for this runtime operation, so a hand-off cannot take it meanwhile).
            try {
                G g = new G(this, p.nextId(ids), name, body);
                if (body instanceof GTask<?> t) {
                    t.g = g;
                }
                p.counters.inc(PCounters.SPAWNS);
                p.allgs.add(g);
                if (observing != 0) {
                    Tracing.goCreate(this, m, p, g, Gmp.currentG(), name);
                }
                p.put(g, true, global);
            } finally {
                p.enterG(m);
            }
            idle.wakeIfIdle();
            return;
        }
        // From outside, or from a goroutine whose carrier has no processor to spare (in a blocking
        // call, or handed off): count first, then check shutdown (see Lifecycle). Our own
        // goroutines may go on spawning during shutdown: they are live, so no termination races.
        externalSpawns.add(1);
        if (lifecycle.shutdown && m == null) {
            externalSpawns.add(-1);
            lifecycle.maybeTerminate();
            throw new RejectedExecutionException("scheduler " + config.name + " is shut down: it accepts no new goroutines "
                    + "from outside; build a new Scheduler to run more work");
        }
        G g = new G(this, nextExternalId(), name, body);
        if (body instanceof GTask<?> t) {
            t.g = g;
        }
        int shard = StripedCounter.stripe(externalGs.length - 1);
        externalGsLocks[shard].lock();
        try {
            externalGs[shard].add(g);
        } finally {
            externalGsLocks[shard].unlock();
        }
        if (observing != 0) {
            Tracing.goCreate(this, m, null, g, m == null ? null : Gmp.currentG(), name);
        }
        global.put(g);
        idle.wakeIfIdle();
    }

    /**
     * A goroutine id for a spawn from outside any of our processors. A plain thread takes it from
     * its own reserved batch. Goroutine code (one of ours without a processor, or another
     * scheduler's) takes one from the shared counter: a {@code ThreadLocal} would be reached
     * through {@code Thread.currentThread()}, which compiled goroutine code may see stale after a
     * migration, and two goroutines on different carriers would then share one batch (duplicate ids).
     */
    private long nextExternalId() {
        if (Gmp.currentG() != null) {
            return ids.getAndAdd(1);
        }
        long[] batch = externalIds.get();
        if (batch[0] == batch[1]) {
            batch[0] = ids.getAndAdd(ID_BATCH);
            batch[1] = batch[0] + ID_BATCH;
        }
        return batch[0]++;
    }

    /** The carrier of this scheduler running the calling goroutine, or null outside our goroutines. */
    private M currentCarrier() {
        G g = Gmp.currentG();
        return g != null && g.scheduler == this ? g.m : null;
    }

    /** Visits every goroutine spawned and not yet dead (racy, see {@link GRegistry}). */
    void forEachLive(Consumer<G> action) {
        for (GRegistry r : externalGs) {
            r.forEachLive(action);
        }
        for (P p : ps) {
            p.allgs.forEachLive(action);
        }
    }

    // ------------------------------------------------------------------ readying

    /** Makes a goroutine that just became RUNNABLE (by unpark) run again. */
    void ready(G g) {
        if (bubble != null) {
            bubble.ready(g);
            return;
        }
        M m = currentCarrier();
        P p = m == null ? null : m.p;
        if (p != null && p.leaveG(m)) {
            try {
                p.counters.inc(PCounters.READIES);
                if (g.m != m) {
                    p.counters.inc(PCounters.CROSS_READIES); // it last ran on another carrier
                }
                if (observing != 0) {
                    Tracing.goReady(m, p, g, TraceEvent.ReadySource.GOROUTINE, Gmp.currentG());
                }
                p.put(g, true, global);
            } finally {
                p.enterG(m);
            }
            idle.wakeIfIdle();
        } else {
            if (observing != 0) {
                if (m != null) {
                    Tracing.goReady(m, null, g, TraceEvent.ReadySource.OUTSIDE, Gmp.currentG());
                } else {
                    Tracing.goReadyOutside(this, g);
                }
            }
            readyGlobal(g);
        }
    }

    /** Queues a RUNNABLE goroutine globally (from outside, or from a carrier without a processor). */
    void readyGlobal(G g) {
        if (deadlocks.report() != null) {
            deadlocks.cleared(); // somebody outside woke a goroutine: the deadlock is over
        }
        externalReadies.increment();
        global.put(g);
        idle.wakeIfIdle(); // its full fence also orders the put before the read of abandoning
        if (lifecycle.abandoning) {
            lifecycle.drainAbandon(); // the scheduler stopped: nobody will ever run it
        }
    }

    /**
     * A steal policy threw or returned something out of range ({@link M}'s steal checks it). The
     * first failure of a policy is reported, and the scheduler steals with Go's policy from then on
     * ({@link #stealPolicy()} says so).
     */
    void stealPolicyFailed(StealPolicy policy, Throwable t) {
        StealPolicy fallback = policy == StealPolicies.GO ? StealPolicies.NONE : StealPolicies.GO;
        if (!STEAL_POLICY.compareAndSet(this, policy, fallback)) {
            return; // replaced already, and reported then
        }
        String policyName;
        try {
            policyName = policy.name();
        } catch (RuntimeException e) {
            policyName = policy.getClass().getName();
        }
        diag.diagnose(System.Logger.Level.ERROR, "gmpj: steal policy '" + policyName + "' of scheduler " + config.name
                + " failed: " + t + "; the scheduler steals with the '" + fallback.name() + "' policy from now on");
    }

    private static final VarHandle STEAL_POLICY;

    static {
        try {
            STEAL_POLICY = MethodHandles.lookup().findVarHandle(Scheduler.class, "stealPolicy", StealPolicy.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A goroutine finished on a carrier that had lost its processor: count it, and see whether that was the last. */
    void orphanExited() {
        orphanExits.increment();
        if (lifecycle.shutdown) {
            lifecycle.maybeTerminate();
        }
    }

    // ------------------------------------------------------------------ shutdown (see Lifecycle)

    /**
     * {@code true} once {@link #shutdown()} (or close) was called.
     *
     * @return whether shutdown has begun
     */
    public boolean isShutdown() {
        return lifecycle.shutdown;
    }

    /**
     * {@code true} once every goroutine finished (or was abandoned) and the carriers were told to stop.
     *
     * @return whether the scheduler has terminated
     */
    public boolean isTerminated() {
        return lifecycle.isTerminated();
    }

    /**
     * Stops accepting goroutines from outside the scheduler. Goroutines already started run to
     * completion, and may still start new ones. Once none is left the carriers stop.
     */
    public void shutdown() {
        rejectInBubble("shutdown()");
        lifecycle.shutdown();
    }

    /**
     * Waits until the scheduler has terminated or {@code timeout} passed. Unlike every other wait
     * in gmpj this one is interruptible, as {@code ExecutorService.awaitTermination} is. A timeout
     * beyond {@link Parking#MAX_WAIT_NANOS} (about 73 years) is clamped; a negative one is zero.
     *
     * @param timeout the longest time to wait
     * @return {@code true} if it terminated
     * @throws NullPointerException     if {@code timeout} is null
     * @throws IllegalStateException    if called from one of this scheduler's goroutines
     * @throws InterruptedException     if the calling thread is interrupted while waiting
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        rejectInBubble("awaitTermination");
        Objects.requireNonNull(timeout, "timeout must not be null");
        return lifecycle.awaitTermination(timeout);
    }

    /**
     * Shuts down, waits up to the builder's {@code closeTimeout} (60 s by default) for every
     * goroutine to finish, then stops and joins the carrier threads. See {@link #close(Duration)}.
     *
     * @throws CloseTimeoutException if goroutines were still unfinished at the timeout (they are
     *                               abandoned: their tasks fail with a CancellationException)
     * @throws IllegalStateException if called from one of this scheduler's own goroutines
     */
    @Override
    public void close() {
        rejectInBubble("close()");
        close(config.closeTimeout);
    }

    /**
     * Like {@link #close()} with an explicit bound on the wait. Returns within {@code timeout} plus
     * the {@value Lifecycle#CARRIER_EXIT_GRACE_MILLIS} ms it gives stopped carriers to end (and the time to build
     * the exception, if it throws).
     *
     * <p>Not interruptible: an interrupt of the calling thread neither shortens the wait nor
     * abandons any goroutine, and the thread's interrupt flag is still set when this returns.
     *
     * <p>If goroutines are still unfinished at the timeout they are abandoned: queued and parked
     * ones will never run (their tasks fail with a CancellationException, {@link Task#isDone()}
     * becomes true, and primitives that hand values to one waiter skip them, see
     * {@link Waiter#isAbandoned()}). A goroutine still running on a carrier cannot be stopped
     * (JDK continuations cannot be preempted): its carrier ends when that goroutine next yields,
     * parks or returns.
     *
     * @param timeout the longest time to wait for goroutines to finish
     * @throws NullPointerException  if {@code timeout} is null
     * @throws CloseTimeoutException if goroutines were still unfinished at the timeout; its message
     *                               is short (counts and a few goroutines), its
     *                               {@link CloseTimeoutException#fullDump()} has every one
     * @throws IllegalStateException if called from one of this scheduler's goroutines
     */
    public void close(Duration timeout) {
        rejectInBubble("close(Duration)");
        Objects.requireNonNull(timeout, "timeout must not be null");
        lifecycle.close(timeout);
    }

    /**
     * Stops at once: carriers finish the goroutine they are running (up to its next yield or park),
     * queued and parked goroutines are abandoned (their tasks fail with a CancellationException),
     * and the carrier threads are joined, for up to the builder's {@code closeTimeout}. Not
     * interruptible (the flag is kept). Returns how many queued goroutines were abandoned.
     *
     * @return the number of queued goroutines abandoned
     * @throws IllegalStateException if a carrier did not end within {@code closeTimeout} (a
     *                               goroutine there never yields), or if called from one of this
     *                               scheduler's goroutines
     */
    public int shutdownNow() {
        rejectInBubble("shutdownNow()");
        return lifecycle.shutdownNow();
    }

    // ------------------------------------------------------------------ observability

    /**
     * Goroutines spawned and not yet finished. Exact only when the scheduler is quiet.
     *
     * @return the number of live goroutines
     */
    public long liveGoroutines() {
        long n = externalSpawns.sum() - orphanExits.sum();
        for (P p : ps) {
            n += p.counters.get(PCounters.SPAWNS) - p.counters.get(PCounters.EXITS);
        }
        return n;
    }

    /** Goroutines spawned from outside any processor so far. */
    long externalSpawns() {
        return externalSpawns.sum();
    }

    /**
     * Counts every goroutine run, every exit on a carrier without a processor and every wake-up
     * from outside: if it has not moved between two looks, nothing happened here in between.
     */
    long progress() {
        long n = orphanExits.sum() + externalReadies.sum();
        for (P p : ps) {
            n += p.counters.get(PCounters.RUNS);
        }
        return n;
    }

    /**
     * The network poller, created on first use.
     *
     * @throws IllegalStateException once the scheduler has stopped
     */
    Netpoll netpoll() {
        Netpoll np = netpoll;
        if (np != null) {
            return np;
        }
        synchronized (this) {
            if (lifecycle.stopping || lifecycle.abandoning) {
                throw new IllegalStateException("scheduler " + name() + " has terminated: it cannot watch sockets any more");
            }
            if ((np = netpoll) == null) {
                netpoll = np = new Netpoll(this);
            }
            return np;
        }
    }

    /** At termination or when a close gives up: closes every socket the scheduler owns, and its poller. */
    void closeNetpoll() {
        Netpoll np;
        synchronized (this) {
            np = netpoll;
        }
        if (np != null && !np.isClosed()) {
            np.closeAll();
        }
    }

    // ------------------------------------------------------------------ execution trace

    /** The least memory {@link #startTrace(long)} accepts: 1 MiB. */
    public static final long MIN_TRACE_BYTES = 1L << 20;

    /**
     * Starts recording an execution trace (Go's {@code runtime/trace.Start}): every goroutine
     * created, run, stopped (and why), readied (and by whom), every steal, global-queue take and
     * spill, timer, carrier spin, park and wake-up, hand-off, hog and deadlock report, with run-queue
     * lengths sampled by sysmon. {@link #stopTrace()} ends it and returns the {@link Trace}. Each
     * carrier writes its own preallocated buffers without locks; at most 256 MiB are kept, and what
     * comes past that is dropped and counted ({@link Trace#droppedEvents()}). Any thread.
     *
     * @throws IllegalStateException if a trace or the flight recorder is already recording
     */
    public void startTrace() {
        startTrace(Tracer.DEFAULT_MAX_BYTES);
    }

    /**
     * {@link #startTrace()} keeping at most {@code maxBytes} of events (32 bytes each).
     *
     * @param maxBytes the most bytes of events kept; the oldest go first past that
     * @throws IllegalArgumentException if {@code maxBytes} is below {@link #MIN_TRACE_BYTES}
     * @throws IllegalStateException    if a trace or the flight recorder is already recording
     */
    public void startTrace(long maxBytes) {
        rejectInBubble("startTrace");
        if (maxBytes < MIN_TRACE_BYTES) {
            throw new IllegalArgumentException("trace maxBytes must be at least " + MIN_TRACE_BYTES + " (1 MiB), got " + maxBytes);
        }
        synchronized (traceLock) {
            Tracer t = tracer;
            if (t != null) {
                throw new IllegalStateException(t.windowNanos > 0
                        ? "scheduler " + config.name + " runs a flight recorder: take its trace with flightRecording()"
                        : "scheduler " + config.name + " is already recording a trace: stopTrace() it first");
            }
            tracer = new Tracer(this, 0, maxBytes);
            observe(Tracing.TRACE, true);
        }
    }

    /**
     * Stops the trace {@link #startTrace()} began and returns it. Any thread.
     *
     * @return the recorded trace
     * @throws IllegalStateException if no trace is recording
     */
    public Trace stopTrace() {
        synchronized (traceLock) {
            Tracer t = tracer;
            if (t == null || t.windowNanos > 0) {
                throw new IllegalStateException("scheduler " + config.name + " is not recording a trace: call startTrace() first");
            }
            observe(Tracing.TRACE, false);
            tracer = null;
            t.stopGcWatch();
            return t.snapshot();
        }
    }

    /**
     * Whether a trace or the flight recorder is recording now.
     *
     * @return whether a trace or the flight recorder is recording
     */
    public boolean isTracing() {
        return tracer != null;
    }

    /**
     * The flight recorder's trace: its last window up to now. It keeps recording. Any thread.
     *
     * @return the flight recorder's last window
     * @throws IllegalStateException if the scheduler was built without {@link Builder#flightRecorder}
     */
    public Trace flightRecording() {
        Tracer t = tracer;
        if (t == null || t.windowNanos == 0) {
            throw new IllegalStateException("scheduler " + config.name + " has no flight recorder: build it with "
                    + "Builder.flightRecorder(window)");
        }
        return t.snapshot();
    }

    /**
     * Turns the schedule-latency and run-slice histograms on or off (see {@link SchedulerStats#scheduleLatency()}
     * and {@link SchedulerStats#runSlice()}). Any thread, at any time; off by default, or on from the
     * start with {@link Builder#latencyHistograms}.
     *
     * <p>While on, each goroutine switch reads the clock twice (when the goroutine is mounted and
     * when it comes off its carrier) and records two values, and each spawn, wake-up and requeue
     * stamps the goroutine: measured in {@code TraceBench}, 37 to 116 ns on a yield of 135 to
     * 164 ns and about 105 ns on a park-and-unpark of about 200 ns (docs/trace-overhead.md), which
     * is why recording is off unless asked for. The histograms take about 250 KB per
     * processor, allocated the first time recording is turned on, and accumulate from then on,
     * across offs and ons; turning recording off stops it at every carrier's next switch and keeps
     * what was recorded.
     *
     * <p>Schedule latency runs from the moment a goroutine became runnable (created, readied, woken
     * by its timer or the network poller, or requeued after a yield or preemption) to its mount on a
     * carrier; a goroutine that stays runnable longer than about 4.3 s shows a latency that much
     * shorter (the stamp keeps 32 bits of nanoseconds). A run slice runs from the mount to the
     * goroutine coming off its carrier (exit, yield, preemption or park). Goroutines made runnable
     * while recording was off are not counted when they run.
     *
     * @param on {@code true} to record, {@code false} to stop
     */
    public void recordLatency(boolean on) {
        rejectInBubble("recordLatency");
        synchronized (traceLock) {
            if (on == ((observing & Tracing.LATENCY) != 0)) {
                return;
            }
            if (on) {
                if (latency == null) {
                    latency = new Latency(ps.length);
                }
                latency.enabledAt = System.nanoTime(); // before the bit: stamps older than this are stale
            }
            observe(Tracing.LATENCY, on);
        }
    }

    /**
     * Whether the latency histograms are recording now ({@link #recordLatency}).
     *
     * @return whether the latency histograms are recording
     */
    public boolean isRecordingLatency() {
        return (observing & Tracing.LATENCY) != 0;
    }

    /**
     * How many live goroutines are runnable, running and waiting, and the waiting ones by
     * {@link WaitReason}: see {@link GoroutineCounts}. Walks every live goroutine, like
     * {@link #dump()} but without stacks; racy on a busy scheduler, exact on a quiet one. Any thread.
     *
     * @return the counts of live goroutines by state and wait reason
     */
    public GoroutineCounts goroutineCounts() {
        return GoroutineCounts.of(this);
    }

    /** Turns the observers of {@code bit} ({@link Tracing}'s bits) on or off. Any thread. */
    void observe(int bit, boolean on) {
        synchronized (traceLock) {
            observing = on ? observing | bit : observing & ~bit;
        }
    }

    /** Sysmon: when the flight recorder last wrote a recording (System.nanoTime), or 0. */
    private long lastFlightDump;

    /**
     * Sysmon, when it reports a hog or a deadlock: writes the flight recorder's window to
     * {@link Builder#flightRecorderDumps}, at most once per window, on a thread of its own (sysmon
     * must not wait for a disk). Does nothing without a flight recorder or a directory.
     */
    void flightDump(String cause) {
        Tracer t = tracer;
        java.nio.file.Path dir = config.flightDumps;
        long now = System.nanoTime();
        if (t == null || t.windowNanos == 0 || dir == null || (lastFlightDump != 0 && now - lastFlightDump < t.windowNanos)) {
            return;
        }
        lastFlightDump = now;
        Trace trace = t.snapshot();
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
                .format(java.time.LocalDateTime.now());
        String base = "gmpj-" + config.name.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + cause + "-" + stamp;
        Runnable write = () -> {
            try {
                java.nio.file.Files.createDirectories(dir);
                java.nio.file.Path json = dir.resolve(base + ".json");
                java.nio.file.Path html = dir.resolve(base + ".html");
                trace.writeJson(json);
                trace.writeHtml(html);
                diag.diagnose(System.Logger.Level.WARNING, "gmpj: scheduler " + config.name + ": flight recording of the last "
                        + t.windowNanos / 1_000_000 + " ms before the " + cause + " written to " + json + " and " + html);
            } catch (java.io.IOException | RuntimeException e) {
                diag.diagnose(System.Logger.Level.WARNING, "gmpj: scheduler " + config.name + ": could not write the flight "
                        + "recording of the " + cause + " to " + dir + ": " + e);
            }
        };
        try {
            Thread.ofPlatform().daemon().name(config.name + "-flight-dump").start(write);
        } catch (RuntimeException | OutOfMemoryError e) {
            diag.diagnose(System.Logger.Level.WARNING, "gmpj: scheduler " + config.name + ": no thread to write the flight "
                    + "recording of the " + cause + ": " + e);
        }
    }

    /**
     * A snapshot of the scheduler's counters, per processor and in total.
     *
     * @return the counters, taken now
     */
    public SchedulerStats stats() {
        return diag.stats();
    }

    /**
     * Every live goroutine: id, name, state, wait reason, time waiting, and stack. Taken while the
     * scheduler runs, so it is a best-effort picture (a goroutine may change state while it is
     * read); on a quiet scheduler it is exact.
     *
     * @return one entry per live goroutine
     */
    public List<GoroutineInfo> goroutines() {
        return diag.goroutines();
    }

    /**
     * Go's goroutine dump: one block per live goroutine, header then frames, in id order.
     * <pre>
     * goroutine 18 "worker" [sync.Mutex.Lock, 1502 ms]:
     * 	at gmpj.core.Parking.park(Parking.java:58)
     * 	at app.Worker.run(Worker.java:12)
     * </pre>
     *
     * @return the dump text
     */
    public String dump() {
        return diag.dump();
    }

    /**
     * Every running scheduler of this JVM with its {@link #stats()} and {@link #dump()}, like the dump
     * Go prints on SIGQUIT: for a process that hangs, where goroutines parked on one scheduler may
     * be waiting for another. Schedulers that have terminated are left out. Racy like {@link #dump()}.
     *
     * @return the stats and dumps of every running scheduler
     */
    public static String dumpAll() {
        StringBuilder sb = new StringBuilder();
        for (Scheduler x : all()) {
            if (!x.isTerminated()) {
                sb.append("scheduler \"").append(x.name()).append("\" (procs ").append(x.procs).append("):\n")
                        .append(x.stats()).append('\n').append(x.dump()).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * The carrier threads' states, in start order: for tests and tools that watch idleness.
     *
     * @return one state per carrier thread
     */
    public List<Thread.State> carrierStates() {
        List<Thread.State> states = new ArrayList<>(procs);
        for (M m : carriers.all()) {
            states.add(m.getState());
        }
        return states;
    }

    @Override
    public String toString() {
        return "Scheduler[" + config.name + ", procs=" + procs + ", " + stealPolicy.name()
                + (isTerminated() ? ", terminated" : isShutdown() ? ", shut down" : "") + "]";
    }

    // ------------------------------------------------------------------ builder

    /**
     * Configures and builds a {@link Scheduler}. Every setter checks its argument at once and throws
     * with a message naming the parameter, the value and the limit; {@link #build()} checks the
     * combinations. Durations beyond {@link Parking#MAX_WAIT_NANOS} (about 73 years) are clamped to
     * it: they never end in practice, and clamping keeps the nanosecond arithmetic from overflowing.
     */
    public static final class Builder {
        /**
         * The largest {@link #runQueueCapacity}: 65,536 slots. Each processor allocates its ring up
         * front (4 or 8 bytes a slot, so 256 or 512 KiB at this size), and a larger ring buys
         * nothing: goroutines that do not fit go to the global queue, which is unbounded. Go uses 256.
         */
        public static final int MAX_RUN_QUEUE_CAPACITY = 1 << 16;
        /** The most processors a scheduler may have ({@link #procs}, {@link #maxProcs}, {@link Scheduler#setProcs}). */
        public static final int MAX_PROCS = 4096;
        /**
         * The largest {@link #carrierStackSize}: 1 GiB, the most HotSpot accepts for a thread's
         * stack ({@code -Xss}); recursion that needs more is a bug, not a configuration.
         */
        public static final long MAX_CARRIER_STACK_SIZE = 1L << 30;
        private static final Duration MAX_WAIT = Duration.ofNanos(Parking.MAX_WAIT_NANOS);

        private int procs = Runtime.getRuntime().availableProcessors();
        /** 0: not set; the default is {@code procs}, or the available processors if that is more. */
        private int maxProcs;
        private StealPolicy stealPolicy = StealPolicy.go();
        private String name;
        private String threadNamePrefix;
        private UncaughtExceptionHandler handler = Diagnostics::printUncaught;
        private int runQueueCapacity = LocalRunQueue.DEFAULT_CAPACITY;
        private long carrierStackSize;
        private boolean daemon = true;
        private Duration closeTimeout = Duration.ofSeconds(60);
        private Duration timeSlice = Duration.ofMillis(10);
        private Duration schedtrace;
        private boolean scheddetail;
        private java.util.function.Consumer<String> diagnostics;
        private DeadlockPolicy deadlockPolicy = DeadlockPolicy.REPORT;
        private Duration deadlockGrace = Duration.ofSeconds(1);
        private boolean pinCarriers;
        private HogPolicy hogPolicy = HogPolicy.HAND_OFF;
        private boolean checkMonitors;
        private int maxThreads = 1024;
        /** Whether {@link #maxThreads} was set; the default grows with {@code procs}. */
        private boolean maxThreadsSet;
        private Duration flightRecorder;
        private java.nio.file.Path flightRecorderDumps;
        private boolean latencyHistograms;
        private Duration spareKeepAlive = Duration.ofSeconds(60);
        private java.util.function.Consumer<Thread> threadStarter = Thread::start;

        private Builder() {}

        /** {@code d}, or {@link Parking#MAX_WAIT_NANOS} if it is longer. */
        private static Duration clampWait(Duration d) {
            return d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d;
        }

        /**
         * How long a spare carrier (one left without a processor after a hand-off) waits to be
         * needed again before its thread ends; default 60 s. A burst of blocking calls or pinned
         * parks starts carriers; they are kept this long for the next burst, then retired.
         *
         * @param keepAlive how long an idle spare carrier lives
         * @return this builder
         */
        public Builder spareKeepAlive(Duration keepAlive) {
            Objects.requireNonNull(keepAlive, "spare keep-alive must not be null");
            if (keepAlive.isNegative() || keepAlive.isZero()) {
                throw new IllegalArgumentException("spare keep-alive must be positive, got " + keepAlive);
            }
            this.spareKeepAlive = keepAlive;
            return this;
        }

        /** Tests only: how carrier threads are started (to make a start fail as the native thread limit would). */
        Builder threadStarter(java.util.function.Consumer<Thread> starter) {
            this.threadStarter = Objects.requireNonNull(starter);
            return this;
        }

        /**
         * The most carrier threads the scheduler may have (Go's {@code SetMaxThreads}); default
         * 1024, or {@code procs} if that is more. Beyond {@code procs} they are started only to take
         * over the processor of a carrier stuck in a blocking call or a goroutine that never yields.
         * Must be at least {@code procs} (every processor needs a carrier): {@link #build()} checks it.
         *
         * @param max the most carrier threads
         * @return this builder
         */
        public Builder maxThreads(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxThreads must be >= 1, got " + max);
            }
            this.maxThreads = max;
            this.maxThreadsSet = true;
            return this;
        }

        /**
         * Runs a flight recorder from the start: the execution trace of the last {@code window} is
         * kept in memory (at most {@value Tracer#DEFAULT_MAX_BYTES} bytes of it; the oldest part goes
         * first past that), and {@link Scheduler#flightRecording()} takes it at any moment, for
         * instance when something went wrong. Costs what a running {@link Scheduler#startTrace()}
         * costs; off by default.
         *
         * @param window how much recent history the recorder keeps
         * @return this builder
         * @throws IllegalArgumentException if {@code window} is zero, negative or over {@value #MAX_FLIGHT_WINDOW_MINUTES} minutes
         */
        public Builder flightRecorder(Duration window) {
            Objects.requireNonNull(window, "flight recorder window must not be null");
            if (window.isNegative() || window.isZero() || window.compareTo(Duration.ofMinutes(MAX_FLIGHT_WINDOW_MINUTES)) > 0) {
                throw new IllegalArgumentException("flight recorder window must be positive and at most "
                        + MAX_FLIGHT_WINDOW_MINUTES + " minutes, got " + window);
            }
            this.flightRecorder = window;
            return this;
        }

        /**
         * Records schedule-latency and run-slice histograms from the start: {@link Scheduler#recordLatency}
         * turned on before the first goroutine. Off by default: it costs two clock reads per goroutine
         * switch and two histogram records, a quarter to nearly all of a switch (see {@link Scheduler#recordLatency}).
         *
         * @param on {@code true} to record from the start
         * @return this builder
         */
        public Builder latencyHistograms(boolean on) {
            this.latencyHistograms = on;
            return this;
        }

        /** The longest window {@link #flightRecorder} keeps. */
        public static final int MAX_FLIGHT_WINDOW_MINUTES = 60;

        /**
         * Where the flight recorder writes its recording when sysmon reports a hog or the deadlock
         * detector a deadlock: a Chrome trace file ({@code .json}) and the timeline viewer
         * ({@code .html}), named after the scheduler, the cause and the time, at most once per
         * window. The diagnostics sink names the files. Needs {@link #flightRecorder}; the
         * directory is created if missing.
         *
         * @param directory where the trace files go
         * @return this builder
         */
        public Builder flightRecorderDumps(java.nio.file.Path directory) {
            this.flightRecorderDumps = Objects.requireNonNull(directory, "flight recorder dump directory must not be null");
            return this;
        }

        /**
         * How long a goroutine may keep its processor before sysmon asks it to yield (Go's 10 ms,
         * the default). The request is honoured at the goroutine's next {@link Gmp#checkpoint()},
         * {@link Gmp#yield()} or park. A slice beyond {@link Parking#MAX_WAIT_NANOS} (about 73 years)
         * is clamped to it, which in practice turns preemption and the hand-off of a goroutine that
         * never yields off.
         *
         * @param slice the time a goroutine may run before it is asked to yield
         * @return this builder
         * @throws IllegalArgumentException if {@code slice} is zero or negative
         */
        public Builder timeSlice(Duration slice) {
            Objects.requireNonNull(slice, "time slice must not be null");
            if (slice.isNegative() || slice.isZero()) {
                throw new IllegalArgumentException("time slice must be positive, got " + slice);
            }
            this.timeSlice = clampWait(slice);
            return this;
        }

        /**
         * Emits a line like Go's {@code GODEBUG=schedtrace} every {@code period}:
         * {@code SCHED 1000ms: procs=2 idleprocs=0 threads=2 spinning=0 runqueue=0 gcount=3 extra=0 [3 5]},
         * to the diagnostics sink. Off by default. A period beyond {@link Parking#MAX_WAIT_NANOS}
         * (about 73 years) is clamped to it.
         *
         * @param period the time between two schedtrace lines
         * @return this builder
         * @throws IllegalArgumentException if {@code period} is zero or negative
         */
        public Builder schedtrace(Duration period) {
            Objects.requireNonNull(period, "schedtrace period must not be null");
            if (period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("schedtrace period must be positive, got " + period);
            }
            this.schedtrace = clampWait(period);
            return this;
        }

        /**
         * With {@link #schedtrace}, adds a line per processor, per carrier and per goroutine (Go's scheddetail).
         *
         * @param detail {@code true} for the detailed lines
         * @return this builder
         */
        public Builder scheddetail(boolean detail) {
            this.scheddetail = detail;
            return this;
        }

        /**
         * Where schedtrace lines, deadlock reports and other diagnostics go. Default: the
         * {@link System.Logger} named {@code gmpj.scheduler} (trace lines at INFO, problems at WARNING).
         *
         * @param sink receives each diagnostic line
         * @return this builder
         */
        public Builder diagnostics(java.util.function.Consumer<String> sink) {
            this.diagnostics = Objects.requireNonNull(sink, "diagnostics sink must not be null");
            return this;
        }

        /**
         * What to do when every goroutine is asleep; default {@link DeadlockPolicy#REPORT}.
         *
         * @param policy the action on a deadlock
         * @return this builder
         */
        public Builder deadlockPolicy(DeadlockPolicy policy) {
            this.deadlockPolicy = Objects.requireNonNull(policy, "deadlock policy must not be null");
            return this;
        }

        /**
         * How long everything must stay asleep before it counts as a deadlock; default 1 s. A grace
         * beyond {@link Parking#MAX_WAIT_NANOS} (about 73 years) is clamped to it, which in practice
         * is {@link DeadlockPolicy#IGNORE}.
         *
         * @param grace how long all goroutines must be asleep
         * @return this builder
         * @throws IllegalArgumentException if {@code grace} is negative
         */
        public Builder deadlockGrace(Duration grace) {
            Objects.requireNonNull(grace, "deadlock grace must not be null");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("deadlock grace must not be negative, got " + grace);
            }
            this.deadlockGrace = clampWait(grace);
            return this;
        }

        /**
         * Pins carrier {@code i} to the i-th CPU this process may run on (Linux, through the FFM
         * API; needs {@code --enable-native-access=ALL-UNNAMED}). Off by default. Where pinning is
         * not possible the scheduler says so once and carries on unpinned.
         *
         * @param pin {@code true} to pin each carrier to a CPU
         * @return this builder
         */
        public Builder pinCarriers(boolean pin) {
            this.pinCarriers = pin;
            return this;
        }

        /**
         * What sysmon does about a goroutine that keeps its processor for two time slices without
         * yielding while others wait: hand the processor to another carrier (the default,
         * {@link HogPolicy#HAND_OFF}), or only report it ({@link HogPolicy#REPORT_ONLY}), so that
         * no more goroutines ever run at once than {@code procs}.
         *
         * @param policy the action on a goroutine that hogs its processor
         * @return this builder
         */
        public Builder hogPolicy(HogPolicy policy) {
            this.hogPolicy = Objects.requireNonNull(policy, "hog policy must not be null; use HogPolicy.HAND_OFF for the default");
            return this;
        }

        /**
         * Makes parking inside {@code synchronized} safe, at a price; off by default.
         *
         * <p>On JDK 25 a goroutine that parks (a sleep, any {@code gmpj.sync} wait, a join, a
         * yield) while it holds a monitor is unmounted with the monitor still locked. Another
         * goroutine that tries to enter it blocks its carrier thread. Worse, a monitor that was
         * already inflated when the goroutine entered it (after any contention, {@code wait} or
         * {@code notify}) is recorded as owned by the carrier thread: other goroutines that this
         * carrier runs then enter it too, and the goroutine, resumed on another carrier, cannot
         * release it, so it stays locked for good.
         *
         * <p>With this check, every park and yield of a goroutine first asks the JVM whether the
         * goroutine holds a monitor. If it does, the goroutine keeps its carrier: a park blocks
         * the carrier thread until the goroutine is unparked or its deadline passes (its processor
         * goes to another carrier meanwhile, as for {@link Gmp#blocking}), and a yield returns at
         * once. Goroutines waiting to enter the monitor block their carriers, and sysmon hands
         * their processors on too, so each waiter costs a carrier thread, up to
         * {@link #maxThreads}. A goroutine that holds no monitor parks as usual.
         *
         * <p>The question is a JVM thread dump of the carrier with its locked monitors: a
         * safepoint that stops every thread of the JVM for tens of microseconds, on every park and
         * yield. Turn it on for code that parks inside {@code synchronized} and cannot be changed;
         * otherwise use {@code gmpj.sync.Mutex} in goroutines.
         *
         * @param check {@code true} to check for held monitors on every park and yield
         * @return this builder
         * @throws UnsupportedOperationException if {@code check} is true and this JVM cannot
         *         report the monitors a thread holds
         */
        public Builder checkMonitors(boolean check) {
            if (check && !CarrierProbe.monitorsObservable()) {
                throw new UnsupportedOperationException("checkMonitors(true) needs a JVM that reports the monitors a thread "
                        + "holds (ThreadMXBean.isObjectMonitorUsageSupported()), and this one does not");
            }
            this.checkMonitors = check;
            return this;
        }

        /**
         * Number of processors (Go's GOMAXPROCS) at start; default: available processors.
         * {@link Scheduler#setProcs} changes it later, up to {@link #maxProcs}.
         *
         * @param procs the number of processors
         * @return this builder
         */
        public Builder procs(int procs) {
            if (procs < 1 || procs > MAX_PROCS) {
                throw new IllegalArgumentException("procs must be between 1 and " + MAX_PROCS + ", got " + procs
                        + "; use the number of cores you want goroutines to run on in parallel");
            }
            this.procs = procs;
            return this;
        }

        /**
         * The most processors {@link Scheduler#setProcs} may set on the running scheduler; default:
         * {@code procs} or the available processors, whichever is more (and no more than an explicit
         * {@link #maxThreads}). The scheduler makes every per-processor structure this big once (a
         * run queue of {@link #runQueueCapacity} slots, a timer heap and counters per processor,
         * a few hundred bytes each plus the ring), so a bound far above what will be used costs
         * memory and a little time in the scans over processors, never a thread.
         *
         * @param maxProcs the most processors, between {@code procs} and 4096
         * @return this builder
         */
        public Builder maxProcs(int maxProcs) {
            if (maxProcs < 1 || maxProcs > MAX_PROCS) {
                throw new IllegalArgumentException("maxProcs must be between 1 and " + MAX_PROCS + ", got " + maxProcs);
            }
            this.maxProcs = maxProcs;
            return this;
        }

        /**
         * How idle processors steal work; default {@link StealPolicy#go()}.
         *
         * @param policy the steal policy
         * @return this builder
         */
        public Builder stealPolicy(StealPolicy policy) {
            this.stealPolicy = Objects.requireNonNull(policy, "steal policy must not be null; use StealPolicy.go() for Go's");
            return this;
        }

        /**
         * The scheduler's name; default {@code gmpj-N}.
         *
         * @param name the scheduler's name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name must not be null");
            return this;
        }

        /**
         * Prefix of carrier thread names, followed by the processor index; default {@code <name>-m}.
         *
         * @param prefix the start of each carrier thread's name
         * @return this builder
         */
        public Builder threadNamePrefix(String prefix) {
            this.threadNamePrefix = Objects.requireNonNull(prefix, "thread name prefix must not be null");
            return this;
        }

        /**
         * Receives exceptions escaping goroutines started with {@code go}; default prints them to stderr.
         *
         * @param handler receives each uncaught exception
         * @return this builder
         */
        public Builder uncaughtExceptionHandler(UncaughtExceptionHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler must not be null");
            return this;
        }

        /**
         * Slots of each processor's ring, a power of two from 2 to {@link #MAX_RUN_QUEUE_CAPACITY};
         * default 256 (Go's). Small values reach the overflow path.
         *
         * @param capacity the slots of each run queue
         * @return this builder
         */
        public Builder runQueueCapacity(int capacity) {
            if (capacity < 2 || capacity > MAX_RUN_QUEUE_CAPACITY || Integer.bitCount(capacity) != 1) {
                throw new IllegalArgumentException("run queue capacity must be a power of two between 2 and "
                        + MAX_RUN_QUEUE_CAPACITY + " (Builder.MAX_RUN_QUEUE_CAPACITY), got " + capacity);
            }
            this.runQueueCapacity = capacity;
            return this;
        }

        /**
         * Stack size of carrier threads in bytes (0: the JVM default). A mounted goroutine runs on
         * its carrier's stack, so this bounds how deep a goroutine may recurse. At most
         * {@link #MAX_CARRIER_STACK_SIZE} (1 GiB).
         *
         * @param bytes the carrier stack size, or 0 for the JVM default
         * @return this builder
         */
        public Builder carrierStackSize(long bytes) {
            if (bytes < 0 || bytes > MAX_CARRIER_STACK_SIZE) {
                throw new IllegalArgumentException("carrier stack size must be between 0 (the JVM default) and "
                        + MAX_CARRIER_STACK_SIZE + " bytes (1 GiB, Builder.MAX_CARRIER_STACK_SIZE), got " + bytes);
            }
            this.carrierStackSize = bytes;
            return this;
        }

        /**
         * Whether carriers are daemon threads; default {@code true}, so that, as in Go, a program
         * ends when its main thread does, whatever goroutines remain.
         *
         * @param daemon {@code true} for daemon carriers
         * @return this builder
         */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /**
         * How long {@link Scheduler#close()} waits for goroutines to finish; default 60 s. A timeout
         * beyond {@link Parking#MAX_WAIT_NANOS} (about 73 years) is clamped to it: wait for ever, in
         * practice.
         *
         * @param timeout how long close waits
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is negative
         */
        public Builder closeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "close timeout must not be null");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("close timeout must not be negative, got " + timeout);
            }
            this.closeTimeout = clampWait(timeout);
            return this;
        }

        /**
         * Builds the scheduler and starts its carriers.
         *
         * @return the started scheduler
         * @throws IllegalArgumentException if {@link #maxThreads} was set below {@link #procs} or an explicit
         *                                  {@link #maxProcs}, or {@link #maxProcs} below {@link #procs}
         * @throws IllegalStateException    if the JVM lacks the flag that opens continuations (the message names it)
         */
        public Scheduler build() {
            if (flightRecorderDumps != null && flightRecorder == null) {
                throw new IllegalArgumentException("flightRecorderDumps(" + flightRecorderDumps + ") needs a flight recorder: "
                        + "call flightRecorder(window) too");
            }
            Continuations.check();
            return new Scheduler(config(), true);
        }

        /** What this builder decided, frozen. */
        Config config() {
            if (maxThreadsSet && maxThreads < procs) {
                throw new IllegalArgumentException("maxThreads (" + maxThreads + ") must be >= procs (" + procs
                        + "): every processor needs a carrier thread of its own; raise maxThreads or lower procs");
            }
            if (maxProcs != 0 && maxProcs < procs) {
                throw new IllegalArgumentException("maxProcs (" + maxProcs + ") must be >= procs (" + procs
                        + "): it bounds what setProcs may set later; raise maxProcs or lower procs");
            }
            if (maxProcs != 0 && maxThreadsSet && maxThreads < maxProcs) {
                throw new IllegalArgumentException("maxThreads (" + maxThreads + ") must be >= maxProcs (" + maxProcs
                        + "): every processor setProcs may add needs a carrier thread of its own; raise maxThreads or "
                        + "lower maxProcs");
            }
            int max = maxProcs;
            if (max == 0) {
                int available = Runtime.getRuntime().availableProcessors();
                max = Math.max(procs, maxThreadsSet ? Math.min(available, maxThreads) : available);
            }
            return new Config(name != null ? name : "gmpj-" + SCHEDULER_SEQ.incrementAndGet(), procs, max, stealPolicy, handler,
                    closeTimeout, pinCarriers, hogPolicy, checkMonitors, scheddetail, diagnostics, deadlockPolicy,
                    threadNamePrefix, carrierStackSize, daemon, maxThreads, spareKeepAlive, threadStarter, runQueueCapacity,
                    timeSlice, schedtrace, deadlockGrace, flightRecorder, flightRecorderDumps, latencyHistograms);
        }

        /**
         * Builds the scheduler without starting its carriers or sysmon, so that its idle set,
         * spinning count, queues and processors can be driven by hand from other threads, one step
         * at a time, as the jcstress tests of this package do. Nothing ever runs on it by itself.
         */
        Scheduler buildUnstarted() {
            Continuations.check();
            return new Scheduler(config(), false);
        }
    }
}
