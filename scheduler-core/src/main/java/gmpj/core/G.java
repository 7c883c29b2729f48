package gmpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * A goroutine: one JDK continuation plus the little state the scheduler needs.
 *
 * <h2>State machine</h2>
 * The state lives in the low two bits of one {@code long} word, {@link #status}; the rest of the
 * word is the <em>park generation</em>, bumped by every park. Every transition is a method here:
 * <pre>
 *   RUNNABLE --toRunning--> RUNNING --toRunnable (yield)-------> RUNNABLE
 *                                   --commitPark------------> WAITING --wake / wakeFromTimer--> RUNNABLE
 *                                   --toDead----------------> DEAD
 * </pre>
 * Only the transitions out of {@code WAITING} race: {@code WAITING -> RUNNABLE} (an unparker, a
 * timer and the parking carrier may all try) and, when a scheduler gives up at close,
 * {@code WAITING -> DEAD} ({@link #abandonWaiting}) against them; both are CASes. A queued goroutine
 * that will never run goes {@code RUNNABLE -> DEAD} ({@link #abandon}). The other transitions are made by the one carrier that owns the goroutine at
 * that moment and are checked: an illegal transition is a runtime bug and throws.
 *
 * <h2>Parking (Go's gopark rule)</h2>
 * A goroutine that parks first yields its continuation; the carrier then publishes {@code WAITING}
 * ({@link #commitPark}). So nobody can resume the goroutine before it is off its carrier. The
 * permit ({@link #permit}, 0 or 1) closes the race with an unparker, Dekker-style:
 * <ul>
 *   <li>unparker: {@code permit := 1} (volatile getAndSet), then read {@code status} (volatile);</li>
 *   <li>carrier: {@code status := WAITING} (volatile), then read {@code permit} (volatile).</li>
 * </ul>
 * Under sequential consistency at least one side sees the other's write; both may, and the CAS on
 * {@code status} lets exactly one of them make the goroutine runnable. The timer of a timed park
 * wakes only the park generation it was armed for, so a stale timer can never wake a later park.
 */
final class G extends Continuation implements Waiter {
    static final ContinuationScope SCOPE = new ContinuationScope("gmpj");

    static final int RUNNABLE = 0;
    static final int RUNNING = 1;
    static final int WAITING = 2;
    static final int DEAD = 3;
    private static final long STATE_MASK = 3;
    private static final long GEN_ONE = 4;

    /** Why the continuation last yielded; written by the goroutine, read by its carrier (same thread). */
    static final byte YIELD_NONE = 0;
    static final byte YIELD_RUNNABLE = 1;
    static final byte YIELD_PARK = 2;

    private static final VarHandle STATUS;
    private static final VarHandle PERMIT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATUS = l.findVarHandle(G.class, "status", long.class);
            PERMIT = l.findVarHandle(G.class, "permit", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The body every goroutine's continuation runs: the continuation is the goroutine. */
    private static final Runnable ENTRY = () -> ((G) Continuation.getCurrentContinuation(SCOPE)).body();

    final Scheduler scheduler;
    final long id;
    final String name;
    /** The user's code; cleared when the goroutine dies so a dead G retains nothing. */
    private Runnable task;

    /** State and park generation; see the class comment. Accessed through {@link #STATUS}. */
    private volatile long status;
    /** Park permit, 0 or 1. Accessed through {@link #PERMIT}. */
    @SuppressWarnings("unused")
    private volatile int permit;

    /**
     * The carrier that mounted this goroutine last; written by that carrier before it runs the
     * continuation, so goroutine code reads the right one even after migrating. Use it, never
     * {@code Thread.currentThread()}, from goroutine code (see {@link Gmp#currentG()}).
     */
    M m;
    /** Set by the goroutine before it yields, read by its carrier right after: same thread, plain. */
    byte yieldKind;
    /** Deadline (System.nanoTime) of the park being committed, or 0 for none; same-thread, plain. */
    long parkDeadline;
    /** The armed timer of the current timed park; owned by the goroutine and its carrier. */
    TimerQueue.Timer timer;
    /** Set when the continuation could not yield because the JVM pinned it; read by the goroutine. */
    boolean pinned;
    /**
     * The carrier thread blocked in a pinned park (the continuation could not yield), else null.
     * Written by the goroutine (volatile) before it re-checks the permit; read by unparkers after
     * they set the permit: the same Dekker pairing as {@code status}/{@code permit}.
     */
    volatile Thread pinnedCarrier;
    /**
     * Why the goroutine is parked and since when (System.nanoTime); written by the goroutine before
     * it parks, read racily by observers (stale values are acceptable in a dump).
     */
    WaitReason waitReason;
    long waitSince;
    /**
     * Set (by the runtime's monitor) when the goroutine has run past its time slice; cleared by
     * the goroutine when it honours it in {@link Gmp#checkpoint()}. Racy by design: a late
     * flag costs one extra yield, a missed one a little more latency.
     */
    volatile boolean preempt;
    /**
     * Set once, when the scheduler stopped before this goroutine finished and it will never run
     * again (see {@link Waiter#isAbandoned()}). Volatile: read by wakers on any thread.
     */
    volatile boolean abandoned;
    /** Sysmon only: this goroutine was already reported as a hog. */
    boolean hogReported;
    /** Intrusive link used by queues that need no allocation (batches to the global queue). */
    G next;

    G(Scheduler scheduler, long id, String name, Runnable task) {
        super(SCOPE, ENTRY);
        this.scheduler = scheduler;
        this.id = id;
        this.name = name;
        this.task = task;
    }

    /** Runs inside the continuation. The user's exception never escapes onto the carrier. */
    private void body() {
        Runnable t = task;
        try {
            t.run();
        } catch (Throwable e) {
            scheduler.diag.uncaught(this, e);
        }
    }

    @Override
    protected void onPinned(Continuation.Pinned reason) {
        pinned = true;
    }

    // ---------------------------------------------------------------- state transitions

    static int stateOf(long word) {
        return (int) (word & STATE_MASK);
    }

    int state() {
        return stateOf(status);
    }

    /** RUNNABLE -> RUNNING, by the carrier that took the goroutine from a queue. */
    void toRunning() {
        long s = status;
        checkState(s, RUNNABLE, "run");
        STATUS.setOpaque(this, (s & ~STATE_MASK) | RUNNING);
    }

    /** RUNNING -> RUNNABLE after a yield, by its carrier, before it is queued again (the queue publishes it). */
    void toRunnable() {
        long s = status;
        checkState(s, RUNNING, "requeue");
        STATUS.setOpaque(this, (s & ~STATE_MASK) | RUNNABLE);
    }

    /** RUNNING -> DEAD, by its carrier once the continuation is done. */
    void toDead() {
        long s = status;
        checkState(s, RUNNING, "finish");
        task = null;
        STATUS.setVolatile(this, (s & ~STATE_MASK) | DEAD);
    }

    /**
     * RUNNING -> WAITING with a new park generation, by the carrier after the goroutine yielded to
     * park. Returns {@code true} if the goroutine stays parked, {@code false} if a permit was
     * already there and the carrier took it back to RUNNABLE itself (it must run it again). A
     * timed park's timer is armed after the goroutine is WAITING; if the goroutine wakes and
     * cancels it first, arming it is a no-op.
     */
    boolean commitPark(TimerQueue timers) {
        long s = status;
        checkState(s, RUNNING, "park");
        long waiting = (s & ~STATE_MASK) + GEN_ONE | WAITING;
        TimerQueue.Timer t = null;
        if (parkDeadline != 0) {
            t = new TimerQueue.Timer(parkDeadline, this, waiting >>> 2, timers);
            timer = t; // written before the volatile store below, so the waking goroutine sees it
        }
        STATUS.setVolatile(this, waiting); // volatile store, then volatile load of permit: Dekker
        // From here on the goroutine may be woken and resumed elsewhere: touch only locals.
        if (t != null) {
            timers.add(t); // armed only now, so it cannot fire before the park it belongs to is on
        }
        if ((int) PERMIT.getVolatile(this) != 0) {
            return !STATUS.compareAndSet(this, waiting, (waiting & ~STATE_MASK) | RUNNABLE);
        }
        return true;
    }

    /**
     * RUNNABLE -> DEAD for a queued goroutine that will never run because the scheduler stopped:
     * fails its task (if it has a handle) so that joiners do not wait forever.
     */
    void abandon() {
        long s = status;
        checkState(s, RUNNABLE, "be abandoned");
        abandoned = true;
        Runnable t = task;
        task = null;
        STATUS.setVolatile(this, (s & ~STATE_MASK) | DEAD);
        if (t instanceof GTask<?> handle) {
            handle.abandon("goroutine " + id + " was abandoned: its scheduler " + scheduler.name() + " was shut down before it finished");
        }
    }

    /**
     * WAITING -> DEAD for a parked goroutine whose scheduler stopped: it will never run again.
     * {@link #abandoned} is published first, so a waker that sees it is still WAITING afterwards
     * already knows not to hand it anything; if a waker's CAS wins instead, the goroutine is
     * RUNNABLE and queued, and is abandoned from the queue. Its task fails with a
     * CancellationException, so joiners return and {@code isDone()} is true.
     */
    void abandonWaiting() {
        if (state() != WAITING) {
            return;
        }
        abandoned = true;
        long s = (long) STATUS.getVolatile(this);
        if (stateOf(s) != WAITING || !STATUS.compareAndSet(this, s, (s & ~STATE_MASK) | DEAD)) {
            return;
        }
        Runnable t = task;
        task = null;
        if (t instanceof GTask<?> handle) {
            handle.abandon("goroutine " + id + " was abandoned while parked: its scheduler " + scheduler.name()
                    + " was stopped before it finished");
        }
    }

    /** WAITING -> RUNNABLE for whoever holds the permit. Returns {@code true} if this call did it. */
    private boolean wake() {
        long s = (long) STATUS.getVolatile(this);
        return stateOf(s) == WAITING && STATUS.compareAndSet(this, s, (s & ~STATE_MASK) | RUNNABLE);
    }

    /** WAITING -> RUNNABLE for the timer armed for park generation {@code gen}, if that park is still on. */
    boolean wakeFromTimer(long gen) {
        long waiting = gen << 2 | WAITING;
        return STATUS.compareAndSet(this, waiting, gen << 2 | RUNNABLE);
    }

    private void checkState(long s, int expected, String what) {
        if (stateOf(s) != expected) {
            throw new IllegalStateException("gmpj bug: goroutine " + id + " cannot " + what + " in state "
                    + stateName(stateOf(s)) + " (expected " + stateName(expected) + ")");
        }
    }

    static String stateName(int state) {
        return switch (state) {
            case RUNNABLE -> "runnable";
            case RUNNING -> "running";
            case WAITING -> "waiting";
            default -> "dead";
        };
    }

    // ---------------------------------------------------------------- permit

    /** Takes the permit if there is one; the goroutine's park fast path and its wake-up path. */
    boolean consumePermit() {
        return (int) PERMIT.getAndSet(this, 0) != 0;
    }

    @Override
    public void unpark() {
        if ((int) PERMIT.getAndSet(this, 1) == 0) {
            if (wake()) {
                scheduler.ready(this);
            } else {
                Thread carrier = pinnedCarrier;
                if (carrier != null) {
                    java.util.concurrent.locks.LockSupport.unpark(carrier);
                }
            }
        }
    }

    @Override
    public boolean isGoroutine() {
        return true;
    }

    @Override
    public boolean isAbandoned() {
        return abandoned;
    }

    @Override
    public String toString() {
        return label(id, name) + " [" + stateName(state()) + "]";
    }

    /** How every message names a goroutine: {@code goroutine 12} or {@code goroutine 12 "name"}. */
    static String label(long id, String name) {
        return name == null ? "goroutine " + id : "goroutine " + id + " \"" + name + "\"";
    }
}
