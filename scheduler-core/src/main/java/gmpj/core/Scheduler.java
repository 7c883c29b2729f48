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

    // ------------------------------------------------------------------ configuration (immutable)
    private final String name;
    final int procs;
    final StealPolicy stealPolicy;
    private final UncaughtExceptionHandler handler;
    private final Duration closeTimeout;
    /** Pin each carrier to a CPU (FFM {@code sched_setaffinity}). */
    final boolean pinCarriers;
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
    /** Goroutines inside {@link Gmp#blocking} right now. */
    final AtomicInteger blockingInFlight = new AtomicInteger();
    /** Goroutines that finished on a carrier that had lost its processor. */
    final LongAdder orphanExits = new LongAdder();
    private final AtomicLong handoffs = new AtomicLong();
    private final AtomicLong hogs = new AtomicLong();
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
        this.scheddetail = b.scheddetail;
        this.diagnosticsSink = b.diagnostics;
        this.deadlockPolicy = b.deadlockPolicy;
        this.carrierPrefix = b.threadNamePrefix != null ? b.threadNamePrefix : name + "-m";
        this.carrierStackSize = b.carrierStackSize;
        this.daemon = b.daemon;
        this.maxThreads = Math.max(b.maxThreads, procs);
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
            return;
        }
        for (M m : ms) {
            m.start();
        }
        sysmon.start();
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

    /** The steal policy in use. */
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
        wakeIfIdle();
    }

    // ------------------------------------------------------------------ hand-off (sysmon)

    /**
     * A carrier without a processor waits here until sysmon hands it one. Returns false if the
     * scheduler stops first.
     */
    void addSpare(M m) {
        schedLock.lock();
        try {
            spares.push(m);
        } finally {
            schedLock.unlock();
        }
    }

    /**
     * Sysmon: takes {@code p} from a holder seen in state {@code seen} (stuck in a blocking call,
     * or in a goroutine that never yields) and gives it to a spare carrier, or a new one while
     * there are fewer than {@code maxThreads}. Returns true if it did.
     */
    boolean handOff(P p, long seen) {
        M m;
        boolean fresh = false;
        schedLock.lock();
        try {
            if (stopping) {
                return false;
            }
            m = spares.peek();
            if (m == null && ms.size() >= maxThreads) {
                // at the thread limit: leave m null and report below, outside the lock
            } else if (!p.handOff(seen)) {
                return false; // the holder came back just now
            } else if (m != null) {
                spares.pop();
                m.p = p;
                p.hold(m);
            } else {
                m = newCarrier(p);
                fresh = true;
            }
        } finally {
            schedLock.unlock();
        }
        if (m == null) { // the thread limit
            if (threadLimitReported.compareAndSet(false, true)) {
                diagnose(System.Logger.Level.WARNING, "gmpj: scheduler " + name + " has " + ms.size() + " carrier "
                        + "threads, its maxThreads limit, so processor " + p.id + " stays with its blocked carrier and "
                        + "its goroutines wait; raise Builder.maxThreads or make fewer blocking calls at once");
            }
            return false;
        }
        handoffs.incrementAndGet();
        if (fresh) {
            m.start();
        } else {
            m.wake();
        }
        return true;
    }

    /** A goroutine finished on a carrier that had lost its processor: count it, and see whether that was the last. */
    void orphanExited() {
        orphanExits.increment();
        if (shutdown) {
            maybeTerminate();
        }
    }

    /** Sysmon: a goroutine kept its processor for two time slices without yielding; tell once. */
    void hogDetected(G g, M carrier, long ranNanos) {
        hogs.incrementAndGet();
        if (g == null || g.hogReported) {
            return;
        }
        g.hogReported = true;
        StringBuilder sb = new StringBuilder("gmpj: goroutine ").append(g.id)
                .append(g.name == null ? "" : " \"" + g.name + "\"").append(" of scheduler ").append(name)
                .append(" ran ").append(ranNanos / 1_000_000).append(" ms without yielding or parking (a loop without ")
                .append("Gmp.checkpoint(), or a blocking call gmpj cannot see, like Thread.sleep or socket I/O: wrap it in ")
                .append("Gmp.blocking); its processor was handed to another carrier. It was at:");
        for (StackTraceElement e : goroutineFrames(carrier.getStackTrace())) {
            sb.append("\n\tat ").append(e);
        }
        diagnose(System.Logger.Level.WARNING, sb.toString());
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

    /** Sysmon: every processor idle, no timer armed, nothing queued, yet goroutines alive. */
    boolean allAsleep() {
        return npidle == procs && blockingInFlight.get() == 0 && earliestTimer() == Long.MAX_VALUE && global.isEmpty()
                && liveGoroutines() > 0;
    }

    void deadlockDetected() {
        String report = "all goroutines are asleep - deadlock! (scheduler " + name + ": every processor idle, no timer "
                + "armed, " + liveGoroutines() + " goroutine(s) parked; nothing inside the scheduler can wake them)\n\n" + dump();
        diagnose(System.Logger.Level.WARNING, report);
        deadlocks.incrementAndGet(); // after the report, so whoever sees the count can read the report
        if (deadlockPolicy == DeadlockPolicy.FAIL_JOINERS) {
            deadlockReport = report;
            for (Waiter w : externalWaiters) {
                w.unpark();
            }
        }
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
     * Waits until the scheduler has terminated or {@code timeout} passed.
     *
     * @return {@code true} if it terminated
     * @throws IllegalStateException if called from one of this scheduler's goroutines
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        rejectOwnGoroutine("awaitTermination");
        return terminatedLatch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Shuts down, waits up to the builder's {@code closeTimeout} (60 s by default) for every
     * goroutine to finish, then stops and joins the carrier threads.
     *
     * @throws IllegalStateException if goroutines were still unfinished at the timeout (they are
     *                               abandoned: their tasks fail with a CancellationException), or if
     *                               called from one of this scheduler's own goroutines
     */
    @Override
    public void close() {
        close(closeTimeout);
    }

    /**
     * Like {@link #close()} with an explicit bound on the wait for goroutines to finish.
     *
     * @throws IllegalStateException if goroutines were still unfinished at the timeout (they are
     *                               abandoned), or if called from one of this scheduler's goroutines
     */
    public void close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        rejectOwnGoroutine("close");
        shutdown();
        boolean finished;
        try {
            finished = terminatedLatch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        if (finished) {
            joinCarriers();
            return;
        }
        long left = liveGoroutines();
        String stacks = dump();
        shutdownNow();
        throw new IllegalStateException("scheduler " + name + " closed with " + left + " goroutine(s) still unfinished after "
                + timeout + "; they were abandoned (parked forever, or still running). Close with a longer timeout, or "
                + "see below what they were doing:\n" + stacks);
    }

    /**
     * Stops at once: carriers finish the goroutine they are running (up to its next yield or park),
     * queued and parked goroutines are abandoned (their tasks fail with a CancellationException),
     * and the carrier threads are joined. Returns how many queued goroutines were abandoned.
     */
    public int shutdownNow() {
        rejectOwnGoroutine("shutdownNow");
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
        joinCarriers();
        int abandoned = 0;
        for (G g; (g = global.poll()) != null; abandoned++) {
            g.abandon();
        }
        for (P p : ps) {
            for (G g; (g = p.runq.pollRunnext()) != null || (g = p.runq.poll()) != null; abandoned++) {
                g.abandon();
            }
        }
        announceTermination();
        return abandoned;
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

    /** Waits (bounded by closeTimeout) until every carrier thread has ended. */
    private void joinCarriers() {
        long deadline = System.nanoTime() + closeTimeout.toNanos();
        try {
            for (M m : ms) {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    m.join(Duration.ofNanos(left));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            sysmon.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<String> stuck = new ArrayList<>();
        for (M m : ms) {
            if (m.isAlive()) {
                stuck.add(m.getName() + (m.curg != null ? " running goroutine " + m.curg.id : ""));
            }
        }
        if (!stuck.isEmpty()) {
            throw new IllegalStateException("scheduler " + name + ": carrier(s) " + stuck + " did not stop within "
                    + closeTimeout + "; a goroutine there never yields (a CPU loop or a blocking call)");
        }
    }

    void registerExternalWaiter(Waiter w) {
        externalWaiters.add(w);
    }

    void unregisterExternalWaiter(Waiter w) {
        externalWaiters.remove(w);
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
        for (M m : ms) {
            alive += m.isAlive() ? 1 : 0;
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
                deadlocks.get(), blockingInFlight.get(), handoffs.get(), hogs.get(), orphanExits.sum(), per);
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
    private static List<StackTraceElement> goroutineFrames(StackTraceElement[] frames) {
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

    /** Configures and builds a {@link Scheduler}. */
    public static final class Builder {
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
        private int maxThreads = 1024;

        private Builder() {}

        /**
         * The most carrier threads the scheduler may have (Go's {@code SetMaxThreads}); default
         * 1024. Beyond {@code procs} they are started only to take over the processor of a carrier
         * stuck in a blocking call or a goroutine that never yields.
         */
        public Builder maxThreads(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxThreads must be >= 1, got " + max);
            }
            this.maxThreads = max;
            return this;
        }

        /**
         * How long a goroutine may keep its processor before sysmon asks it to yield (Go's 10 ms,
         * the default). The request is honoured at the goroutine's next {@link Gmp#checkpoint()},
         * {@link Gmp#yield()} or park.
         */
        public Builder timeSlice(Duration slice) {
            Objects.requireNonNull(slice, "time slice must not be null");
            if (slice.isNegative() || slice.isZero()) {
                throw new IllegalArgumentException("time slice must be positive, got " + slice);
            }
            this.timeSlice = slice;
            return this;
        }

        /**
         * Emits a line like Go's {@code GODEBUG=schedtrace} every {@code period}:
         * {@code SCHED 1000ms: procs=2 idleprocs=0 threads=2 spinning=0 runqueue=0 gcount=3 [3 5]},
         * to the diagnostics sink. Off by default.
         */
        public Builder schedtrace(Duration period) {
            Objects.requireNonNull(period, "schedtrace period must not be null");
            if (period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("schedtrace period must be positive, got " + period);
            }
            this.schedtrace = period;
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

        /** How long everything must stay asleep before it counts as a deadlock; default 1 s. */
        public Builder deadlockGrace(Duration grace) {
            Objects.requireNonNull(grace, "deadlock grace must not be null");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("deadlock grace must not be negative, got " + grace);
            }
            this.deadlockGrace = grace;
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

        /** Slots of each processor's ring, a power of two >= 2; default 256 (Go's). Small values reach the overflow path. */
        public Builder runQueueCapacity(int capacity) {
            if (capacity < 2 || Integer.bitCount(capacity) != 1) {
                throw new IllegalArgumentException("run queue capacity must be a power of two >= 2, got " + capacity);
            }
            this.runQueueCapacity = capacity;
            return this;
        }

        /**
         * Stack size of carrier threads in bytes (0: the JVM default). A mounted goroutine runs on
         * its carrier's stack, so this bounds how deep a goroutine may recurse.
         */
        public Builder carrierStackSize(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("carrier stack size must be >= 0 bytes (0 = JVM default), got " + bytes);
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

        /** How long {@link Scheduler#close()} waits for goroutines to finish; default 60 s. */
        public Builder closeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "close timeout must not be null");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("close timeout must not be negative, got " + timeout);
            }
            this.closeTimeout = timeout;
            return this;
        }

        /**
         * Builds the scheduler and starts its carriers.
         *
         * @throws IllegalStateException if the JVM lacks the flag that opens continuations (the message names it)
         */
        public Scheduler build() {
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
