package gmpj.sync;

import gmpj.core.Gmp;
import gmpj.core.Parking;
import gmpj.core.WaitReason;
import gmpj.core.Waiter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Go's {@code select}: waits until one of several channel operations can proceed, performs exactly
 * that one, and runs its action.
 *
 * <pre>{@code
 * int chosen = new Select()
 *         .onReceive(results, r -> handle(r.value()))     // case v := <-results
 *         .onSend(requests, nextRequest)                    // case requests <- nextRequest
 *         .onReceive(ctx.done(), r -> giveUp())             // case <-ctx.Done()
 *         .timeout(Duration.ofSeconds(1), () -> retry())    // case <-time.After(time.Second)
 *         .run();
 * }</pre>
 *
 * <p>Go's loop that merges two channels until both are closed, setting each to nil as it closes:
 *
 * <pre>{@code
 * AtomicReference<Received<Integer>> got = new AtomicReference<>();
 * Select sel = new Select();
 * Select.Case fromA = sel.receive(a, got::set);                // case v, ok := <-a
 * Select.Case fromB = sel.receive(b, got::set);                // case v, ok := <-b
 * while (fromA.isEnabled() || fromB.isEnabled()) {             // for a != nil || b != nil
 *     Select.Case fired = sel.runCase();
 *     if (got.get().closed()) {
 *         fired.disable();                                     // a = nil (or b = nil)
 *     } else {
 *         merged.add(got.get().value());
 *     }
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Fair:</b> when several cases are ready, one is chosen uniformly at random, as in Go, so
 *       no case starves.</li>
 *   <li><b>Default:</b> with {@link #orElse}, {@link #run()} never waits: if no case is ready it
 *       runs the default action and returns {@link #DEFAULT}.</li>
 *   <li><b>Timeout:</b> with {@link #timeout}, it waits at most that long, then runs the timeout
 *       action and returns {@link #TIMEOUT}.</li>
 *   <li><b>Closed channels:</b> a receive case on a closed, drained channel is always ready and
 *       gets {@link Received#closed()}; a send case on a closed channel, if chosen, throws
 *       {@link ChanClosedException}, like Go's panic.</li>
 *   <li><b>Case handles:</b> {@link #receive} and {@link #send} add a case like {@link #onReceive}
 *       and {@link #onSend} but return its {@link Case}, which {@link #runCase()} returns when
 *       that case fires, for comparing with {@code ==}.</li>
 *   <li><b>Switching a case off:</b> {@link Case#disable()} is Go's nil channel: a disabled case
 *       is never polled and never waited on, whatever its channel's state, until
 *       {@link Case#enable()}. A run that finds every case disabled and has neither a default nor
 *       a timeout throws {@link IllegalStateException}, as a select with no cases does: it could
 *       only wait forever, since nothing wakes it when a case is enabled later.</li>
 *   <li><b>Reusable:</b> a {@code Select} is a statement, built once and {@link #run()} as often
 *       as needed (typically in a loop), by one caller at a time; send cases send the same value
 *       each run. Running needs no allocation beyond what the chosen case needs (its
 *       {@link Received}); the wait nodes of a blocking run are kept for the next.</li>
 * </ul>
 *
 * <h2>Thread safety</h2>
 * A {@code Select} is not for sharing while it is built: the building methods
 * ({@link #onReceive(Chan)}, {@link #onSend(Chan, Object)}, {@link #receive(Chan)},
 * {@link #send(Chan, Object)}, {@link #orElse}, {@link #timeout}) are not synchronized and must not
 * run at the same time as each other or as a run. Build it in one goroutine or thread, then run
 * it there, or hand it over through something that orders memory (a channel, a lock, the start of
 * a goroutine). {@link #run()} and {@link #runCase()} take the select for one caller at a time: a
 * second caller while a run is in progress (or an action that runs its own select) gets an
 * {@link IllegalStateException}, not a broken run; successive runs may be on different goroutines
 * or threads. {@link Case#enable()} and {@link Case#disable()} may be called from anywhere at any
 * time (see {@link Case}).
 *
 * <h2>Goroutines and plain threads</h2>
 * A waiting goroutine parks (dumps show {@code select}) and frees its carrier; a plain thread
 * blocks in {@code LockSupport}. The wait is uninterruptible, like Go's: a thread's interrupt
 * neither ends it nor is lost; a {@link #timeout} or a {@link Context#done()} case bounds it.
 * Actions run after the operation is complete and every channel lock is released, on the caller.
 * A run that must wait, on a carrier thread outside any goroutine, throws
 * {@link IllegalStateException}.
 *
 * <h2>How it works</h2>
 * Go's {@code selectgo}: lock every channel of the select in a global order (by channel id, so
 * that two selects never deadlock); poll the cases in a random order and perform the first ready
 * one; otherwise queue one node per case, all sharing one {@link ChanWait}, unlock, and park. The
 * first server to claim the shared wait by CAS performs its case; later servers see the claim fail
 * and skip the other nodes. Once woken, the select unlinks its remaining nodes (each under its
 * channel's lock). See {@link ChanWait} for the protocol and its memory ordering.
 */
public final class Select {
    /** What {@link #run()} returns when no case was ready and the default action ran. */
    public static final int DEFAULT = -1;
    /** What {@link #run()} returns when the timeout passed before any case was ready. */
    public static final int TIMEOUT = -2;

    private static final VarHandle RUNNING;

    static {
        try {
            RUNNING = MethodHandles.lookup().findVarHandle(Select.class, "running", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Chan<?>[] chans = new Chan<?>[4];
    private boolean[] sends = new boolean[4];
    private Object[] values = new Object[4];
    /** A {@code Consumer<Received<?>>} for a receive case, a {@code Runnable} for a send case; may be null. */
    private Object[] actions = new Object[4];
    /** The handle of each case, by index. */
    private Case[] handles = new Case[4];
    private int cases;
    private Runnable defaultAction;
    private boolean hasDefault;
    /** Null: no timeout. */
    private Duration timeout;
    /** Whether {@link #timeout} is positive, so that a run may wait for it. */
    private boolean timeoutWaits;
    private Runnable timeoutAction;

    /** Derived from the cases, rebuilt when they change: the distinct channels in lock order. */
    private Chan<?>[] lockOrder;
    /*
     * The fields below are the running caller's alone: run() takes RUNNING by CAS (acquire) and
     * gives it back with a release store, so the next caller, on any thread, sees the last
     * caller's writes; no two callers ever touch them at once.
     */
    /** The enabled cases of the current run in a random order: the first {@link #active} entries. */
    private int[] pollOrder;
    /** How many cases the current run polls and waits on: those enabled when it started. */
    private int active;
    /** Reused by blocking runs; see the class comment. */
    private ChanWait wait;
    private ChanNode[] nodes;
    /** Whether a case is a context's done channel, whose deadline the select must watch; see {@link Context}. */
    private boolean hasOwners;
    private long seed;
    /** 1 while a caller is inside {@link #run()}. */
    @SuppressWarnings("unused")
    private volatile int running;

    /** An empty select; add cases, then {@link #run()} it. */
    public Select() {
        long s = Gmp.randomSeed(this); // the poll order's seed: from the bubble's schedule in a Synctest bubble
        seed = s == 0 ? 0x9E3779B97F4A7C15L : s;
    }

    // ------------------------------------------------------------------ building

    /**
     * A receive case whose value is ignored: {@code case <-ch:}.
     *
     * @param ch the channel to receive from
     * @return this select, to add more cases
     */
    public Select onReceive(Chan<?> ch) {
        add(ch, false, null, null);
        return this;
    }

    /**
     * A receive case: {@code case v, ok := <-ch:}. {@code action} gets what was received: a value,
     * or {@link Received#closed()} if the channel is closed and drained.
     *
     * @param <T>    the channel's element type
     * @param ch     the channel to receive from
     * @param action what to run with the result when this case is chosen
     * @return this select, to add more cases
     */
    public <T> Select onReceive(Chan<T> ch, Consumer<? super Received<T>> action) {
        receive(ch, action);
        return this;
    }

    /**
     * A send case without an action: {@code case ch <- value:}.
     *
     * @param <T>   the channel's element type
     * @param ch    the channel to send on
     * @param value the value to send; never null
     * @return this select, to add more cases
     */
    public <T> Select onSend(Chan<T> ch, T value) {
        send(ch, value);
        return this;
    }

    /**
     * A send case: {@code case ch <- value:}, then {@code action} once the value is sent.
     *
     * @param <T>    the channel's element type
     * @param ch     the channel to send on
     * @param value  the value to send; never null
     * @param action what to run after the value is sent
     * @return this select, to add more cases
     */
    public <T> Select onSend(Chan<T> ch, T value, Runnable action) {
        send(ch, value, action);
        return this;
    }

    /**
     * Like {@link #onReceive(Chan)}, returning the new case's handle.
     *
     * @param ch the channel to receive from
     * @return the handle of the new case
     */
    public Case receive(Chan<?> ch) {
        return add(ch, false, null, null);
    }

    /**
     * Like {@link #onReceive(Chan, Consumer)}, returning the new case's handle.
     *
     * @param <T>    the channel's element type
     * @param ch     the channel to receive from
     * @param action what to run with the result when this case is chosen
     * @return the handle of the new case
     */
    public <T> Case receive(Chan<T> ch, Consumer<? super Received<T>> action) {
        return add(ch, false, null, Objects.requireNonNull(action, "action must not be null; use receive(ch) to ignore the value"));
    }

    /**
     * Like {@link #onSend(Chan, Object)}, returning the new case's handle.
     *
     * @param <T>   the channel's element type
     * @param ch    the channel to send on
     * @param value the value to send; never null
     * @return the handle of the new case
     */
    public <T> Case send(Chan<T> ch, T value) {
        return add(ch, true, Objects.requireNonNull(value, "a channel cannot carry null"), null);
    }

    /**
     * Like {@link #onSend(Chan, Object, Runnable)}, returning the new case's handle.
     *
     * @param <T>    the channel's element type
     * @param ch     the channel to send on
     * @param value  the value to send; never null
     * @param action what to run after the value is sent
     * @return the handle of the new case
     */
    public <T> Case send(Chan<T> ch, T value, Runnable action) {
        return add(ch, true, Objects.requireNonNull(value, "a channel cannot carry null"),
                Objects.requireNonNull(action, "action must not be null; use send(ch, value) for none"));
    }

    /**
     * The default case: if no case is ready when {@link #run()} looks, run {@code action} instead
     * of waiting.
     *
     * @param action what to run when no case is ready
     * @return this select
     * @throws IllegalStateException if the select already has a default or a timeout
     */
    public Select orElse(Runnable action) {
        Objects.requireNonNull(action, "action must not be null");
        if (hasDefault) {
            throw new IllegalStateException("this select already has a default case; a select has at most one");
        }
        if (timeout != null) {
            throw new IllegalStateException("this select has a timeout: with a default it would never wait, so the "
                    + "timeout could never fire; use one or the other");
        }
        hasDefault = true;
        defaultAction = action;
        return this;
    }

    /**
     * Waits at most {@code timeout} for a case to become ready (Go's {@code case <-time.After(d):}),
     * then runs {@code action}. Zero or negative: do not wait (like a default).
     *
     * @param timeout how long {@link #run()} waits for a case
     * @param action  what to run when the time runs out first
     * @return this select
     * @throws IllegalStateException if the select already has a timeout or a default
     */
    public Select timeout(Duration timeout, Runnable action) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        Objects.requireNonNull(action, "action must not be null");
        if (this.timeout != null) {
            throw new IllegalStateException("this select already has a timeout; a select has at most one");
        }
        if (hasDefault) {
            throw new IllegalStateException("this select has a default case: it never waits, so a timeout could "
                    + "never fire; use one or the other");
        }
        this.timeout = timeout;
        timeoutWaits = !timeout.isNegative() && !timeout.isZero();
        timeoutAction = action;
        return this;
    }

    /**
     * Cases added so far (the default and the timeout are not cases).
     *
     * @return the number of cases, enabled or not
     */
    public int cases() {
        return cases;
    }

    private Case add(Chan<?> ch, boolean send, Object value, Object action) {
        Objects.requireNonNull(ch, "channel must not be null (for Go's nil-channel case that never fires, "
                + "disable the case: Case.disable())");
        if (cases == chans.length) {
            int n = cases * 2;
            chans = Arrays.copyOf(chans, n);
            sends = Arrays.copyOf(sends, n);
            values = Arrays.copyOf(values, n);
            actions = Arrays.copyOf(actions, n);
            handles = Arrays.copyOf(handles, n);
        }
        chans[cases] = ch;
        sends[cases] = send;
        values[cases] = value;
        actions[cases] = action;
        Case c = new Case(cases);
        handles[cases] = c;
        cases++;
        lockOrder = null; // rebuilt by the next run
        return c;
    }

    // ------------------------------------------------------------------ running

    /**
     * Performs one ready case (chosen at random among the ready ones), waiting for one if none is
     * ready and the select has neither a default nor an elapsed timeout; then runs that case's
     * action.
     *
     * <p>Only the cases enabled when the run starts take part in it: a case enabled or disabled
     * during a run, by its own action or by another thread, takes part or not from the next run.
     *
     * @return the index of the case performed (in the order the cases were added, its
     *         {@link Case#index()}), {@link #DEFAULT} or {@link #TIMEOUT}
     * @throws ChanClosedException   if the chosen case sends on a closed channel
     * @throws IllegalStateException if the select has no enabled case, no default and no timeout (it
     *                               would wait forever), or is being run by another caller right now
     */
    public int run() {
        if (!RUNNING.compareAndSet(this, 0, 1)) {
            throw new IllegalStateException("this Select is already running (in another goroutine or thread, or in "
                    + "one of its own actions); a Select runs one caller at a time: build one per caller");
        }
        try {
            return perform();
        } finally {
            RUNNING.setRelease(this, 0);
        }
    }

    /**
     * Like {@link #run()}, but returns the handle of the case performed, or null if the default or
     * the timeout ran (a select has at most one of the two, so null says which).
     *
     * @return the handle of the case performed, or null
     * @throws ChanClosedException   if the chosen case sends on a closed channel
     * @throws IllegalStateException as {@link #run()}
     */
    public Case runCase() {
        int i = run();
        return i < 0 ? null : handles[i];
    }

    private int perform() {
        if (cases == 0 && !hasDefault && timeout == null) {
            throw new IllegalStateException("select with no cases, no default and no timeout would wait forever");
        }
        if (lockOrder == null) {
            prepare();
        }
        shuffle();
        if (active == 0 && cases > 0 && !hasDefault && timeout == null) {
            throw new IllegalStateException("every case of " + this + " is disabled and it has no default and no "
                    + "timeout: it would wait forever (Go's select on only nil channels); enable a case, or add "
                    + "orElse or timeout");
        }
        if (hasOwners) {
            for (int k = 0; k < active; k++) {
                Context owner = chans[pollOrder[k]].owner;
                if (owner != null) {
                    owner.checkDeadline(); // an expired context closes its done channel now
                }
            }
        }
        boolean mayWait = !hasDefault && (timeout == null || timeoutWaits);
        Waiter me = null;
        if (mayWait) {
            me = Parking.currentWaiter(); // before any lock: throws on a bare carrier thread
            Gmp.checkpoint();
        }
        long deadline = timeoutWaits ? Parking.deadlineAfter(timeout) : 0L; // saturating: never overflows

        lockAll();
        for (int k = 0; k < active; k++) {
            int i = pollOrder[k];
            Chan<?> c = chans[i];
            if (sends[i]) {
                if (c.closedLocked()) {
                    unlockAll();
                    throw new ChanClosedException("send on closed channel " + c + " (select case " + i + ")");
                }
                if (c.offerLocked(values[i])) {
                    ChanNode w = c.takeClaimedLocked();
                    unlockAll();
                    wakeIfAny(w);
                    return sent(i);
                }
            } else {
                Object v = c.pollLocked();
                if (v != null) {
                    ChanNode w = c.takeClaimedLocked();
                    unlockAll();
                    wakeIfAny(w);
                    return received(i, v == Chan.CLOSED ? null : v);
                }
            }
        }
        if (!mayWait) {
            unlockAll();
            if (hasDefault) {
                defaultAction.run();
                return DEFAULT;
            }
            timeoutAction.run();
            return TIMEOUT;
        }

        // Nothing ready: queue a node on every enabled case's channel, then park.
        ChanWait w = wait;
        w.waiter = me;
        w.state = ChanWait.WAITING; // volatile store; published to servers by the channel locks below
        for (int k = 0; k < active; k++) {
            int i = pollOrder[k];
            ChanNode n = nodes[i];
            n.elem = sends[i] ? values[i] : null;
            n.closed = false;
            chans[i].enqueueLocked(n, sends[i]);
        }
        unlockAll();

        int chosen = awaitServed(w, deadline);
        for (int k = 0; k < active; k++) { // leave every other queue (servers that failed to claim left some already)
            int i = pollOrder[k];
            if (i != chosen) {
                Chan<?> c = chans[i];
                ChanNode n = nodes[i];
                c.lock();
                c.unlinkLocked(n);
                n.elem = null;
                c.unlock();
            }
        }
        if (chosen == ChanWait.CANCELLED) {
            timeoutAction.run();
            return TIMEOUT;
        }
        ChanNode n = nodes[chosen];
        Object v = n.elem;
        n.elem = null;
        if (sends[chosen]) {
            if (n.closed) {
                throw new ChanClosedException("send on closed channel " + chans[chosen] + " (select case " + chosen
                        + "; it was closed while the select waited)");
            }
            return sent(chosen);
        }
        return received(chosen, n.closed ? null : v);
    }

    /**
     * Parks until a server claims {@code w}; returns the claimed case, or {@link ChanWait#CANCELLED}
     * if {@code deadline} (0: none) passed first. Context deadlines among the cases are observed
     * here: the park ends at the earliest, and the expired context's cancellation closes its done
     * channel, which serves that case.
     */
    private int awaitServed(ChanWait w, long deadline) {
        for (;;) {
            long expiry = hasOwners ? earliestContextDeadline() : 0L;
            int s = w.await(WaitReason.SELECT, Chan.earliest(deadline, expiry));
            if (s != ChanWait.WAITING) {
                return s;
            }
            if (expiry != 0 && Parking.nanoTime() - expiry >= 0) {
                for (int k = 0; k < active; k++) {
                    Context owner = chans[pollOrder[k]].owner;
                    if (owner != null) {
                        owner.checkDeadline();
                    }
                }
                continue;
            }
            if (w.tryCancel()) {
                return ChanWait.CANCELLED;
            }
            return w.state; // served as the time ran out
        }
    }

    /** The earliest deadline of a not-yet-cancelled context among the enabled cases' done channels; 0 if none. */
    private long earliestContextDeadline() {
        long earliest = 0L;
        for (int k = 0; k < active; k++) {
            Context owner = chans[pollOrder[k]].owner;
            if (owner != null && !owner.cancelled()) {
                earliest = Chan.earliest(earliest, owner.deadlineNanos());
            }
        }
        return earliest;
    }

    /** Runs receive case {@code i}'s action with {@code v} (null: the channel is closed); a {@code Received} only if there is an action. */
    @SuppressWarnings("unchecked")
    private int received(int i, Object v) {
        Object action = actions[i];
        if (action != null) {
            ((Consumer<Received<?>>) action).accept(v == null ? Received.closedResult() : Received.of(v));
        }
        return i;
    }

    private int sent(int i) {
        Object action = actions[i];
        if (action != null) {
            ((Runnable) action).run();
        }
        return i;
    }

    private static void wakeIfAny(ChanNode n) {
        if (n != null) {
            n.wake();
        }
    }

    /** Builds the lock order, the poll-order scratch and the wait nodes for the current cases. */
    private void prepare() {
        Chan<?>[] sorted = Arrays.copyOf(chans, cases);
        Arrays.sort(sorted, Comparator.comparingLong(c -> c.id));
        int distinct = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (distinct == 0 || sorted[distinct - 1] != sorted[i]) {
                sorted[distinct++] = sorted[i];
            }
        }
        lockOrder = Arrays.copyOf(sorted, distinct);
        pollOrder = new int[cases];
        wait = new ChanWait(null);
        nodes = new ChanNode[cases];
        hasOwners = false;
        for (int i = 0; i < cases; i++) {
            nodes[i] = new ChanNode(wait, i);
            hasOwners |= chans[i].owner != null;
        }
    }

    /**
     * Sets {@link #active} and the first {@code active} entries of {@link #pollOrder}: a uniformly
     * random permutation of the indexes of the cases enabled now (inside-out Fisher-Yates over
     * xorshift64). Each case's flag is read once here, so the whole run sees one set of cases.
     */
    private void shuffle() {
        int[] order = pollOrder;
        long s = seed;
        int n = 0;
        for (int i = 0; i < cases; i++) {
            if (!handles[i].enabled) {
                continue;
            }
            s ^= s << 13;
            s ^= s >>> 7;
            s ^= s << 17;
            int j = (int) Long.remainderUnsigned(s, n + 1);
            order[n] = order[j];
            order[j] = i;
            n++;
        }
        seed = s;
        active = n;
    }

    private void lockAll() {
        for (Chan<?> c : lockOrder) {
            c.lock();
        }
    }

    private void unlockAll() {
        for (int i = lockOrder.length - 1; i >= 0; i--) {
            lockOrder[i].unlock();
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Select[");
        for (int i = 0; i < cases; i++) {
            b.append(i == 0 ? "" : ", ").append(sends[i] ? "send to Chan#" : "receive from Chan#").append(chans[i].id);
            if (!handles[i].enabled) {
                b.append(" (disabled)");
            }
        }
        if (hasDefault) {
            b.append(cases == 0 ? "" : ", ").append("default");
        }
        if (timeout != null) {
            b.append(cases == 0 && !hasDefault ? "" : ", ").append("timeout ").append(timeout);
        }
        return b.append(']').toString();
    }

    /**
     * One case of a {@link Select}, as returned by {@link #receive} and {@link #send}: compare it
     * with what {@link #runCase()} returns, and switch the case off and on.
     *
     * <p>The enabled flag is volatile, and any thread may change it at any time; a run reads each
     * case's flag once, as it starts (see {@link #run()}), so a change made before a run starts is
     * seen by it, and a change made during a run applies from the next one.
     */
    public final class Case {
        private final int index;
        private volatile boolean enabled = true;

        private Case(int index) {
            this.index = index;
        }

        /**
         * The case's position among its select's cases, in the order they were added: what {@link #run()} returns for it.
         *
         * @return the index, from 0
         */
        public int index() {
            return index;
        }

        /**
         * Switches the case off, like setting its channel to nil in Go: from the next run, the case
         * is neither polled nor waited on, whatever its channel's state. Idempotent.
         */
        public void disable() {
            enabled = false;
        }

        /** Switches the case back on, from the next run. Idempotent. */
        public void enable() {
            enabled = true;
        }

        /**
         * Whether the case is on (it is when added).
         *
         * @return {@code true} unless the case is disabled
         */

        public boolean isEnabled() {
            return enabled;
        }

        @Override
        public String toString() {
            return "case " + index + ": " + (sends[index] ? "send to Chan#" : "receive from Chan#") + chans[index].id
                    + (enabled ? "" : " (disabled)");
        }
    }
}
