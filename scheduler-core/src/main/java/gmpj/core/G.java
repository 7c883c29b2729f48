package gmpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * A goroutine: one JDK continuation plus the little state the scheduler needs.
 *
 * <h2>State machine</h2>
 * The state lives in the low two bits of one {@code int} word, {@link #status}; the other 30 bits
 * are the <em>park generation</em>, bumped by every park. Every transition is a method here:
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
 * wakes only the park generation it was armed for, so a stale timer (one a carrier took from its
 * heap just as the goroutine woke for another reason) does not wake a later park. The generation
 * wraps after 2<sup>30</sup> parks: a stale timer could wake a later park only if the carrier
 * firing it stalled for that many parks of the goroutine, and then the park returns spuriously,
 * which every park's caller allows for (it re-checks its condition). An {@code int} keeps the
 * object 8 bytes smaller than a {@code long} would.
 */
final class G extends Continuation implements Waiter {
    static final ContinuationScope SCOPE = new ContinuationScope("gmpj");

    static final int RUNNABLE = 0;
    static final int RUNNING = 1;
    static final int WAITING = 2;
    static final int DEAD = 3;
    private static final int STATE_MASK = 3;
    private static final int GEN_ONE = 4;

    /** Why the continuation last yielded; written by the goroutine, read by its carrier (same thread). */
    static final byte YIELD_NONE = 0;
    static final byte YIELD_RUNNABLE = 1;
    static final byte YIELD_PARK = 2;
    /** A yield that honours a preempt request ({@link Gmp#checkpoint()}): requeued like {@link #YIELD_RUNNABLE}. */
    static final byte YIELD_PREEMPTED = 3;

    private static final VarHandle STATUS;
    private static final VarHandle PERMIT;
    private static final VarHandle WAIT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATUS = l.findVarHandle(G.class, "status", int.class);
            PERMIT = l.findVarHandle(G.class, "permit", int.class);
            WAIT = l.findVarHandle(G.class, "wait", byte.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The entry point of every goroutine's continuation: the continuation is the goroutine, so one
     * stateless instance serves them all. A class of its own rather than a lambda, so that a
     * goroutine has a single runtime frame below the user's code (a lambda adds its generated
     * method on top of its body); every frame between the continuation's entry and a park is
     * copied into the parked goroutine's stack chunk.
     */
    private static final class Entry implements Runnable {
        @Override
        public void run() {
            // Nothing of this frame is live across the user's code, and the handler's work is
            // out of line, so that the frame stays small.
            Runnable body = ((G) Continuation.getCurrentContinuation(SCOPE)).body();
            try {
                body.run();
            } catch (Throwable e) {
                uncaught(e);
            }
        }
    }

    /** The user's exception, in the goroutine that threw it: it never escapes onto the carrier. */
    private static void uncaught(Throwable e) {
        G g = (G) Continuation.getCurrentContinuation(SCOPE);
        if (g.scheduler.bubble != null) {
            g.scheduler.bubble.uncaught(g, e); // the run stops and rethrows it
            return;
        }
        g.scheduler.diag.uncaught(g, e);
    }

    private static final Runnable ENTRY = new Entry();
    private static final String ENTRY_CLASS = Entry.class.getName();

    /** Whether {@code frame} is a goroutine's entry, the lowest frame of its own stack. */
    static boolean isEntryFrame(StackTraceElement frame) {
        return frame.getClassName().equals(ENTRY_CLASS);
    }

    /** Whether {@code frame} is of this class: the runtime's, as when it finds a body or hands on an exception. */
    static boolean isRuntimeFrame(StackTraceElement frame) {
        return frame.getClassName().equals(G.class.getName());
    }

    /** The body of a goroutine started with a name, and its name. */
    private record Named(String name, Runnable body) {}

    /** The reasons the low bits of {@link #wait} stand for (their value minus one). */
    private static final WaitReason[] REASONS = WaitReason.values();
    /** {@link #wait}: the bit of a pinned park, and the bits of the reason. */
    private static final int PINNED_PARK = 0x80;
    private static final int REASON_BITS = 0x7F;

    static {
        if (REASONS.length >= REASON_BITS) {
            throw new ExceptionInInitializerError("gmpj bug: " + REASONS.length + " wait reasons do not fit in "
                    + Integer.bitCount(REASON_BITS) + " bits of G.wait");
        }
    }

    /**
     * {@link #waitSince} counts in units of 2<sup>{@value}</sup> ns (about 1.05 ms) and keeps the
     * low 32 bits: a wait shows its length to the millisecond, modulo about 52 days.
     */
    private static final int WAIT_CLOCK_SHIFT = 20;

    final Scheduler scheduler;
    final long id;
    /**
     * What the goroutine runs, and its name: the user's {@code Runnable} (or its {@link GTask}), or
     * a {@link Named} pair when it was started with a name; once it is dead, only its name (a
     * {@code String}, or null), so a dead G retains nothing else. Folding the name in here keeps
     * a field off every unnamed goroutine. Written by its creator and, at death or abandonment,
     * by its carrier or the closing thread; read racily by observers (each value is immutable).
     */
    private Object task;

    /** State and park generation; see the class comment. Accessed through {@link #STATUS}. */
    private volatile int status;
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
    /**
     * The timer of a timed park: created by the goroutine before it yields (so its carrier finds
     * the deadline here), given its park generation and heap and armed by the carrier
     * ({@link #commitPark}), cancelled and cleared by the goroutine once it wakes. Null while the
     * goroutine is not in a timed park.
     */
    TimerQueue.Timer timer;
    /**
     * Written only by the goroutine. Low bits: why it is parked ({@link WaitReason} ordinal plus
     * one, 0 for none), written plainly before it parks and read racily by observers (stale values
     * are acceptable in a dump). Bit {@link #PINNED_PARK}: set while the goroutine blocks its
     * carrier {@link #m} in a pinned park (the continuation could not yield), with a volatile store
     * before it re-checks the permit, and read (volatile) by unparkers after they set the permit:
     * the same Dekker pairing as {@code status}/{@code permit}. One byte for both keeps the object
     * 8 bytes smaller.
     */
    private byte wait;
    /** Since when the goroutine is parked (see {@link #WAIT_CLOCK_SHIFT}); written with the reason, read racily. */
    private int waitSince;
    /**
     * Since when the goroutine is runnable: the low 32 bits of {@code System.nanoTime()}, 0 for
     * unknown; stamped only while latency recording is on (see {@link Latency}). Written by
     * whoever makes it runnable, before it is queued; read and cleared by the carrier that mounts
     * it (the queue orders the two). With compressed oops and class pointers this {@code int}
     * takes the object from 88 to 96 bytes (the fields end exactly on an 8-byte boundary without
     * it); with {@code -XX:+UseCompactObjectHeaders} it fits in the padding (88 bytes either way).
     */
    int runnableSince;
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
        this.task = name == null ? task : new Named(name, task);
    }

    /** The user's code to run; read once, by {@link Entry}, when the goroutine starts. */
    private Runnable body() {
        Object t = task;
        return t instanceof Named n ? n.body : (Runnable) t;
    }

    /** The goroutine's name, or null; alive or dead. */
    String name() {
        Object t = task;
        return t instanceof Named n ? n.name : t instanceof String s ? s : null;
    }

    /** Takes the body away once the goroutine will never run it again, keeping the name; returns the body. */
    private Runnable dropBody() {
        Object t = task;
        task = t instanceof Named n ? n.name : null;
        return t instanceof Named n ? n.body : (Runnable) t;
    }

    /** Goroutine only, before it parks: records why, and since when. */
    void parkingFor(WaitReason reason) {
        wait = (byte) (reason.ordinal() + 1);
        waitSince = (int) (System.nanoTime() >> WAIT_CLOCK_SHIFT);
    }

    /** Goroutine only, once it is back from a park. */
    void parked() {
        wait = 0;
    }

    /** Why the goroutine parks, or null; racy (meaningful while it is {@code WAITING}). */
    WaitReason waitReason() {
        int r = wait & REASON_BITS;
        return r == 0 ? null : REASONS[r - 1];
    }

    /**
     * Goroutine only: starts or ends a pinned park. A volatile store: the goroutine then reads the
     * permit, an unparker writes the permit and then reads this ({@link #inPinnedPark}).
     */
    void pinnedPark(boolean on) {
        int w = wait;
        WAIT.setVolatile(this, (byte) (on ? w | PINNED_PARK : w & ~PINNED_PARK));
    }

    /** Whether the goroutine blocks its carrier {@link #m} in a pinned park; a volatile read. */
    boolean inPinnedPark() {
        return ((byte) WAIT.getVolatile(this) & PINNED_PARK) != 0;
    }

    /** How long the goroutine has been parked at {@code now} (System.nanoTime), to about a millisecond; racy. */
    long waitingNanos(long now) {
        return Integer.toUnsignedLong((int) (now >> WAIT_CLOCK_SHIFT) - waitSince) << WAIT_CLOCK_SHIFT;
    }

    /**
     * The JVM pinned the continuation (a native frame, {@code Continuation.pin()}): the yield
     * returns false, and the park or yield that asked for it handles that itself.
     */
    @Override
    protected void onPinned(Continuation.Pinned reason) {
    }

    // ---------------------------------------------------------------- state transitions

    static int stateOf(int word) {
        return word & STATE_MASK;
    }

    int state() {
        return stateOf(status);
    }

    /** RUNNABLE -> RUNNING, by the carrier that took the goroutine from a queue. */
    void toRunning() {
        int s = status;
        checkState(s, RUNNABLE, "run");
        STATUS.setOpaque(this, (s & ~STATE_MASK) | RUNNING);
    }

    /** RUNNING -> RUNNABLE after a yield, by its carrier, before it is queued again (the queue publishes it). */
    void toRunnable() {
        int s = status;
        checkState(s, RUNNING, "requeue");
        STATUS.setOpaque(this, (s & ~STATE_MASK) | RUNNABLE);
    }

    /** RUNNING -> DEAD, by its carrier once the continuation is done. */
    void toDead() {
        int s = status;
        checkState(s, RUNNING, "finish");
        dropBody();
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
        int s = status;
        checkState(s, RUNNING, "park");
        int waiting = (s & ~STATE_MASK) + GEN_ONE | WAITING; // the generation wraps (class comment)
        TimerQueue.Timer t = timer;
        if (t != null) {
            t.prepare(waiting >>> 2, timers); // before the volatile store below, so the waking goroutine sees it
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
        int s = status;
        checkState(s, RUNNABLE, "be abandoned");
        abandoned = true;
        Runnable t = dropBody();
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
        int s = (int) STATUS.getVolatile(this);
        if (stateOf(s) != WAITING || !STATUS.compareAndSet(this, s, (s & ~STATE_MASK) | DEAD)) {
            return;
        }
        Runnable t = dropBody();
        if (t instanceof GTask<?> handle) {
            handle.abandon("goroutine " + id + " was abandoned while parked: its scheduler " + scheduler.name()
                    + " was stopped before it finished");
        }
    }

    /** WAITING -> RUNNABLE for whoever holds the permit. Returns {@code true} if this call did it. */
    private boolean wake() {
        int s = (int) STATUS.getVolatile(this);
        return stateOf(s) == WAITING && STATUS.compareAndSet(this, s, (s & ~STATE_MASK) | RUNNABLE);
    }

    /** WAITING -> RUNNABLE for the timer armed for park generation {@code gen}, if that park is still on. */
    boolean wakeFromTimer(int gen) {
        int waiting = gen << 2 | WAITING;
        return STATUS.compareAndSet(this, waiting, gen << 2 | RUNNABLE);
    }

    private void checkState(int s, int expected, String what) {
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
        if (scheduler.bubble != null) {
            scheduler.bubble.checkUnpark(this);
        }
        if (unparkToQueue()) {
            scheduler.ready(this);
        }
    }

    /**
     * {@link #unpark}, except that a goroutine this call makes {@code RUNNABLE} is left to the
     * caller to queue (the network poller queues on its own processor): true if the caller must.
     */
    boolean unparkToQueue() {
        if ((int) PERMIT.getAndSet(this, 1) == 0) {
            if (wake()) {
                return true;
            }
            if (inPinnedPark()) {
                java.util.concurrent.locks.LockSupport.unpark(m); // the carrier it is pinned to
            }
        }
        return false;
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
        return label(id, name()) + " [" + stateName(state()) + "]";
    }

    /** How every message names a goroutine: {@code goroutine 12} or {@code goroutine 12 "name"}. */
    static String label(long id, String name) {
        return name == null ? "goroutine " + id : "goroutine " + id + " \"" + name + "\"";
    }
}
