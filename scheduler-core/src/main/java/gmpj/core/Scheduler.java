package gmpj.core;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

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
    /** Goroutine ids a processor reserves at once (Go's goidcache batch is 16). */
    static final long ID_BATCH = 16;

    private static final AtomicInteger SCHEDULER_SEQ = new AtomicInteger();
    /**
     * Every scheduler built in this JVM, for the deadlock detector: a scheduler whose goroutines
     * are all parked does not call it a deadlock while another one may still wake them. Weak, so a
     * closed scheduler is forgotten once collected (a running one is reachable from its carriers).
     * Synchronized on itself; read as a copy.
     */
    private static final Set<Scheduler> SCHEDULERS =
            java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));

    // ------------------------------------------------------------------ configuration (immutable)
    private final String name;
    final int procs;
    /**
     * The steal policy in use: the builder's, until it fails ({@link #stealPolicyFailed}), then
     * Go's. Volatile: replaced by whichever carrier sees the failure, read by every steal.
     */
    volatile StealPolicy stealPolicy;
    private final UncaughtExceptionHandler handler;
    private final Duration closeTimeout;
    /** Pin each carrier to a CPU (FFM {@code sched_setaffinity}). */
    final boolean pinCarriers;
    /** What sysmon does about a goroutine that never yields ({@link Builder#hogPolicy}). */
    final HogPolicy hogPolicy;
    /** Whether parks and yields look for monitors the goroutine holds ({@link Builder#checkMonitors}). */
    final boolean checkMonitors;
    private final boolean scheddetail;
    private final java.util.function.Consumer<String> diagnosticsSink;
    private final DeadlockPolicy deadlockPolicy;
    final Sysmon sysmon;

    // ------------------------------------------------------------------ the machine
    final P[] ps;
    /** Every carrier ever started, in start order; the first {@code procs} hold the processors at first. */
    private final java.util.concurrent.CopyOnWriteArrayList<M> ms = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Carriers without a processor, waiting for a hand-off. Guarded by {@link #schedLock}. */
    private final java.util.ArrayDeque<M> spares = new java.util.ArrayDeque<>();
    private final AtomicInteger nextMid = new AtomicInteger();
    private final String carrierPrefix;
    private final long carrierStackSize;
    private final boolean daemon;
    private final int maxThreads;
    /** How long a spare carrier waits for a processor before it retires (its thread ends). */
    final long spareKeepAliveNanos;
    /** Starts carrier threads; a seam for tests that make thread creation fail. */
    private final java.util.function.Consumer<Thread> threadStarter;
    /**
     * Processors whose carrier died and for which no new carrier could be started yet; sysmon
     * retries every round ({@link #adoptOrphans}). Guarded by {@link #schedLock}; the count is a
     * copy readable without it.
     */
    private final java.util.ArrayDeque<P> orphans = new java.util.ArrayDeque<>();
    volatile int orphanCount;
    private final AtomicLong carrierFailures = new AtomicLong();
    private final AtomicLong sparesRetired = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean threadStartReported = new java.util.concurrent.atomic.AtomicBoolean();
    /** Goroutines inside {@link Gmp#blocking} right now. */
    final AtomicInteger blockingInFlight = new AtomicInteger();
    /** Goroutines that finished on a carrier that had lost its processor. */
    final LongAdder orphanExits = new LongAdder();
    private final AtomicLong handoffs = new AtomicLong();
    private final AtomicLong hogs = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean monitorBlockReported = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean threadLimitReported = new java.util.concurrent.atomic.AtomicBoolean();
    final GlobalRunQueue global = new GlobalRunQueue();

    /** Carriers counted as spinning (looking for work to steal). Full-fence atomics. */
    final AtomicInteger nmspinning = new AtomicInteger();
    /** Guards the idle list ({@link #idleStack}, {@link #idleCount}) and the termination decision. */
    private final SpinLock schedLock = new SpinLock(); // not ReentrantLock: taken from goroutine code too, see SpinLock
    private final P[] idleStack;
    private int idleCount;
    /**
     * Number of idle processors: a copy of {@link #idleCount} written under {@link #schedLock},
     * read without it by submitters deciding whether to wake a carrier.
     */
    volatile int npidle;

    // ------------------------------------------------------------------ lifecycle
    /** No new goroutines from outside; set once by {@link #shutdown()}. */
    private volatile boolean shutdown;
    /** Carriers must leave their loops; set once, on termination or {@link #shutdownNow()}. */
    volatile boolean stopping;
    /** Every goroutine finished or was abandoned; set once. */
    private volatile boolean terminated;
    private final CountDownLatch terminatedLatch = new CountDownLatch(1);
    /** Threads (or goroutines of other schedulers) blocked in {@link Task#join()} on one of ours. */
    private final Set<Waiter> externalWaiters = ConcurrentHashMap.newKeySet();
    /** Goroutines spawned from outside any processor, for dumps; written under its own monitor. */
    private final GRegistry externalGs = new GRegistry();
    /**
     * Goroutines of this scheduler parked in {@link Task#join()} on a task of another scheduler: a
     * wait that the other scheduler ends. Added by the goroutine before it parks, so the deadlock
     * detector, which reads the goroutine's state first, sees the entry.
     */
    private final Set<G> foreignJoins = ConcurrentHashMap.newKeySet();

    // ------------------------------------------------------------------ counters not owned by a P
    private final AtomicLong ids = new AtomicLong(1);
    /** Goroutines spawned from outside any processor. Incremented before the shutdown check. */
    private final AtomicLong externalSpawns = new AtomicLong();
    private final LongAdder externalReadies = new LongAdder();
    /** Preempt flags set by sysmon. */
    final LongAdder preemptRequests = new LongAdder();
    private final AtomicLong deadlocks = new AtomicLong();
    /** The report of the deadlock in progress, for {@link DeadlockPolicy#FAIL_JOINERS}; else null. */
    private volatile String deadlockReport;
    private final java.util.concurrent.atomic.AtomicBoolean pinningReported = new java.util.concurrent.atomic.AtomicBoolean();
    private static final System.Logger LOG = System.getLogger("gmpj.scheduler");

    /** Receives exceptions that escape a goroutine started with {@link #go}. */
    @FunctionalInterface
    public interface UncaughtExceptionHandler {
        /**
         * Called on the goroutine itself, after its code threw. An exception thrown from here is
         * printed and dropped; it never reaches the carrier.
         */
        void uncaughtException(long goroutineId, String goroutineName, Throwable error);
    }

    /** Builds the machine; starts its carriers and sysmon only if {@code start}. */
    private Scheduler(Builder b, boolean start) {
        this.name = b.name != null ? b.name : "gmpj-" + SCHEDULER_SEQ.incrementAndGet();
        this.procs = b.procs;
        this.stealPolicy = b.stealPolicy;
        this.handler = b.handler;
        this.closeTimeout = b.closeTimeout;
        this.pinCarriers = b.pinCarriers;
        this.hogPolicy = b.hogPolicy;
        this.checkMonitors = b.checkMonitors;
        this.scheddetail = b.scheddetail;
        this.diagnosticsSink = b.diagnostics;
        this.deadlockPolicy = b.deadlockPolicy;
        this.carrierPrefix = b.threadNamePrefix != null ? b.threadNamePrefix : name + "-m";
        this.carrierStackSize = b.carrierStackSize;
        this.daemon = b.daemon;
        this.maxThreads = Math.max(b.maxThreads, procs);
        this.spareKeepAliveNanos = Parking.saturatedNanos(b.spareKeepAlive);
        this.threadStarter = b.threadStarter;
        this.ps = new P[procs];
        this.idleStack = new P[procs];
        for (int i = 0; i < procs; i++) {
            ps[i] = new P(i, b.runQueueCapacity);
        }
        for (int i = 0; i < procs; i++) {
            newCarrier(ps[i]);
        }
        this.sysmon = new Sysmon(this, name + "-sysmon", b.timeSlice.toNanos(),
                b.schedtrace == null ? 0 : b.schedtrace.toNanos(),
                b.deadlockPolicy == DeadlockPolicy.IGNORE ? 0 : Math.max(1, b.deadlockGrace.toNanos()));
        if (!start) {
            return; // tests that drive the protocols by hand: no threads, and not among SCHEDULERS
        }
        List<Thread> started = new ArrayList<>();
        try {
            for (M m : ms) {
                threadStarter.accept(m);
                started.add(m);
            }
            threadStarter.accept(sysmon);
        } catch (RuntimeException | Error e) {
            // Could not start them all (the native thread limit): stop those that run, and say so.
            stopping = true;
            for (M m : ms) {
                m.wake();
            }
            throw new IllegalStateException("scheduler " + name + " could not start its threads (" + started.size()
                    + " of " + (procs + 1) + " started): " + e, e);
        }
        SCHEDULERS.add(this);
    }

    /** Creates (does not start) a carrier holding {@code p}. */
    private M newCarrier(P p) {
        int mid = nextMid.getAndIncrement();
        M m = new M(this, mid, p, carrierPrefix + mid, carrierStackSize);
        m.setDaemon(daemon);
        p.hold(m);
        ms.add(m);
        return m;
    }

    /**
     * Starts a carrier without a processor, reserved for the caller, who then gives it one or lists
     * it as a spare. Returns null (reported once) if the thread cannot be started: nothing was
     * committed, so the caller just tries again later.
     */
    private M startReservedCarrier() {
        int mid = nextMid.getAndIncrement();
        M m = new M(this, mid, null, carrierPrefix + mid, carrierStackSize);
        m.setDaemon(daemon);
        m.reserved = true; // published to the new thread by Thread.start
        ms.add(m);
        try {
            threadStarter.accept(m);
            return m;
        } catch (RuntimeException | Error e) {
            ms.remove(m);
            if (threadStartReported.compareAndSet(false, true)) {
                diagnose(System.Logger.Level.ERROR, "gmpj: scheduler " + name + " could not start a carrier thread ("
                        + e + ") with " + ms.size() + " running; the processor stays where it is and the start is "
                        + "retried later. Lower the number of threads in this JVM, or the stack size (Builder.carrierStackSize)");
            }
            return null;
        }
    }

    /** A builder with Go's defaults: {@code procs} = available processors, Go's steal policy. */
    public static Builder builder() {
        return new Builder();
    }

    /** The scheduler's name (also the default prefix of its carrier threads). */
    public String name() {
        return name;
    }

    /** The number of processors, Go's GOMAXPROCS. */
    public int procs() {
        return procs;
    }

    /**
     * The steal policy in use: the builder's, or Go's once the builder's has failed (thrown, or
     * returned a victim or a count out of range; that is reported once through the diagnostics).
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
     * @throws NullPointerException       if {@code task} is null
     * @throws RejectedExecutionException if the scheduler is shut down
     */
    public void go(Runnable task) {
        spawn(null, Objects.requireNonNull(task, "task must not be null"));
    }

    /** Like {@link #go(Runnable)}, with a name shown in dumps and stack traces. */
    public void go(String name, Runnable task) {
        spawn(name, Objects.requireNonNull(task, "task must not be null"));
    }

    /**
     * Starts a goroutine computing {@code task} and returns its handle. An exception it throws is
     * kept in the handle and rethrown (wrapped) by {@link Task#join()}; it does not reach the
     * uncaught-exception handler.
     *
     * @throws NullPointerException       if {@code task} is null
     * @throws RejectedExecutionException if the scheduler is shut down
     */
    public <T> Task<T> submit(Callable<? extends T> task) {
        return submit(null, task);
    }

    /** Like {@link #submit(Callable)}, with a name shown in dumps and stack traces. */
    public <T> Task<T> submit(String name, Callable<? extends T> task) {
        GTask<T> t = new GTask<>(this, Objects.requireNonNull(task, "task must not be null"));
        spawn(name, t);
        return t;
    }

    /** Like {@link #submit(Callable)} for a task without a result; {@code join()} returns null. */
    public Task<Void> submit(Runnable task) {
        Objects.requireNonNull(task, "task must not be null");
        return submit(null, () -> {
            task.run();
            return null;
        });
    }

    /** Creates and queues a goroutine; a {@link GTask} body learns its goroutine before it is published. */
    private void spawn(String name, Runnable body) {
        M m = currentCarrier();
        P p = m == null ? null : m.p;
        if (p != null && p.lockForG(m)) {
            // Inside one of our goroutines, on the processor it holds (locked against a hand-off).
            try {
                G g = new G(this, p.nextId(this), name, body);
                if (body instanceof GTask<?> t) {
                    t.g = g;
                }
                p.counters.inc(PCounters.SPAWNS);
                p.allgs.add(g);
                p.put(g, true, global);
            } finally {
                p.unlockForG(m);
            }
            wakeIfIdle();
            return;
        }
        // From outside, or from a goroutine whose carrier has no processor to spare (in a blocking
        // call, or handed off). Count first, then check shutdown: the terminator sets shutdown
        // first, then counts. One of the two sees the other (both are full-fence atomics), so a
        // goroutine is either counted as live before termination is decided, or rejected here. Our
        // own goroutines may go on spawning during shutdown: they are live, so no termination races.
        externalSpawns.incrementAndGet();
        if (shutdown && m == null) {
            externalSpawns.decrementAndGet();
            maybeTerminate();
            throw new RejectedExecutionException("scheduler " + this.name + " is shut down: it accepts no new goroutines "
                    + "from outside; build a new Scheduler to run more work");
        }
        G g = new G(this, ids.getAndIncrement(), name, body);
        if (body instanceof GTask<?> t) {
            t.g = g;
        }
        synchronized (externalGs) {
            externalGs.add(g);
        }
        global.put(g);
        wakeIfIdle();
    }

    /** The nearest timer deadline over all processors, or Long.MAX_VALUE. Racy reads of each heap's copy. */
    long earliestTimer() {
        long min = Long.MAX_VALUE;
        for (P p : ps) {
            min = Math.min(min, p.timers.earliest());
        }
        return min;
    }

    /** Armed timers over all processors. */
    int timerCount() {
        int n = 0;
        for (P p : ps) {
            n += p.timers.size();
        }
        return n;
    }

    /** Reserves {@code n} consecutive goroutine ids; returns the first. */
    long reserveIds(long n) {
        return ids.getAndAdd(n);
    }

    /** The carrier of this scheduler running the calling goroutine, or null outside our goroutines. */
    private M currentCarrier() {
        G g = Gmp.currentG();
        return g != null && g.scheduler == this ? g.m : null;
    }

    // ------------------------------------------------------------------ readying and waking

    /** Makes a goroutine that just became RUNNABLE (by unpark) run again. */
    void ready(G g) {
        M m = currentCarrier();
        P p = m == null ? null : m.p;
        if (p != null && p.lockForG(m)) {
            try {
                p.counters.inc(PCounters.READIES);
                p.put(g, true, global);
            } finally {
                p.unlockForG(m);
            }
            wakeIfIdle();
        } else {
            readyGlobal(g);
        }
    }

    /** Queues a RUNNABLE goroutine globally (from outside, or from a carrier without a processor). */
    void readyGlobal(G g) {
        if (deadlockReport != null) {
            deadlockReport = null; // somebody outside woke a goroutine: the deadlock is over
        }
        externalReadies.increment();
        global.put(g);
        wakeIfIdle(); // its full fence also orders the put before the read of abandoning
        if (abandoning) {
            drainAbandon(); // the scheduler stopped: nobody will ever run it
        }
    }

    // ------------------------------------------------------------------ hand-off (sysmon)

    /** A carrier without a processor lists itself as a spare, unless its starter reserved it or it is listed already. */
    void addSpare(M m) {
        schedLock.lock();
        try {
            if (!m.reserved && !m.listed && m.p == null) {
                spares.push(m);
                m.listed = true;
            }
        } finally {
            schedLock.unlock();
        }
    }

    /** Takes a spare off the list (under {@link #schedLock}), or null. */
    private M popSpareLocked() {
        M m = spares.poll();
        if (m != null) {
            m.listed = false;
        }
        return m;
    }

    /**
     * A spare that waited {@link #spareKeepAliveNanos} without being needed leaves: off the spare
     * list and out of the carriers. False if it was handed a processor meanwhile (it must not go).
     */
    boolean retireSpare(M m) {
        schedLock.lock();
        try {
            if (m.p != null || !m.listed) {
                return false;
            }
            spares.remove(m);
            m.listed = false;
            ms.remove(m);
        } finally {
            schedLock.unlock();
        }
        sparesRetired.incrementAndGet();
        return true;
    }

    /**
     * Sysmon: takes {@code p} from a holder seen in state {@code seen} (stuck in a blocking call,
     * or in a goroutine that never yields) and gives it to a spare carrier, or a new one while
     * there are fewer than {@code maxThreads}. Returns true if it did.
     *
     * <p>Handing off to a carrier that must be started first takes two steps ({@link P}'s
     * {@code HANDING_OFF}): the processor is reserved, the thread started, and only then is the
     * processor given to it; if the thread cannot start (the native thread limit) the reservation
     * is rolled back and the holder keeps its processor. Taking it outright and then failing to
     * start stranded the processor's goroutines with a carrier that never ran.
     */
    boolean handOff(P p, long seen) {
        M m;
        schedLock.lock();
        try {
            if (stopping) {
                return false;
            }
            m = popSpareLocked();
            if (m != null) {
                if (!p.handOff(seen)) {
                    spares.push(m); // the holder came back just now
                    m.listed = true;
                    return false;
                }
                m.handOver(p);
            }
        } finally {
            schedLock.unlock();
        }
        if (m == null) {
            if (ms.size() >= maxThreads) {
                if (threadLimitReported.compareAndSet(false, true)) {
                    diagnose(System.Logger.Level.WARNING, "gmpj: scheduler " + name + " has " + ms.size() + " carrier "
                            + "threads, its maxThreads limit, so processor " + p.id + " stays with its blocked carrier and "
                            + "its goroutines wait; raise Builder.maxThreads or make fewer blocking calls at once");
                }
                return false;
            }
            if (!p.beginHandOff(seen)) {
                return false; // the holder came back just now
            }
            m = startReservedCarrier();
            if (m == null) {
                p.rollBackHandOff(seen); // nothing taken: the holder keeps its processor
                return false;
            }
            schedLock.lock();
            try {
                m.reserved = false;
                m.handOver(p); // commits: the waiting holder sees another carrier's word and knows it lost
            } finally {
                schedLock.unlock();
            }
        }
        handoffs.incrementAndGet();
        m.wake();
        return true;
    }

    /**
     * Carrier {@code m} is ending because carrier code (not goroutine code) threw {@code t}: see
     * {@link M#run()}. Releases its spinning role, queues the goroutine it had taken but not yet
     * run, hands its processor to another carrier (a spare, a new one, or, if none can be started
     * now, sysmon retries), and reports the failure, once per carrier.
     */
    void carrierFailed(M m, G inHand, Throwable t) {
        carrierFailures.incrementAndGet();
        if (m.spinning) {
            m.spinning = false;
            nmspinning.decrementAndGet();
        }
        String fate = "";
        if (inHand != null) {
            if (inHand.state() == G.RUNNABLE) {
                readyGlobal(inHand);
                fate = "; goroutine " + inHand.id + ", taken but not yet run, was queued again";
            } else {
                fate = "; goroutine " + inHand.id + " was being switched (" + G.stateName(inHand.state())
                        + ") and may not run again";
            }
        }
        P p = m.p;
        m.p = null;
        ms.remove(m);
        StringBuilder sb = new StringBuilder("gmpj: carrier ").append(m.getName()).append(" of scheduler ").append(name)
                .append(" failed outside any goroutine and ends: ").append(t).append(fate);
        if (p != null) {
            unparkIdle(p); // if it was idle, it must not be woken through the dead carrier
            sb.append("; its processor ").append(p.id).append(" goes to another carrier");
            giveToNewCarrier(p);
        }
        for (StackTraceElement e : t.getStackTrace()) {
            sb.append("\n\tat ").append(e);
        }
        diagnose(System.Logger.Level.ERROR, sb.toString());
    }

    /** Gives an ownerless processor to a spare or a new carrier; if neither can be had now, sysmon retries. */
    private void giveToNewCarrier(P p) {
        M m;
        schedLock.lock();
        try {
            if (stopping) {
                return;
            }
            m = popSpareLocked();
        } finally {
            schedLock.unlock();
        }
        if (m == null) {
            m = startReservedCarrier();
        }
        schedLock.lock();
        try {
            if (m == null) {
                orphans.add(p);
                orphanCount = orphans.size();
                return;
            }
            m.reserved = false;
            m.handOver(p);
        } finally {
            schedLock.unlock();
        }
        m.wake();
    }

    /** Sysmon: retries giving a carrier to a processor whose carrier died. */
    void adoptOrphans() {
        P p;
        schedLock.lock();
        try {
            p = orphans.poll();
            orphanCount = orphans.size();
        } finally {
            schedLock.unlock();
        }
        if (p != null) {
            giveToNewCarrier(p);
        }
    }

    /**
     * A steal policy threw or returned something out of range ({@link M}'s steal checks it). The
     * first failure of a policy is reported, and the scheduler steals with Go's policy from then on
     * ({@link #stealPolicy()} says so).
     */
    void stealPolicyFailed(StealPolicy policy, Throwable t) {
        StealPolicy fallback = policy == StealPolicies.GO ? StealPolicies.NONE : StealPolicies.GO;
        schedLock.lock(); // one carrier replaces the policy and reports; the others see it replaced
        try {
            if (stealPolicy != policy) {
                return; // replaced already, and reported then
            }
            stealPolicy = fallback;
        } finally {
            schedLock.unlock();
        }
        String policyName;
        try {
            policyName = policy.name();
        } catch (RuntimeException e) {
            policyName = policy.getClass().getName();
        }
        diagnose(System.Logger.Level.ERROR, "gmpj: steal policy '" + policyName + "' of scheduler " + name + " failed: " + t
                + "; the scheduler steals with the '" + fallback.name() + "' policy from now on");
    }

    /**
     * A timed park just armed a timer due at {@code deadline} (0: it had none). Idle carriers park
     * until the earliest deadline they saw; if this timer is now the earliest of all, one of them
     * is woken to re-read it. The earliest deadline is read after the timer is in its heap: read
     * before, it could name a timer cancelled in between, and nobody would be woken for this one.
     */
    void timerArmed(long deadline) {
        if (deadline != 0 && deadline - earliestTimer() <= 0) {
            wakeIfIdle();
        }
    }

    /** A goroutine finished on a carrier that had lost its processor: count it, and see whether that was the last. */
    void orphanExited() {
        orphanExits.increment();
        if (shutdown) {
            maybeTerminate();
        }
    }

    /**
     * Sysmon: goroutine {@code g} kept its processor for two time slices without yielding, and its
     * carrier computed meanwhile. Counts it, and tells once per goroutine. {@code frames} is the
     * carrier's stack sampled while {@code g} still held the processor (null once it was reported);
     * {@code cpuNanos} of CPU time were used in the last {@code windowNanos} (-1: not measured).
     */
    void hogDetected(G g, StackTraceElement[] frames, long ranNanos, long cpuNanos, long windowNanos, boolean handedOff) {
        hogs.incrementAndGet();
        if (g == null || g.hogReported || frames == null) {
            return;
        }
        g.hogReported = true;
        StringBuilder sb = goroutineLine(g).append(" ran ").append(ranNanos / 1_000_000).append(" ms");
        if (cpuNanos >= 0) {
            sb.append(" (on a CPU for ").append(cpuNanos / 1_000_000).append(" of the last ")
                    .append(windowNanos / 1_000_000).append(" ms)");
        }
        sb.append(" without yielding or parking, while other goroutines waited for its processor: a loop without ")
                .append("Gmp.checkpoint()? ")
                .append(handedOff ? "Its processor was handed to another carrier (HogPolicy.HAND_OFF)."
                        : "It keeps its processor, and the goroutines queued there wait (HogPolicy.REPORT_ONLY).")
                .append(" It was at:");
        diagnose(System.Logger.Level.WARNING, appendFrames(sb, frames).toString());
    }

    /**
     * Sysmon: goroutine {@code g} blocked its carrier in a call gmpj cannot see (the carrier's
     * thread is {@code WAITING} or {@code TIMED_WAITING} in goroutine code), and its processor was
     * handed to another carrier. Tells once per goroutine; {@code frames} as for {@link #hogDetected}.
     */
    void blockedCallDetected(G g, M carrier, Thread.State state, StackTraceElement[] frames, long blockedNanos) {
        if (g == null || g.hogReported || frames == null) {
            return;
        }
        g.hogReported = true;
        StringBuilder sb = goroutineLine(g).append(" blocked its carrier thread ").append(carrier.getName())
                .append(" for ").append(blockedNanos / 1_000_000).append(" ms in a call gmpj cannot see (thread state ")
                .append(state).append(": Thread.sleep, Object.wait, LockSupport.park, a java.util.concurrent lock or ")
                .append("queue...); its processor was handed to another carrier. Use Gmp.sleep and the gmpj.sync types, ")
                .append("or wrap the call in Gmp.blocking. It was at:");
        diagnose(System.Logger.Level.WARNING, appendFrames(sb, frames).toString());
    }

    /**
     * Sysmon: goroutine {@code g} blocked its carrier thread entering a monitor ({@code BLOCKED}),
     * and its processor was handed to another carrier. Tells once per scheduler, with the monitor
     * and its owner where the JVM knows them ({@code info}); {@code frames} as for {@link #hogDetected}.
     */
    void monitorBlocked(G g, M carrier, java.lang.management.ThreadInfo info, StackTraceElement[] frames, long blockedNanos) {
        if (g == null || frames == null || !monitorBlockReported.compareAndSet(false, true)) {
            return;
        }
        String lock = info == null || info.getLockName() == null ? "a monitor" : "the monitor of " + info.getLockName();
        long ownerId = info == null ? -1 : info.getLockOwnerId();
        String owner;
        if (ownerId < 0) {
            owner = "whose owner the JVM does not know: most likely a goroutine that parked while holding it, and it "
                    + "stays locked until that goroutine runs again";
        } else {
            M om = null;
            for (M m : ms) {
                if (m.threadId() == ownerId) {
                    om = m;
                }
            }
            G running = om == null ? null : om.curg;
            owner = om == null ? "held by thread " + info.getLockOwnerName()
                    : "held by carrier " + om.getName() + (running != null ? ", now running goroutine " + running.id
                    : ", now between goroutines (a goroutine parked while holding it)");
        }
        StringBuilder sb = goroutineLine(g).append(" blocked its carrier thread ").append(carrier.getName())
                .append(" for ").append(blockedNanos / 1_000_000).append(" ms entering ").append(lock).append(", ")
                .append(owner).append("; its processor was handed to another carrier. A goroutine waiting for a monitor ")
                .append("holds a carrier thread (up to maxThreads)")
                .append(checkMonitors ? "; use gmpj.sync.Mutex in goroutines instead."
                        : ", and one that parks while holding a monitor can leave it locked or let other goroutines in: use "
                        + "gmpj.sync.Mutex in goroutines, or build the scheduler with checkMonitors(true).")
                .append(" Reported once per scheduler. It was at:");
        diagnose(System.Logger.Level.WARNING, appendFrames(sb, frames).toString());
    }

    /** Whether {@link #monitorBlocked} has told already (sysmon then samples no stack for it). */
    boolean monitorBlockReported() {
        return monitorBlockReported.get();
    }

    private StringBuilder goroutineLine(G g) {
        return new StringBuilder("gmpj: goroutine ").append(g.id).append(g.name == null ? "" : " \"" + g.name + "\"")
                .append(" of scheduler ").append(name);
    }

    private static StringBuilder appendFrames(StringBuilder sb, StackTraceElement[] frames) {
        for (StackTraceElement e : goroutineFrames(frames)) {
            sb.append("\n\tat ").append(e);
        }
        return sb;
    }

    /**
     * Go's rule for waking a carrier: work was just published, and there is an idle processor but
     * no spinning carrier (a spinning one would find the work itself). The full fence orders the
     * publication before the reads of {@link #npidle} and {@link #nmspinning}; a carrier going
     * idle writes those, fences, and then re-reads the queues ({@link M}'s goIdle).
     */
    void wakeIfIdle() {
        VarHandle.fullFence();
        if (npidle != 0 && nmspinning.get() == 0) {
            wakep();
        }
    }

    /** Wakes one idle carrier as the (single) new spinning carrier. Go's {@code wakep}. */
    private void wakep() {
        if (nmspinning.get() != 0 || !nmspinning.compareAndSet(0, 1)) {
            return; // someone else is already spinning: it will find the work
        }
        M m = null;
        schedLock.lock();
        try {
            if (idleCount > 0 && !stopping) {
                P p = idleStack[--idleCount];
                idleStack[idleCount] = null;
                p.idle = false;
                npidle = idleCount;
                m = p.m;
                m.spinning = true; // handed over with the count we just took
            }
        } finally {
            schedLock.unlock();
        }
        if (m == null) {
            nmspinning.decrementAndGet();
            return;
        }
        m.wake();
        sysmon.wake();
    }

    /**
     * A carrier with nothing to do puts its processor on the idle list. Returns false (and stays
     * busy) if the global queue has work or the scheduler is stopping.
     */
    boolean parkIdle(P p) {
        boolean terminatedNow = false;
        schedLock.lock();
        try {
            if (stopping || !global.isEmpty()) {
                return false;
            }
            p.idle = true;
            idleStack[idleCount++] = p;
            npidle = idleCount;
            terminatedNow = shutdown && maybeTerminateLocked();
            return true;
        } finally {
            schedLock.unlock();
            if (terminatedNow) {
                announceTermination();
            }
        }
    }

    /** Takes {@code p} off the idle list if it is still there. True if this call did. */
    boolean unparkIdle(P p) {
        schedLock.lock();
        try {
            if (!p.idle) {
                return false;
            }
            for (int i = 0; i < idleCount; i++) {
                if (idleStack[i] == p) {
                    idleStack[i] = idleStack[--idleCount];
                    idleStack[idleCount] = null;
                    break;
                }
            }
            p.idle = false;
            npidle = idleCount;
        } finally {
            schedLock.unlock();
        }
        sysmon.wake();
        return true;
    }

    /**
     * The re-check of a carrier that just went idle: is there work it must not sleep through?
     * Always the global queue and due timers; every local queue too if it was spinning (it was
     * the carrier submitters relied on, see {@link #wakeIfIdle}).
     */
    boolean hasWorkFor(P self, boolean wasSpinning) {
        if (!global.isEmpty() || earliestTimer() <= System.nanoTime()) {
            return true;
        }
        if (wasSpinning) {
            // The rings only: a goroutine alone in a busy processor's runnext is about to be run
            // by its owner (an idle processor's queues are empty), so it strands nobody; counting
            // it would keep this carrier spinning for as long as a ping-pong pair runs elsewhere.
            for (P p : ps) {
                if (p != self && !p.runq.ringIsEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ failures

    void uncaught(G g, Throwable e) {
        try {
            handler.uncaughtException(g.id, g.name, e);
        } catch (Throwable secondary) {
            System.err.println("gmpj: the uncaught-exception handler of scheduler " + name + " threw while handling "
                    + "an exception of goroutine " + g.id + "; both follow");
            e.printStackTrace();
            secondary.printStackTrace();
        }
    }

    void internalError(G g, Throwable t) {
        System.err.println("gmpj: internal error while running goroutine " + g.id + " on scheduler " + name
                + "; the goroutine is dropped and the carrier goes on");
        t.printStackTrace();
    }

    static void printUncaught(long id, String gname, Throwable e) {
        System.err.print("Exception in goroutine " + id + (gname == null ? "" : " \"" + gname + "\"") + " ");
        e.printStackTrace();
    }

    // ------------------------------------------------------------------ diagnostics (sysmon's voice)

    /** Sends a diagnostic to the builder's sink, or to the System.Logger {@code gmpj.scheduler}. */
    void diagnose(System.Logger.Level level, String text) {
        if (diagnosticsSink != null) {
            try {
                diagnosticsSink.accept(text);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "diagnostics sink of scheduler " + name + " threw", e);
            }
        } else {
            LOG.log(level, text);
        }
    }

    /** One schedtrace line (and, with scheddetail, the per-P, per-M and per-goroutine lines). */
    void emitTrace(long sinceStartNanos) {
        StringBuilder sb = new StringBuilder("SCHED ").append(sinceStartNanos / 1_000_000).append("ms: ")
                .append(stats().traceLine());
        if (scheddetail) {
            sb.append(detailLines());
        }
        diagnose(System.Logger.Level.INFO, sb.toString());
    }

    /** Go's scheddetail: a line per processor, per carrier and per live goroutine. */
    String detailLines() {
        StringBuilder sb = new StringBuilder();
        for (P p : ps) {
            sb.append("\n  P").append(p.id).append(": status=").append(p.idle ? "idle" : "running")
                    .append(" schedtick=").append(p.schedtick()).append(" m=").append(p.m.getName())
                    .append(" runqsize=").append(p.runq.size()).append(" timers=").append(p.timers.size());
        }
        for (M m : ms) {
            G g = m.curg;
            P held = m.p;
            sb.append("\n  M").append(m.mid).append(": thread=").append(m.getName()).append(" p=").append(held == null ? -1 : held.id)
                    .append(" curg=").append(g == null ? -1 : g.id).append(" spinning=").append(m.spinning)
                    .append(" state=").append(m.getState());
        }
        java.util.function.Consumer<G> line = g -> {
            int st = g.state();
            M carrier = g.m;
            sb.append("\n  G").append(g.id).append(": status=").append(G.stateName(st));
            if (st == G.WAITING && g.waitReason != null) {
                sb.append('(').append(g.waitReason.label()).append(')');
            }
            sb.append(" m=").append(st == G.RUNNING && carrier != null ? carrier.getName() : "-");
        };
        externalGs.forEachLive(line);
        for (P p : ps) {
            p.allgs.forEachLive(line);
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ deadlock detection (sysmon)

    /**
     * What the deadlock detector sees of one scheduler's goroutines, from racy reads (see
     * {@link #census()}). A goroutine is <em>active</em> when something will make it run without
     * anybody's help: it is runnable (queued, or on its way to a queue), running (also on a
     * carrier that lost its processor to a hand-off, or inside a blocking call), or in a timed park
     * (its timer armed in a heap, or a pinned park with a deadline, whose carrier wakes itself). It
     * is <em>parked</em> when it waits with no deadline, pinned or not: only an unpark ends that.
     */
    static final class Census {
        int active;
        int parked;
        /** Parked in {@link Task#join()}: ended only when a goroutine finishes, never by a plain unpark. */
        int joins;
        /** Of those, joining a task of another scheduler. */
        int foreignJoins;
    }

    /**
     * The cheap half of "nothing here can move by itself": every processor idle, nothing queued
     * globally, no timer in any heap, no goroutine in {@link Gmp#blocking}. A goroutine running on
     * a carrier without a processor, or in a pinned park, hides from these; {@link #census()}
     * finds it.
     */
    boolean idleOnTheSurface() {
        return npidle == procs && blockingInFlight.get() == 0 && global.isEmpty() && earliestTimer() == Long.MAX_VALUE;
    }

    /**
     * Looks at every live goroutine. Each goroutine's state is read first (a volatile read); the
     * fields read after it were written by the goroutine or its carrier before the state they
     * belong to: the timer of a timed park before {@code WAITING} ({@link G#commitPark}), the park
     * deadline before {@link G#pinnedCarrier} ({@link Parking}). A goroutine caught between two
     * states is counted active, never parked.
     */
    Census census() {
        Census c = new Census();
        java.util.function.Consumer<G> look = g -> {
            int st = g.state();
            if (st == G.DEAD) {
                return;
            }
            boolean untimedPark = st == G.WAITING ? g.timer == null
                    : st == G.RUNNING && g.pinnedCarrier != null && g.parkDeadline == 0;
            if (!untimedPark) {
                c.active++;
                return;
            }
            c.parked++;
            if (g.waitReason == WaitReason.JOIN) {
                c.joins++;
                if (foreignJoins.contains(g)) {
                    c.foreignJoins++;
                }
            }
        };
        externalGs.forEachLive(look);
        for (P p : ps) {
            p.allgs.forEachLive(look);
        }
        return c;
    }

    /**
     * Stalled: nothing of this scheduler can move by itself and goroutines are parked. Returns the
     * census, or null when it is not stalled.
     */
    Census stalled() {
        if (!idleOnTheSurface() || liveGoroutines() <= 0) {
            return null;
        }
        Census c = census();
        return c.active == 0 && c.parked > 0 ? c : null;
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

    /** The other schedulers of this JVM, as {@link #others()} sees them. */
    static final class Others {
        /** Whether none can move by itself (idle, stalled, or terminated). */
        boolean quiet = true;
        /** The sum of their {@link #progress()} counts. */
        long progress;
        /** The names of those that can. */
        final List<String> active = new ArrayList<>();
    }

    /** Looks at every other scheduler that has not terminated (racy reads, as {@link #census()}). */
    Others others() {
        Others o = new Others();
        for (Scheduler x : SCHEDULERS.toArray(new Scheduler[0])) {
            if (x == this || x.terminated) {
                continue;
            }
            long before = x.progress();
            boolean quiet = x.idleOnTheSurface() && x.census().active == 0 && x.progress() == before;
            o.progress += before;
            if (!quiet) {
                o.quiet = false;
                o.active.add(x.name);
            }
        }
        return o;
    }

    /**
     * Sysmon: this scheduler has been stalled for the grace, and so has every other one: nothing in
     * gmpj can wake the parked goroutines. Only a plain thread still could, and the report says
     * how many of them wait on something a plain thread can release.
     */
    void deadlockDetected(Census c) {
        StringBuilder sb = new StringBuilder("all goroutines are asleep - deadlock! (scheduler ").append(name)
                .append(": every processor idle, no timer armed, nothing running, queued or in a blocking call, here or in ")
                .append("any other gmpj scheduler of this JVM; ").append(c.parked)
                .append(" goroutine(s) parked that nothing in gmpj can wake");
        if (c.foreignJoins > 0) {
            sb.append("; ").append(c.foreignJoins).append(" of them join(s) a task of another scheduler, stalled too");
        }
        int primitives = c.parked - c.joins;
        if (primitives > 0) {
            sb.append(". ").append(primitives).append(" of them wait(s) on primitives (channels, locks, parks) that a thread ")
                    .append("outside gmpj may still release: if one does, this was a stall, not a deadlock");
        }
        String report = sb.append(")\n\n").append(dump()).toString();
        diagnose(System.Logger.Level.WARNING, report);
        deadlocks.incrementAndGet(); // after the report, so whoever sees the count can read the report
        if (deadlockPolicy == DeadlockPolicy.FAIL_JOINERS) {
            deadlockReport = report;
            for (Waiter w : externalWaiters) {
                w.unpark();
            }
        }
    }

    /**
     * Sysmon: this scheduler has been stalled for the grace, but another scheduler is active and
     * may still wake the goroutines that wait on primitives: not a deadlock (nobody's join fails),
     * said once per stall.
     */
    void stallNoted(Census c, Others others, long stalledNanos) {
        int maybeWoken = c.parked - c.foreignJoins;
        diagnose(System.Logger.Level.WARNING, "gmpj: scheduler " + name + " is stalled, not deadlocked: for "
                + stalledNanos / 1_000_000 + " ms every goroutine of this scheduler has been parked and nothing inside it "
                + "can wake them (every processor idle, no timer armed, nothing running or in a blocking call); "
                + maybeWoken + " of the " + c.parked + " wait on primitives that other threads or schedulers may still wake "
                + "(channels, locks, parks, joins of this scheduler's tasks), and scheduler(s) " + others.active
                + " are active\n\n" + dump());
    }

    void deadlockCleared() {
        deadlockReport = null;
    }

    /** The report of a deadlock in progress under {@link DeadlockPolicy#FAIL_JOINERS}, else null. */
    String deadlockReport() {
        return deadlockReport;
    }

    /** Pins carrier {@code m} to one of the CPUs this process may use; reports once if it cannot. */
    void pinCarrier(M m) {
        if (!CpuAffinity.supported()) {
            if (pinningReported.compareAndSet(false, true)) {
                diagnose(System.Logger.Level.WARNING, "gmpj: scheduler " + name + " cannot pin carriers to CPUs: "
                        + CpuAffinity.unsupportedReason() + "; carrying on unpinned");
            }
            return;
        }
        int[] cpus = CpuAffinity.allowedCpus();
        if (cpus.length == 0) {
            return;
        }
        try {
            CpuAffinity.pinCurrentThread(cpus[m.p.id % cpus.length]);
        } catch (RuntimeException e) {
            if (pinningReported.compareAndSet(false, true)) {
                diagnose(System.Logger.Level.WARNING, "gmpj: scheduler " + name + " cannot pin carriers to CPUs: "
                        + e.getMessage() + "; carrying on unpinned");
            }
        }
    }

    // ------------------------------------------------------------------ shutdown

    /** {@code true} once {@link #shutdown()} (or close) was called. */
    public boolean isShutdown() {
        return shutdown;
    }

    /** {@code true} once every goroutine finished (or was abandoned) and the carriers were told to stop. */
    public boolean isTerminated() {
        return terminated;
    }

    /**
     * Stops accepting goroutines from outside the scheduler. Goroutines already started run to
     * completion, and may still start new ones. Once none is left the carriers stop.
     */
    public void shutdown() {
        shutdown = true;
        maybeTerminate();
    }

    /**
     * Waits until the scheduler has terminated or {@code timeout} passed. Unlike every other wait
     * in gmpj this one is interruptible, as {@code ExecutorService.awaitTermination} is. A timeout
     * beyond {@link Parking#MAX_WAIT_NANOS} (about 73 years) is clamped; a negative one is zero.
     *
     * @return {@code true} if it terminated
     * @throws NullPointerException     if {@code timeout} is null
     * @throws IllegalStateException    if called from one of this scheduler's goroutines
     * @throws InterruptedException     if the calling thread is interrupted while waiting
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout must not be null");
        rejectOwnGoroutine("awaitTermination");
        return terminatedLatch.await(Parking.saturatedNanos(timeout), TimeUnit.NANOSECONDS);
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
        close(closeTimeout);
    }

    /**
     * Like {@link #close()} with an explicit bound on the wait. Returns within {@code timeout} plus
     * the {@value #CARRIER_EXIT_GRACE_MILLIS} ms it gives stopped carriers to end (and the time to build
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
     * @throws NullPointerException  if {@code timeout} is null
     * @throws CloseTimeoutException if goroutines were still unfinished at the timeout; its message
     *                               is short (counts and a few goroutines), its
     *                               {@link CloseTimeoutException#fullDump()} has every one
     * @throws IllegalStateException if called from one of this scheduler's goroutines
     */
    public void close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        rejectOwnGoroutine("close");
        long deadline = Parking.deadlineAfter(timeout);
        shutdown();
        boolean interrupted = false;
        try {
            boolean finished;
            for (;;) {
                try {
                    finished = terminatedLatch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // kept for the caller; the wait goes on
                }
            }
            long joinBy = Math.max(deadline, System.nanoTime()) + CARRIER_EXIT_GRACE_MILLIS * 1_000_000L;
            if (finished) {
                joinCarriers(joinBy); // terminated: every carrier is on its way out
                return;
            }
            List<CloseTimeoutException.Unfinished> unfinished = snapshotUnfinished();
            stopNow(joinBy);
            throw new CloseTimeoutException(name, timeout, unfinished, stuckCarriers());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** How long close waits, past its timeout, for carriers that were told to stop to end. */
    static final long CARRIER_EXIT_GRACE_MILLIS = 100;

    /**
     * Stops at once: carriers finish the goroutine they are running (up to its next yield or park),
     * queued and parked goroutines are abandoned (their tasks fail with a CancellationException),
     * and the carrier threads are joined, for up to the builder's {@code closeTimeout}. Not
     * interruptible (the flag is kept). Returns how many queued goroutines were abandoned.
     *
     * @throws IllegalStateException if a carrier did not end within {@code closeTimeout} (a
     *                               goroutine there never yields), or if called from one of this
     *                               scheduler's goroutines
     */
    public int shutdownNow() {
        rejectOwnGoroutine("shutdownNow");
        int abandoned = stopNow(Parking.deadlineAfter(closeTimeout));
        List<String> stuck = stuckCarriers();
        if (!stuck.isEmpty()) {
            throw new IllegalStateException("scheduler " + name + ": carrier(s) " + stuck + " did not stop within "
                    + closeTimeout + "; a goroutine there never yields (a CPU loop or a blocking call)");
        }
        return abandoned;
    }

    /**
     * Stops the carriers, joins them until {@code joinBy}, then abandons every goroutine that will
     * never run: the queued ones, and the parked ones. Returns how many queued ones were abandoned.
     */
    private int stopNow(long joinBy) {
        shutdown = true;
        schedLock.lock();
        try {
            stopping = true;
        } finally {
            schedLock.unlock();
        }
        for (M m : ms) {
            m.wake();
        }
        LockSupport.unpark(sysmon);
        joinCarriers(joinBy);
        // A goroutine readied from now on is abandoned by readyGlobal itself (it reads this flag
        // after queueing, and we drain after setting it; both with full fences, so one of us sees it).
        abandoning = true;
        VarHandle.fullFence();
        int abandoned = drainAbandon();
        java.util.function.Consumer<G> parked = G::abandonWaiting;
        externalGs.forEachLive(parked);
        for (P p : ps) {
            p.allgs.forEachLive(parked);
        }
        abandoned += drainAbandon(); // any that a waker readied while we marked the parked ones
        announceTermination();
        return abandoned;
    }

    /** Abandons every queued goroutine; returns how many. */
    private int drainAbandon() {
        int n = 0;
        for (G g; (g = global.poll()) != null; n++) {
            g.abandon();
        }
        for (P p : ps) {
            for (G g; (g = p.runq.pollRunnext()) != null || (g = p.runq.poll()) != null; n++) {
                g.abandon();
            }
        }
        return n;
    }

    /** Set once, when {@link #stopNow} starts abandoning: goroutines readied after it are abandoned at once. */
    private volatile boolean abandoning;

    /** The goroutines not yet finished, with what they were doing, for a close that gives up. */
    private List<CloseTimeoutException.Unfinished> snapshotUnfinished() {
        List<CloseTimeoutException.Unfinished> out = new ArrayList<>();
        long now = System.nanoTime();
        java.util.function.Consumer<G> add = g -> {
            int st = g.state();
            if (st == G.DEAD) {
                return;
            }
            M carrier = g.m;
            WaitReason reason = st == G.WAITING ? g.waitReason : null;
            out.add(new CloseTimeoutException.Unfinished(g, G.stateName(st), reason,
                    reason == null ? 0 : Math.max(0, now - g.waitSince),
                    st == G.RUNNING && carrier != null ? carrier : null));
        };
        externalGs.forEachLive(add);
        for (P p : ps) {
            p.allgs.forEachLive(add);
        }
        out.sort(java.util.Comparator.comparingLong(u -> u.g().id));
        return out;
    }

    /** Carriers still alive, each with the goroutine it runs. */
    private List<String> stuckCarriers() {
        List<String> stuck = new ArrayList<>();
        for (M m : ms) {
            if (m.isAlive()) {
                G g = m.curg;
                stuck.add(m.getName() + (g != null ? " running goroutine " + g.id : ""));
            }
        }
        return stuck;
    }

    private void rejectOwnGoroutine(String what) {
        G g = Gmp.currentG();
        if (g != null && g.scheduler == this) {
            throw new IllegalStateException(what + "() called from goroutine " + g.id + " of scheduler " + name
                    + ": it would wait for itself; call it from outside the scheduler");
        }
    }

    private void maybeTerminate() {
        boolean terminatedNow;
        schedLock.lock();
        try {
            terminatedNow = maybeTerminateLocked();
        } finally {
            schedLock.unlock();
        }
        if (terminatedNow) {
            announceTermination();
        }
    }

    /**
     * Decides termination: shut down, every processor idle (so no carrier is touching its
     * counters) and no goroutine alive. Under {@link #schedLock}: carriers go idle under it, so
     * their counter writes are visible here. Returns true if this call terminated the scheduler;
     * the caller then runs {@link #announceTermination()} after releasing the lock (it wakes
     * waiters that may belong to other schedulers, whose locks must not nest inside ours).
     */
    private boolean maybeTerminateLocked() {
        if (!shutdown || stopping || idleCount != procs || liveGoroutines() != 0) {
            return false;
        }
        stopping = true;
        terminated = true;
        return true;
    }

    /** Wakes every carrier (they leave their loops), then everybody waiting for termination. */
    private void announceTermination() {
        for (M m : ms) {
            m.wake();
        }
        LockSupport.unpark(sysmon);
        terminated = true;
        terminatedLatch.countDown();
        for (Waiter w : externalWaiters) {
            w.unpark();
        }
    }

    /** Waits, until {@code deadline} at most, for every carrier thread and sysmon to end. Not interruptible (the flag is kept). */
    private void joinCarriers(long deadline) {
        boolean interrupted = false;
        List<Thread> threads = new ArrayList<>(ms);
        threads.add(sysmon);
        for (Thread t : threads) {
            for (;;) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !t.isAlive()) {
                    break;
                }
                try {
                    t.join(Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    void registerExternalWaiter(Waiter w) {
        externalWaiters.add(w);
    }

    void unregisterExternalWaiter(Waiter w) {
        externalWaiters.remove(w);
    }

    /** Goroutine {@code g} of this scheduler is about to wait for a task of another scheduler. */
    void foreignJoinStarts(G g) {
        foreignJoins.add(g);
    }

    void foreignJoinEnds(G g) {
        foreignJoins.remove(g);
    }

    // ------------------------------------------------------------------ observability

    /** Goroutines spawned and not yet finished. Exact only when the scheduler is quiet. */
    public long liveGoroutines() {
        long n = externalSpawns.get() - orphanExits.sum();
        for (P p : ps) {
            n += p.counters.get(PCounters.SPAWNS) - p.counters.get(PCounters.EXITS);
        }
        return n;
    }

    /** A snapshot of the scheduler's counters, per processor and in total. */
    public SchedulerStats stats() {
        List<SchedulerStats.ProcStats> per = new ArrayList<>(procs);
        int alive = 0;
        int extraRunning = 0;
        for (M m : ms) {
            alive += m.isAlive() ? 1 : 0;
            extraRunning += runsWithoutProcessor(m) ? 1 : 0;
        }
        for (P p : ps) {
            PCounters c = p.counters;
            per.add(new SchedulerStats.ProcStats(p.id, p.idle, p.runq.size(),
                    c.get(PCounters.SPAWNS), c.get(PCounters.RUNS), c.get(PCounters.YIELDS), c.get(PCounters.PARKS),
                    c.get(PCounters.READIES), c.get(PCounters.STEALS), c.get(PCounters.STOLEN),
                    c.get(PCounters.GLOBAL_TAKES), c.get(PCounters.OVERFLOWS), c.get(PCounters.EXITS),
                    c.get(PCounters.RUNNEXT_PICKS), c.get(PCounters.TIMERS_FIRED), c.get(PCounters.PINNED_PARKS)));
        }
        return new SchedulerStats(name, procs, stealPolicy.name(), npidle, nmspinning.get(), alive, global.size(),
                timerCount(), liveGoroutines(), externalSpawns.get(), externalReadies.sum(), preemptRequests.sum(),
                deadlocks.get(), blockingInFlight.get(), handoffs.get(), hogs.get(), orphanExits.sum(), extraRunning,
                carrierFailures.get(), sparesRetired.get(), per);
    }

    /**
     * Whether carrier {@code m} runs goroutine code right now without holding a processor: its
     * processor was handed off while its goroutine ran (a hog, or a blocking call that returned),
     * and its thread is on a CPU or ready for one. Racy reads of owner fields: a snapshot.
     */
    private static boolean runsWithoutProcessor(M m) {
        P held = m.p;
        return m.curg != null && (held == null || held.m != m) && m.getState() == Thread.State.RUNNABLE;
    }

    /**
     * Every live goroutine: id, name, state, wait reason, time waiting, and stack. Taken while the
     * scheduler runs, so it is a best-effort picture (a goroutine may change state while it is
     * read); on a quiet scheduler it is exact.
     */
    public List<GoroutineInfo> goroutines() {
        List<GoroutineInfo> out = new ArrayList<>();
        long now = System.nanoTime();
        java.util.function.Consumer<G> collect = g -> out.add(describe(g, now));
        externalGs.forEachLive(collect);
        for (P p : ps) {
            p.allgs.forEachLive(collect);
        }
        out.sort(java.util.Comparator.comparingLong(GoroutineInfo::id));
        return out;
    }

    /**
     * Go's goroutine dump: one block per live goroutine, header then frames, in id order.
     * <pre>
     * goroutine 18 "worker" [sync.Mutex.Lock, 1502 ms]:
     * 	at gmpj.core.Parking.park(Parking.java:58)
     * 	at app.Worker.run(Worker.java:12)
     * </pre>
     */
    public String dump() {
        StringBuilder sb = new StringBuilder();
        for (GoroutineInfo g : goroutines()) {
            sb.append(g).append('\n');
        }
        return sb.toString();
    }

    /**
     * Every running scheduler of this JVM with its {@link #stats()} and {@link #dump()}, like the dump
     * Go prints on SIGQUIT: for a process that hangs, where goroutines parked on one scheduler may
     * be waiting for another. Schedulers that have terminated are left out. Racy like {@link #dump()}.
     */
    public static String dumpAll() {
        StringBuilder sb = new StringBuilder();
        for (Scheduler x : SCHEDULERS.toArray(new Scheduler[0])) {
            if (!x.terminated) {
                sb.append("scheduler \"").append(x.name).append("\" (procs ").append(x.procs).append("):\n")
                        .append(x.stats()).append('\n').append(x.dump()).append('\n');
            }
        }
        return sb.toString();
    }

    private static GoroutineInfo describe(G g, long now) {
        int state = g.state();
        M carrier = g.m;
        WaitReason reason = state == G.WAITING ? g.waitReason : null;
        java.time.Duration waiting = reason != null ? java.time.Duration.ofNanos(Math.max(0, now - g.waitSince)) : null;
        StackTraceElement[] frames;
        try {
            frames = state == G.RUNNING && carrier != null ? carrier.getStackTrace() : g.getStackTrace();
        } catch (RuntimeException e) {
            frames = new StackTraceElement[0]; // mounted or unmounted while we looked
        }
        return new GoroutineInfo(g.id, g.name, G.stateName(state), reason, waiting,
                state == G.RUNNING && carrier != null ? carrier.getName() : null, goroutineFrames(frames));
    }

    /** The goroutine's own frames: everything above its entry point into the continuation. */
    static List<StackTraceElement> goroutineFrames(StackTraceElement[] frames) {
        List<StackTraceElement> out = new ArrayList<>(frames.length);
        for (StackTraceElement e : frames) {
            if (e.getClassName().equals(G.class.getName())) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /** The carrier threads' states, in processor order: for tests and tools that watch idleness. */
    public List<Thread.State> carrierStates() {
        List<Thread.State> states = new ArrayList<>(procs);
        for (M m : ms) {
            states.add(m.getState());
        }
        return states;
    }

    @Override
    public String toString() {
        return "Scheduler[" + name + ", procs=" + procs + ", " + stealPolicy.name()
                + (terminated ? ", terminated" : shutdown ? ", shut down" : "") + "]";
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
        /**
         * The largest {@link #carrierStackSize}: 1 GiB, the most HotSpot accepts for a thread's
         * stack ({@code -Xss}); recursion that needs more is a bug, not a configuration.
         */
        public static final long MAX_CARRIER_STACK_SIZE = 1L << 30;
        private static final Duration MAX_WAIT = Duration.ofNanos(Parking.MAX_WAIT_NANOS);

        private int procs = Runtime.getRuntime().availableProcessors();
        private StealPolicy stealPolicy = StealPolicy.go();
        private String name;
        private String threadNamePrefix;
        private UncaughtExceptionHandler handler = Scheduler::printUncaught;
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
         * How long a goroutine may keep its processor before sysmon asks it to yield (Go's 10 ms,
         * the default). The request is honoured at the goroutine's next {@link Gmp#checkpoint()},
         * {@link Gmp#yield()} or park. A slice beyond {@link Parking#MAX_WAIT_NANOS} (about 73 years)
         * is clamped to it, which in practice turns preemption and the hand-off of a goroutine that
         * never yields off.
         *
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

        /** With {@link #schedtrace}, adds a line per processor, per carrier and per goroutine (Go's scheddetail). */
        public Builder scheddetail(boolean detail) {
            this.scheddetail = detail;
            return this;
        }

        /**
         * Where schedtrace lines, deadlock reports and other diagnostics go. Default: the
         * {@link System.Logger} named {@code gmpj.scheduler} (trace lines at INFO, problems at WARNING).
         */
        public Builder diagnostics(java.util.function.Consumer<String> sink) {
            this.diagnostics = Objects.requireNonNull(sink, "diagnostics sink must not be null");
            return this;
        }

        /** What to do when every goroutine is asleep; default {@link DeadlockPolicy#REPORT}. */
        public Builder deadlockPolicy(DeadlockPolicy policy) {
            this.deadlockPolicy = Objects.requireNonNull(policy, "deadlock policy must not be null");
            return this;
        }

        /**
         * How long everything must stay asleep before it counts as a deadlock; default 1 s. A grace
         * beyond {@link Parking#MAX_WAIT_NANOS} (about 73 years) is clamped to it, which in practice
         * is {@link DeadlockPolicy#IGNORE}.
         *
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

        /** Number of processors (Go's GOMAXPROCS); default: available processors. */
        public Builder procs(int procs) {
            if (procs < 1 || procs > 4096) {
                throw new IllegalArgumentException("procs must be between 1 and 4096, got " + procs
                        + "; use the number of cores you want goroutines to run on in parallel");
            }
            this.procs = procs;
            return this;
        }

        /** How idle processors steal work; default {@link StealPolicy#go()}. */
        public Builder stealPolicy(StealPolicy policy) {
            this.stealPolicy = Objects.requireNonNull(policy, "steal policy must not be null; use StealPolicy.go() for Go's");
            return this;
        }

        /** The scheduler's name; default {@code gmpj-N}. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name must not be null");
            return this;
        }

        /** Prefix of carrier thread names, followed by the processor index; default {@code <name>-m}. */
        public Builder threadNamePrefix(String prefix) {
            this.threadNamePrefix = Objects.requireNonNull(prefix, "thread name prefix must not be null");
            return this;
        }

        /** Receives exceptions escaping goroutines started with {@code go}; default prints them to stderr. */
        public Builder uncaughtExceptionHandler(UncaughtExceptionHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler must not be null");
            return this;
        }

        /**
         * Slots of each processor's ring, a power of two from 2 to {@link #MAX_RUN_QUEUE_CAPACITY};
         * default 256 (Go's). Small values reach the overflow path.
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
         * @throws IllegalArgumentException if {@link #maxThreads} was set below {@link #procs}
         * @throws IllegalStateException    if the JVM lacks the flag that opens continuations (the message names it)
         */
        public Scheduler build() {
            if (maxThreadsSet && maxThreads < procs) {
                throw new IllegalArgumentException("maxThreads (" + maxThreads + ") must be >= procs (" + procs
                        + "): every processor needs a carrier thread of its own; raise maxThreads or lower procs");
            }
            Continuations.check();
            return new Scheduler(this, true);
        }

        /**
         * Builds the scheduler without starting its carriers or sysmon, so that its idle list,
         * spinning count, queues and processors can be driven by hand from other threads, one step
         * at a time, as the jcstress tests of this package do. Nothing ever runs on it by itself.
         */
        Scheduler buildUnstarted() {
            Continuations.check();
            return new Scheduler(this, false);
        }
    }
}
